"""The stored event reaches a real worker through Redis (its relay queues it); with the broker
down the post is still answered 202 at once and the event waits."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from django.test import Client

from cards.models import WebhookEvent
from connections.models import TautulliConnection
from tests.support import celery_broker, post_webhook


def _post(client: Client, connection: TautulliConnection, key: str = "5151") -> dict:
    response = post_webhook(client, connection, key)
    assert response.status_code == 202, response.content
    return response.json()


@pytest.fixture
def dead_broker() -> Iterator[str]:
    """The Celery app pointed at a Redis that is not there, for this test only."""
    url = "redis://127.0.0.1:1/0"
    with celery_broker(url):
        yield url


def test_a_real_worker_picks_up_the_event_after_the_commit(
    client: Client, tautulli_connection: TautulliConnection, celery_worker: object
) -> None:
    answer = _post(client, tautulli_connection)

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        event = WebhookEvent.objects.get(pk=answer["id"])
        if event.status != WebhookEvent.Status.PENDING or event.started_at:
            break
        time.sleep(0.1)
    # The worker found the committed row: the placeholder task marks it done; the pipeline's
    # task at least starts it (no Plex answers in this test).
    assert event.status != WebhookEvent.Status.PENDING or event.started_at
    assert event.dispatched_at is not None


@pytest.mark.django_db
def test_with_the_broker_down_it_still_answers_202_and_keeps_the_event(
    client: Client,
    tautulli_connection: TautulliConnection,
    dead_broker: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()
    answer = _post(client, tautulli_connection)
    took = time.monotonic() - started

    # The view never talks to the broker: the event waits for the relay (tests/test_event_relay.py
    # has what the relay does while the broker is down).
    event = WebhookEvent.objects.get(pk=answer["id"])
    assert (event.status, event.dispatched_at) == (WebhookEvent.Status.PENDING, None)
    assert "could not be queued" not in caplog.text
    assert tautulli_connection.webhook_secret not in caplog.text
    print(f"answered in {took * 1000:.0f} ms with the broker down")
