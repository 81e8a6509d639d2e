"""Plex rejecting the token is permanent: the connection is flagged, the event fails with the
reason, nothing is retried, and later work does not even ask Plex."""

from __future__ import annotations

import time

from cards.models import WebhookEvent
from cards.tasks import process_webhook_event, sync_library, verify_cards
from connections.models import PlexConnection
from tests.support import wait_until


def post(tautulli, key: int) -> WebhookEvent:
    webhook = WebhookEvent.objects.create(connection=tautulli, rating_key=str(key))
    process_webhook_event.delay(webhook.pk)
    return webhook


def settled(webhook: WebhookEvent) -> bool:
    webhook.refresh_from_db()
    return webhook.status == "failed"


def test_a_revoked_token_stops_the_work_without_a_retry_storm(
    celery_worker, fake_plex, plex_tautulli, quick_retries
) -> None:
    show = fake_plex.add_series("Harbour", episodes=2)
    first, second = fake_plex.episodes(show)
    fake_plex.revoke_token()

    webhook = post(plex_tautulli, first)
    wait_until(lambda: settled(webhook), what="the event to fail")
    time.sleep(1)  # several retry periods: nothing more may arrive

    assert fake_plex.count() == 1  # one request, answered 401; no retry
    webhook.refresh_from_db()
    assert webhook.attempts == 1 and "rejected the token" in webhook.last_error
    connection = PlexConnection.objects.get()
    assert connection.auth_failed_at is not None
    assert "rejected the token" in connection.last_error
    assert fake_plex.token not in connection.last_error

    # Later work for this server fails at once, without a request.
    later = post(plex_tautulli, second)
    wait_until(lambda: settled(later), what="the second event to fail")
    assert "enter a valid token" in sync_library.delay(connection.pk).get(timeout=10)["skipped"]
    assert "enter a valid token" in verify_cards.delay(connection.pk).get(timeout=10)["skipped"]
    assert fake_plex.count() == 1
    assert later.attempts == 0 and "enter a valid token" in later.last_error
