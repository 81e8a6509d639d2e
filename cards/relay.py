"""The relay: hands stored webhook events to the broker, from inside every Celery worker.

The webhook view only stores the post (one INSERT) and answers. It does not publish the task
itself, for two reasons:

- Publishing one Celery message costs the web process a large part of a post's CPU: Celery
  builds the message and kombu builds a new redis-py client for every publish (bench/README.md,
  "Webhook intake"). Tautulli waits for the answer, so that cost sat on the path it waits on.
- A post answered after its row committed but before its publish went through was lost until
  the minute sweeper found it (a web process killed in between, a broker that hung up).

So the row is the message (a transactional outbox): an event waits for its task while it is
pending with `dispatched_at` empty (WAITING_FOR_RELAY, cards/models.py). A thread in each worker
looks for such events a few times a second (TCM_EVENT_RELAY_INTERVAL), marks them dispatched
with one UPDATE and queues their tasks. A task can never arrive before its row, since only
committed rows are seen. Two relays (two workers) claim disjoint events: the UPDATE repeats the
condition and returns what it took. When the broker refuses, the events not yet queued are given
back and the relay waits longer before each new try, up to five seconds (so its events wait at
most that long once the broker is back).

Every few seconds (RECOVERY_INTERVAL) the relay also recovers work that a failure elsewhere
left without a task, so that it does not wait for the sweeper's grace period (minutes) or the
broker's visibility timeout (an hour):

- the broker lost its queue: Redis restarted without persistence (or was flushed), and with it
  the messages of events queued and not started. A marker key in the broker tells: it is set
  when missing, and the relay whose SET created it anew queues those events again (one relay,
  however many workers noticed);
- a worker died whole (SIGKILL, OOM, docker kill) in the middle of an event: the event's
  heartbeat stopped (WebhookEvent.keep_alive), and the event is taken over.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models.sql import Query
from django.utils import timezone

from .maintenance import requeue_after_broker_loss, take_over_abandoned_events
from .models import WAITING_FOR_RELAY, WebhookEvent
from .tasks import queue_event

log = logging.getLogger(__name__)

# The most events one round claims; a full round is followed by the next at once.
BATCH = 500
# The longest wait between tries while the broker or the database fails.
MAX_BACKOFF = 5.0
# Seconds between the relay's looks for work a failure left without a task (see above): a few
# queries every so often, where the relay's own look runs several times a second.
RECOVERY_INTERVAL = 2.0
# The broker's marker key (under the installation's Redis prefix, as Celery's own keys are).
MARKER = "tcm:broker-marker"


@dataclass
class Round:
    queued: int = 0
    refused: int = 0  # claimed, then given back because the broker refused


def relay_new_events(limit: int = BATCH) -> Round:
    """One round: claim up to `limit` events waiting for their task, oldest first, and queue
    them. Stops at the first one the broker refuses and gives the rest back."""
    # A read first: on SQLite the UPDATE takes the database's one write lock, which an idle
    # relay should not take several times a second. SQL built once, as the claim is: the ORM
    # compiling its query every round costs an idle round many times over, and idle is what
    # the relay mostly is (bench/README.md, "The event relay's look-up").
    with connection.cursor() as cursor:
        cursor.execute(_waiting_sql(), [limit])
        ids = [pk for (pk,) in cursor.fetchall()]
    result = Round()
    if not ids:
        return result
    claimed = _claim(ids)
    for i, pk in enumerate(claimed):
        if not queue_event(pk):  # it gave this one back
            rest = claimed[i + 1 :]
            WebhookEvent.give_back(rest)
            result.refused = len(rest) + 1
            break
        result.queued += 1
    return result


def _claim(ids: list[int]) -> list[int]:
    """Mark these events dispatched where they still wait; the ids this call took, in order."""
    marks = ", ".join(["%s"] * len(ids))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql() % marks, [now, *ids])
        return sorted(pk for (pk,) in cursor.fetchall())


@lru_cache(maxsize=1)
def _waiting() -> str:
    """WAITING_FOR_RELAY as SQL, its values written in (our own constants), built the way Django
    builds the partial index's condition from the same Q: SQLite uses a partial index only when
    it can see that the query implies the index's condition, which a bound parameter hides."""
    query = Query(WebhookEvent, alias_cols=False)
    sql, params = query.build_where(WAITING_FOR_RELAY).as_sql(
        query.get_compiler(connection=connection), connection
    )
    quote = connection.schema_editor().quote_value
    return sql % tuple(quote(p) for p in params)


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    quote = connection.ops.quote_name
    meta = WebhookEvent._meta
    # cast: a concrete field always has a column (the stubs allow None for the others).
    return {
        "table": quote(meta.db_table),
        "pk": quote(cast(str, meta.pk.column)),
        "dispatched": quote(cast(str, meta.get_field("dispatched_at").column)),
    }


@lru_cache(maxsize=1)
def _waiting_sql() -> str:
    """Events waiting for their task, oldest first (parameter: a limit)."""
    n = _names()
    return f"SELECT {n['pk']} FROM {n['table']} WHERE {_waiting()} ORDER BY {n['pk']} LIMIT %s"


@lru_cache(maxsize=1)
def _claim_sql() -> str:
    n = _names()
    # %% survives the first formatting (the id list) as the driver's placeholder.
    return (
        f"UPDATE {n['table']} SET {n['dispatched']} = %%s WHERE {_waiting()} "
        f"AND {n['pk']} IN (%s) RETURNING {n['pk']}"
    )


class BrokerMarker:
    """Tells when the broker lost what it held: a key in the broker's Redis, set when missing.
    Redis that restarted without persistence (or was flushed) comes back without it, and the
    one SET that creates it again tells its caller alone. A Redis that kept its data (RDB, AOF)
    kept the key and its queue: nothing to do then."""

    def __init__(self) -> None:
        from tcm_site import celery_app  # its broker: the one the relay queues to

        self._client = None
        if settings.REDIS_URL:  # the embedded mode's broker is files, which a restart keeps
            import redis

            self._client = redis.Redis.from_url(
                celery_app.conf.broker_url, socket_timeout=2, socket_connect_timeout=2
            )
        prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
        self.key = f"{prefix}{MARKER}"

    def lost(self) -> bool:
        """Whether the broker lost its data since the marker was last set (or never had one);
        only the caller that sets it anew hears True. Raises when Redis does not answer."""
        if self._client is None:
            return False
        return bool(self._client.set(self.key, timezone.now().isoformat(), nx=True))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def recover(marker: BrokerMarker) -> dict[str, int]:
    """One look for work a failure left without a task: events whose messages the broker lost,
    events whose worker died. Returns how many of each were queued again."""
    result = {"broker_lost": 0, "taken_over": 0}
    if marker.lost():
        before = timezone.now()
        result["broker_lost"] = requeue_after_broker_loss(queue_event, before)
        # A new Redis (the first start) has no marker either: loud only when work was lost.
        log.log(
            logging.WARNING if result["broker_lost"] else logging.INFO,
            "event relay: the broker lost its queue (Redis restarted empty?); %s events waiting "
            "for a worker were queued again",
            result["broker_lost"],
        )
    result["taken_over"] = take_over_abandoned_events(queue_event)
    return result


class Relay:
    """The relay's thread (started and stopped with the worker, see tcm_site/celery.py)."""

    def __init__(self, interval: float | None = None) -> None:
        self.interval = settings.TCM_EVENT_RELAY_INTERVAL if interval is None else interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tcm-event-relay", daemon=True)
        self._marker = BrokerMarker()
        self._next_recovery = 0.0  # monotonic; the first look at once, when the worker starts

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        wait, failing = 0.0, False
        try:
            while not self._stop.wait(wait):
                self._recover()
                wait, failing = self._round(wait, failing)
        finally:
            connection.close()  # this thread's own connection
            self._marker.close()

    def _recover(self) -> None:
        if time.monotonic() < self._next_recovery:
            return
        self._next_recovery = time.monotonic() + RECOVERY_INTERVAL
        try:
            recover(self._marker)
        except DatabaseError as exc:
            log.debug("event relay: looking for lost work: the database failed (%s)", exc)
            connection.close()
        except Exception as exc:
            # Redis away, mostly: the relay's round says so already; the next look tries again.
            log.debug("event relay: looking for lost work failed: %s", exc)

    def _round(self, wait: float, failing: bool) -> tuple[float, bool]:
        """One round; returns how long to wait before the next and whether this one failed."""
        backoff = min(MAX_BACKOFF, max(wait * 2, 1.0))
        try:
            result = relay_new_events()
        except DatabaseError as exc:
            if not failing:
                log.warning("event relay: the database failed (%s); trying again", exc)
            connection.close()  # a broken connection stays broken; the next round opens one
            return backoff, True
        except Exception:
            # Whatever it is, the thread lives on: the events would otherwise wait for the
            # minute sweeper.
            log.exception("event relay: a round failed; trying again in %.0f s", backoff)
            return backoff, True
        if result.refused:
            log.warning(
                "event relay: the broker refused; %s events wait, next try in %.0f s",
                result.refused,
                backoff,
            )
            return backoff, True
        if failing:
            log.info("event relay: working again")
        # A full round may have left more behind: the next one at once.
        return (0.0 if result.queued >= BATCH else self.interval), False
