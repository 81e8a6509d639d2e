"""Plex hanging longer than the client timeout, or refusing connections, is transient: the event
waits and is retried later, and succeeds once Plex answers again."""

from __future__ import annotations

import pytest

from cards.models import WebhookEvent
from cards.tasks import process_webhook_event
from tests.support import wait_until


@pytest.mark.parametrize(
    ("fault", "reason"), [("hang", "timeout"), ("refuse", "refused the connection")]
)
def test_an_unavailable_plex_is_retried_later(
    celery_worker, fake_plex, plex_tautulli, quick_retries, fault, reason
) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    plex_tautulli.plex.timeout = 1
    plex_tautulli.plex.save()
    if fault == "hang":
        fake_plex.hang(10)  # longer than the client's timeout
    else:
        fake_plex.refuse()

    webhook = WebhookEvent.objects.create(connection=plex_tautulli, rating_key=str(key))
    process_webhook_event.delay(webhook.pk)
    wait_until(
        lambda: reason in WebhookEvent.objects.get(pk=webhook.pk).last_error,
        what="the failure to be recorded",
    )
    assert WebhookEvent.objects.get(pk=webhook.pk).status in ("pending", "running")
    fake_plex.recover()

    wait_until(lambda: WebhookEvent.objects.get(pk=webhook.pk).status == "done", what="the event")
    webhook.refresh_from_db()
    assert webhook.attempts >= 2 and webhook.last_error == ""
    assert fake_plex.labels(key) == ["tcm"]
    assert len(fake_plex.uploads(key)) == 1
