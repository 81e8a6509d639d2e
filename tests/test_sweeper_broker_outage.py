"""A webhook that arrives while the broker is down is stored but not queued; once the broker is
back the sweeper queues it, and the card ends up on Plex."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from cards.models import TitleCard, WebhookEvent
from cards.tasks import dispatch_pending_events
from tests.support import wait_until


@contextmanager
def broker_down() -> Iterator[None]:
    """Point the Celery app (as the web process uses it) at a Redis that is not there."""
    from tcm_site.celery import app

    def reconnect() -> None:
        # Celery keeps a connection and a producer pool per broker URL.
        app._pool = None
        app.amqp._producer_pool = None

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    reconnect()
    try:
        yield
    finally:
        app.conf.broker_url = old
        reconnect()


def test_an_event_left_pending_by_a_broker_outage_is_dispatched_by_the_sweeper(
    celery_worker, client, fake_plex, plex_tautulli, quick_retries
) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]

    with broker_down():
        response = client.post(
            f"/webhooks/tautulli/{plex_tautulli.webhook_secret}/",
            {"rating_key": str(key), "event": "created"},
            content_type="application/json",
        )
    assert response.status_code == 202
    event = WebhookEvent.objects.get(pk=response.json()["id"])
    assert (event.status, event.dispatched_at) == ("pending", None)
    time.sleep(0.5)
    assert WebhookEvent.objects.get(pk=event.pk).status == "pending"  # nobody will run it

    summary = dispatch_pending_events.delay().get(timeout=20)

    assert summary["never_queued"] == 1 and summary["not_queued"] == 0
    wait_until(
        lambda: WebhookEvent.objects.filter(pk=event.pk, status="done").exists(),
        what="the event to be done",
    )
    event.refresh_from_db()
    assert event.attempts == 1 and event.dispatched_at is not None
    assert TitleCard.objects.get().state == TitleCard.State.UPLOADED
    assert fake_plex.labels(key) == ["tcm"]
    assert len(fake_plex.uploads(key)) == 1
