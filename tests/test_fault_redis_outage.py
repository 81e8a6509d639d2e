"""Redis stops while webhooks arrive: every post is still answered 202 and its event stored; once
Redis is back (restarted empty, as a Redis without persistence comes back), posts are queued
directly again, the sweeper queues the ones the outage left behind, and every card lands on
Plex once. A private redis-server on its own port is stopped - never the shared one - and a real
worker process, connected to it, has to find its way back."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from cards.models import TitleCard, WebhookEvent
from cards.tasks import dispatch_pending_events
from connections.models import TautulliConnection
from tests.fakes.plex import FakePlex
from tests.redis import RedisServer
from tests.support import WorkerProcess, celery_broker, post_webhook, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

QUICK = {"TCM_RETRY_BASE_DELAY": "0.2", "TCM_RETRY_MAX_DELAY": "0.5"}


def post(client: Client, tautulli: TautulliConnection, key: int) -> tuple[WebhookEvent, float]:
    started = time.monotonic()
    response = post_webhook(client, tautulli, key)
    took = time.monotonic() - started
    assert response.status_code == 202
    return WebhookEvent.objects.get(pk=response.json()["id"]), took


def done(events: list[WebhookEvent]) -> bool:
    return WebhookEvent.objects.filter(pk__in=[e.pk for e in events], status="done").count() == len(
        events
    )


def test_posts_during_a_redis_outage_are_kept_and_processed_after_it(
    client: Client, fake_plex: FakePlex, plex_tautulli: TautulliConnection
) -> None:
    keys = fake_plex.episodes(fake_plex.add_series("Harbour", episodes=12))
    with (
        RedisServer() as redis,
        celery_broker(redis.url),
        WorkerProcess(redis_url=redis.url, **QUICK) as worker,
    ):
        before = [post(client, plex_tautulli, key)[0] for key in keys[:2]]
        wait_until(lambda: done(before), timeout=60, what="the posts before the outage")

        redis.stop()
        during = [post(client, plex_tautulli, key) for key in keys[2:10]]
        # Stored, answered at once, not queued.
        assert max(took for _, took in during) < 2
        for event, _ in during:
            event.refresh_from_db()
            assert (event.status, event.dispatched_at) == ("pending", None)
        time.sleep(1)

        redis.start()  # the same port, empty
        # At once, before the worker has reconnected: the web process's broken pooled
        # connection is replaced, and the queue is declared again by the publish.
        after = [post(client, plex_tautulli, key)[0] for key in keys[10:]]
        for event in after:
            event.refresh_from_db()
            assert event.dispatched_at is not None
        wait_until(lambda: done(after), timeout=60, what="posts after the outage, queued directly")
        wait_until(worker.answers, timeout=60, what="the worker to answer pings again")
        assert not done([e for e, _ in during])  # nobody ran those: their tasks were never queued

        dispatch_pending_events.delay()  # what beat sends every minute

        try:
            wait_until(lambda: done([e for e, _ in during]), timeout=60, what="the sweeper")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{worker.log()[-3000:]}") from None

    assert WebhookEvent.objects.exclude(status="done").count() == 0
    assert TitleCard.objects.filter(state=TitleCard.State.UPLOADED).count() == 12
    for key in keys:
        assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1, key
