"""Redis restarts empty while events wait in its queue behind a slow upload: the worker's relay
sees the broker's marker gone and queues those events again at once, instead of leaving them to
the sweeper's grace period (TCM_EVENT_DISPATCH_GRACE, five minutes). Every card is on Plex
within 30 s of Redis being back, each uploaded once. A private redis-server is stopped and
started again (never the shared one), with a real worker process on it."""

from __future__ import annotations

import os
import time

import pytest
from django.test import Client
from django.utils import timezone

from cards.models import TitleCard, WebhookEvent
from connections.models import TautulliConnection
from tests.fakes.plex import FakePlex
from tests.redis import RedisServer
from tests.support import WorkerProcess, post_webhook, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.serial, pytest.mark.django_db(transaction=True)]

# Enough for some to wait in Redis behind the one being uploaded (at least EPISODES - 2): each
# one more costs its upload and render, one after the other, after Redis is back.
EPISODES = 4
UPLOAD_SECONDS = 0.5  # each upload: the others wait in Redis meanwhile
BACK_WITHIN = 30.0
# How long Redis stays away; longer outages (bench/README.md, "Recovery") by hand, e.g.
# REDIS_OUTAGE_SECONDS=120 ./tcm test -s tests/test_fault_redis_restart_requeue.py
OUTAGE = float(os.environ.get("REDIS_OUTAGE_SECONDS", "1"))


def test_events_queued_when_redis_restarts_empty_land_within_30_s_of_its_return(
    client: Client, fake_plex: FakePlex, plex_tautulli: TautulliConnection
) -> None:
    keys = fake_plex.episodes(fake_plex.add_series("Harbour", episodes=EPISODES))
    plex = plex_tautulli.plex
    plex.timeout = 30  # Plex is slow, not down
    plex.save()
    fake_plex.hang(UPLOAD_SECONDS, prefix="/library/metadata/", method="POST")

    # The production defaults: the sweeper's grace, retries, lock lease and delay as shipped.
    with RedisServer() as redis, WorkerProcess(redis_url=redis.url, concurrency=1) as worker:
        for key in keys:
            assert post_webhook(client, plex_tautulli, key).status_code == 202

        def queued_behind_the_first() -> bool:
            events = WebhookEvent.objects.all()
            return (
                events.filter(status="running").count() == 1
                and events.filter(status="pending", dispatched_at__isnull=False).count()
                >= EPISODES - 2
            )

        wait_until(queued_behind_the_first, timeout=60, what="events to queue up in Redis")
        redis.stop()  # the queued messages go with it
        time.sleep(OUTAGE)
        redis.start()  # the same port, empty
        back, back_at = time.monotonic(), timezone.now()

        def all_on_plex() -> bool:
            return TitleCard.objects.filter(state=TitleCard.State.UPLOADED).count() == EPISODES

        try:
            wait_until(all_on_plex, timeout=90, what="every card on Plex")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{worker.log()[-4000:]}") from None
        took = time.monotonic() - back
        wait_until(
            lambda: not WebhookEvent.objects.exclude(status="done").exists(),
            timeout=30,
            what="every event done",
        )
        log = worker.log()

    # The floor: the cards' own work after Redis was back (their tasks' run times, one after
    # the other on the one worker process); the rest of `took` is the recovery.
    rerun = WebhookEvent.objects.filter(started_at__gte=back_at)
    work = sum((e.finished_at - e.started_at).total_seconds() for e in rerun)
    first = min(e.started_at for e in rerun)
    print(
        f"\nRedis back -> every card on Plex: {took:.1f} s ({EPISODES} cards; {rerun.count()} "
        f"tasks after the restart, the first started {(first - back_at).total_seconds():.1f} s "
        f"after it; their own work, the floor: {work:.1f} s)"
    )
    assert took <= BACK_WITHIN, log[-4000:]
    assert "the broker lost its queue" in log  # not the sweeper: none runs here
    for key in keys:
        assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1, key
