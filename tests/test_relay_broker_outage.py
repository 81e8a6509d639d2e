"""A webhook that arrives while the broker is down is stored and waits; the relay gives it back
while the broker refuses, queues it once the broker is back, and the card ends up on Plex once."""

from __future__ import annotations

import time

from cards.models import TitleCard, WebhookEvent
from tests.support import celery_broker, post_webhook, wait_until


def test_an_event_that_arrives_while_the_broker_is_down_is_queued_once_it_is_back(
    celery_worker, client, fake_plex, plex_tautulli, quick_retries
) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]

    # This process's Celery app, which its worker's relay publishes with, at a Redis not there.
    with celery_broker("redis://127.0.0.1:1/0"):
        response = post_webhook(client, plex_tautulli, key)
        assert response.status_code == 202
        event = WebhookEvent.objects.get(pk=response.json()["id"])
        time.sleep(1)  # several of the relay's rounds: each is refused and gives the event back
        event.refresh_from_db()
        assert (event.status, event.dispatched_at) == ("pending", None)

    wait_until(
        lambda: WebhookEvent.objects.filter(pk=event.pk, status="done").exists(),
        what="the event to be done",
    )
    event.refresh_from_db()
    assert event.attempts == 1 and event.dispatched_at is not None
    assert TitleCard.objects.get().state == TitleCard.State.UPLOADED
    assert fake_plex.labels(key) == ["tcm"]
    assert len(fake_plex.uploads(key)) == 1
