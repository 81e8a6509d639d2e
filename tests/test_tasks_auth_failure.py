"""Plex rejecting the token is permanent: the connection is flagged, the event fails with the
reason, nothing is retried, and later work does not even ask Plex."""

from __future__ import annotations

from cards.models import WebhookEvent
from cards.tasks import process_webhook_event, sync_library, verify_cards
from connections.models import PlexConnection


def post(tautulli, key: int) -> WebhookEvent:
    """An event, worked on in this process (Celery's apply: a retry would run at once, before it
    returns)."""
    webhook = WebhookEvent.objects.create(connection=tautulli, rating_key=str(key))
    process_webhook_event.apply(args=[webhook.pk])
    webhook.refresh_from_db()
    return webhook


def test_a_revoked_token_stops_the_work_without_a_retry_storm(
    fake_plex, plex_tautulli, quick_retries
) -> None:
    show = fake_plex.add_series("Harbour", episodes=2)
    first, second = fake_plex.episodes(show)
    fake_plex.revoke_token()

    webhook = post(plex_tautulli, first)

    assert webhook.status == "failed"
    assert fake_plex.count() == 1  # one request, answered 401; no retry
    assert webhook.attempts == 1 and "rejected the token" in webhook.last_error
    connection = PlexConnection.objects.get()
    assert connection.auth_failed_at is not None
    assert "rejected the token" in connection.last_error
    assert fake_plex.token not in connection.last_error

    # Later work for this server fails at once, without a request.
    later = post(plex_tautulli, second)
    assert later.status == "failed"
    assert "enter a valid token" in sync_library.apply(args=[connection.pk]).get()["skipped"]
    assert "enter a valid token" in verify_cards.apply(args=[connection.pk]).get()["skipped"]
    assert fake_plex.count() == 1
    assert later.attempts == 0 and "enter a valid token" in later.last_error
