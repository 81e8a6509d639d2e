"""What the relay's recovery looks take up, and only that: the broker's marker tells one caller
that the broker lost its data; then the events queued and not started are queued again, once
(a retry due later for then); a running event whose heartbeat stopped is taken over, once, and
one whose heartbeat is fresh (or that never had one: the sweeper's) is left alone. A task's
heartbeat advances while it runs and stops once the event is no longer its own. Against a
private redis-server as the broker, whose queue the test reads."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import redis as redis_py
from django.utils import timezone

from cards.maintenance import requeue_after_broker_loss, take_over_abandoned_events
from cards.models import WebhookEvent
from cards.relay import BrokerMarker
from cards.tasks import queue_event
from connections.models import TautulliConnection
from tests.redis import RedisServer
from tests.support import broker_messages, celery_broker, wait_until

Status = WebhookEvent.Status


@pytest.fixture
def broker() -> Iterator[RedisServer]:
    """A private Redis as this process's broker."""
    with RedisServer() as server, celery_broker(server.url):
        yield server


def etas(server: RedisServer) -> dict[int, str | None]:
    """The queued process_webhook_event messages: event id -> the ETA they carry (or None)."""
    import os

    from django.conf import settings

    client = redis_py.Redis.from_url(server.url)
    queue = os.environ["TCM_REDIS_PREFIX"] + settings.CELERY_TASK_DEFAULT_QUEUE
    found = {}
    for raw in client.lrange(queue, 0, -1):
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        found[args[0]] = message["headers"].get("eta")
    return found


def event(tautulli: TautulliConnection, key: int, **fields: object) -> WebhookEvent:
    return WebhookEvent.objects.create(
        connection=tautulli, rating_key=str(key), event="created", **fields
    )


@pytest.mark.django_db
def test_the_marker_tells_one_caller_that_the_broker_lost_its_data(broker: RedisServer) -> None:
    one, other = BrokerMarker(), BrokerMarker()
    assert one.lost()  # a broker that never had it: nothing queued there can be trusted
    assert not other.lost() and not one.lost()

    redis_py.Redis.from_url(broker.url).flushall()  # what a restart without persistence does
    assert other.lost()
    assert not one.lost() and not other.lost()


@pytest.mark.django_db
def test_after_the_broker_lost_its_queue_the_waiting_events_are_queued_once(
    tautulli_connection: TautulliConnection, broker: RedisServer
) -> None:
    now = timezone.now()
    queued = event(tautulli_connection, 1, dispatched_at=now - timedelta(seconds=5))
    retry_later = event(
        tautulli_connection,
        2,
        dispatched_at=now - timedelta(seconds=50),
        next_attempt_at=now + timedelta(seconds=60),
    )
    running = event(tautulli_connection, 3, status=Status.RUNNING, dispatched_at=now)
    for_the_relay = event(tautulli_connection, 4)  # not queued yet: the relay's own work
    done = event(tautulli_connection, 5, status=Status.DONE, dispatched_at=now)
    after = event(tautulli_connection, 6, dispatched_at=now + timedelta(seconds=1))

    assert requeue_after_broker_loss(queue_event, before=now) == 2
    assert requeue_after_broker_loss(queue_event, before=now) == 0  # claimed: once
    found = etas(broker)
    assert set(found) == {queued.pk, retry_later.pk}
    assert found[queued.pk] is None
    eta = datetime.fromisoformat(str(found[retry_later.pk]))
    assert abs((eta - (now + timedelta(seconds=60))).total_seconds()) < 2  # due when it was
    for untouched in (running, for_the_relay, done, after):
        stored = WebhookEvent.objects.get(pk=untouched.pk)
        assert (stored.status, stored.dispatched_at) == (untouched.status, untouched.dispatched_at)


@pytest.mark.django_db
def test_a_running_event_whose_heartbeat_stopped_is_taken_over_once(
    tautulli_connection: TautulliConnection, broker: RedisServer, settings: object
) -> None:
    now = timezone.now()
    beat = timedelta(seconds=settings.TCM_EVENT_HEARTBEAT)  # type: ignore[attr-defined]

    def running(key: int, **fields: object) -> WebhookEvent:
        return event(
            tautulli_connection, key, status=Status.RUNNING, task_id="t", attempts=1, **fields
        )

    dead = running(1, started_at=now - 3 * beat, heartbeat_at=now - beat - timedelta(seconds=1))
    alive = running(2, started_at=now - 3 * beat, heartbeat_at=now - beat / 2)
    unmarked = running(3, started_at=now - timedelta(hours=2))  # an older tcm's: the sweeper's

    assert take_over_abandoned_events(queue_event) == 1
    assert take_over_abandoned_events(queue_event) == 0
    assert [args[0] for _task, args in broker_messages(broker.url)] == [dead.pk]
    dead.refresh_from_db()
    assert dead.status == Status.PENDING and dead.dispatched_at is not None
    assert dead.last_error == "Its worker stopped while working on it; queued again."
    for left in (alive, unmarked):
        assert WebhookEvent.objects.get(pk=left.pk).status == Status.RUNNING


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_advances_while_the_task_runs_and_stops_when_the_event_is_not_its_own(
    tautulli_connection: TautulliConnection, settings: object
) -> None:
    settings.TCM_EVENT_HEARTBEAT = 0.3  # type: ignore[attr-defined]
    start = timezone.now()
    mine = event(tautulli_connection, 1, status=Status.RUNNING, task_id="mine", heartbeat_at=start)

    def beat() -> datetime | None:
        return WebhookEvent.objects.get(pk=mine.pk).heartbeat_at

    with mine.keep_alive():
        wait_until(lambda: (beat() or start) > start, timeout=5, what="a heartbeat")
        # Taken over (pending again, another task's): its marks stop.
        WebhookEvent.objects.filter(pk=mine.pk).update(status=Status.PENDING, task_id="")
        time.sleep(0.3)
        last = beat()
        time.sleep(0.5)
        assert beat() == last
