"""The relay queues every stored event exactly once, oldest first, and never a duplicate; two
relays never take the same event; with the broker down it gives the events back and tries again
later, and once the broker answers they are queued. Driven against a private redis-server, whose
queue the test reads."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator

import pytest
import redis as redis_py
from django.test import Client

from cards.models import WebhookEvent
from cards.relay import Relay, _claim, relay_new_events
from connections.models import TautulliConnection
from tests.redis import RedisServer
from tests.support import celery_broker, post_webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker() -> Iterator[RedisServer]:
    """A private Redis as this process's broker."""
    with RedisServer() as server, celery_broker(server.url):
        yield server


def queued_event_ids(server: RedisServer) -> list[int]:
    """The event ids of the process_webhook_event messages in the broker's queue, oldest
    first (Celery's protocol 2: the body is base64 JSON of [args, kwargs, embed])."""
    client = redis_py.Redis.from_url(server.url)
    ids = []
    for key in client.scan_iter(match="*tcm", _type="LIST"):  # the queue, not kombu's bindings
        for raw in reversed(client.lrange(key, 0, -1)):  # LPUSH: the newest is first
            message = json.loads(raw)
            assert message["headers"]["task"] == "cards.process_webhook_event"
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            ids.append(args[0])
    return ids


def post(client: Client, tautulli: TautulliConnection, key: int) -> int:
    response = post_webhook(client, tautulli, key)
    assert response.status_code == 202
    return response.json()["id"]


def test_it_queues_each_stored_event_once_oldest_first_and_no_duplicate(
    client: Client, tautulli_connection: TautulliConnection, broker: RedisServer
) -> None:
    ids = [post(client, tautulli_connection, key) for key in (11, 12, 13)]
    duplicate = post(client, tautulli_connection, 11)
    assert queued_event_ids(broker) == []  # the view queues nothing itself

    first = relay_new_events()
    again = relay_new_events()

    assert (first.queued, first.refused, again.queued) == (3, 0, 0)
    assert queued_event_ids(broker) == ids
    assert WebhookEvent.objects.filter(pk__in=ids, dispatched_at=None).count() == 0
    assert WebhookEvent.objects.get(pk=duplicate).dispatched_at is None


def test_a_round_takes_at_most_its_limit_and_the_next_one_the_rest(
    client: Client, tautulli_connection: TautulliConnection, broker: RedisServer
) -> None:
    ids = [post(client, tautulli_connection, key) for key in range(20, 25)]

    assert relay_new_events(limit=3).queued == 3
    assert relay_new_events(limit=3).queued == 2
    assert queued_event_ids(broker) == ids


def test_two_relays_never_take_the_same_event(
    client: Client, tautulli_connection: TautulliConnection
) -> None:
    ids = [post(client, tautulli_connection, key) for key in (31, 32, 33)]

    # Both read the same waiting events; the second UPDATE finds them taken.
    assert _claim(ids[:2]) == ids[:2]
    assert _claim(ids) == ids[2:]
    assert _claim(ids) == []


def test_with_the_broker_down_it_gives_the_events_back_and_waits_longer_each_time(
    client: Client,
    tautulli_connection: TautulliConnection,
    broker: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    ids = [post(client, tautulli_connection, key) for key in (41, 42, 43)]
    relay = Relay(interval=0.05)
    broker.stop()

    waits = []
    wait, failing = 0.05, False
    for _ in range(3):
        wait, failing = relay._round(wait, failing)
        waits.append(wait)
        # Given back: still waiting for a relay, none queued.
        assert WebhookEvent.objects.filter(pk__in=ids, dispatched_at=None).count() == 3

    assert failing and waits == sorted(waits) and waits[0] < waits[-1] <= 10
    assert "the broker refused; 3 events wait" in caplog.text
    assert f"webhook event {ids[0]} is stored but could not be queued" in caplog.text
    assert tautulli_connection.webhook_secret not in caplog.text

    broker.start()
    wait, failing = relay._round(wait, failing)

    assert (wait, failing) == (0.05, False)
    assert queued_event_ids(broker) == ids
    assert "event relay: working again" in caplog.text
