"""The relay queues every stored event exactly once, oldest first, and never a duplicate; two
relays never take the same event; with the broker down it gives the events back and tries again
later, waiting longer each time, and once the broker answers they are queued. Driven against a
private redis-server, whose queue the test reads."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from django.test import Client

from cards.models import WebhookEvent
from cards.relay import Relay, relay_new_events
from connections.models import TautulliConnection
from tests.redis import RedisServer
from tests.support import broker_messages, celery_broker, post_webhook, wait_until

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker() -> Iterator[RedisServer]:
    """A private Redis as this process's broker."""
    with RedisServer() as server, celery_broker(server.url):
        yield server


def queued_event_ids(server: RedisServer) -> list[int]:
    """The event ids of the tasks in the broker's queue, oldest first."""
    messages = broker_messages(server.url)
    assert {task for task, _args in messages} <= {"cards.process_webhook_event"}
    return [args[0] for _task, args in messages]


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


@pytest.mark.django_db(transaction=True)
def test_two_relays_never_take_the_same_event(
    client: Client, tautulli_connection: TautulliConnection, broker: RedisServer
) -> None:
    # Two workers' relays, polling as fast as they can while the posts arrive: both read the
    # same waiting events, and each claim takes only what the other has not.
    relays = [Relay(interval=0.001), Relay(interval=0.001)]
    for relay in relays:
        relay.start()
    try:
        ids = [post(client, tautulli_connection, key) for key in range(100, 160)]
        wait_until(lambda: len(queued_event_ids(broker)) >= len(ids), what="every event queued")
    finally:
        for relay in relays:
            relay.stop()

    assert sorted(queued_event_ids(broker)) == ids  # each once
    assert not WebhookEvent.waiting_for_relay().exists()


@pytest.mark.slow
@pytest.mark.serial
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_it_gives_the_events_back_and_waits_longer_each_time(
    client: Client,
    tautulli_connection: TautulliConnection,
    broker: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    ids = [post(client, tautulli_connection, key) for key in (41, 42, 43)]
    broker.stop()
    relay = Relay(interval=0.05)
    relay.start()
    try:

        def waits() -> list[int]:
            found = re.findall(
                r"the broker refused; 3 events wait, next try in (\d+) s", caplog.text
            )
            return [int(w) for w in found]

        wait_until(lambda: len(waits()) >= 2, timeout=10, what="two refused rounds")
        # Given back: still waiting for a relay, none queued.
        assert WebhookEvent.waiting_for_relay().filter(pk__in=ids).count() == 3
        assert waits()[0] < waits()[1] <= 10
        assert f"webhook event {ids[0]} is stored but could not be queued" in caplog.text
        assert tautulli_connection.webhook_secret not in caplog.text

        broker.start()
        wait_until(lambda: queued_event_ids(broker) == ids, timeout=15, what="the events queued")
    finally:
        relay.stop()

    assert "event relay: working again" in caplog.text
    assert not WebhookEvent.waiting_for_relay().exists()
