"""Redis stops while webhooks arrive: every post is still answered 202 and its event stored; once
Redis is back (restarted empty, as a Redis without persistence comes back), the worker's relay
queues the posts the outage left behind and the ones after it, and every card lands on Plex
once. A private redis-server on its own port is stopped - never the shared one - and a real
worker process, connected to it, has to find its way back."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from cards.models import TitleCard, WebhookEvent
from connections.models import TautulliConnection
from tests.fakes.plex import FakePlex
from tests.redis import RedisServer
from tests.support import WorkerProcess, celery_broker, post_webhook, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.serial, pytest.mark.django_db(transaction=True)]

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
        # Stored and answered at once: the view does not touch the broker.
        assert max(took for _, took in during) < 2
        for event, _ in during:
            event.refresh_from_db()
            assert event.status == "pending"
        time.sleep(1)

        redis.start()  # the same port, empty
        after = [post(client, plex_tautulli, key)[0] for key in keys[10:]]
        # The worker's relay finds its way back to the broker and queues what waited during the
        # outage as well as what came after it: no sweeper needed.
        waited = [e for e, _ in during]
        try:
            wait_until(lambda: done(waited + after), timeout=90, what="the relay")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{worker.log()[-3000:]}") from None
        wait_until(worker.answers, timeout=60, what="the worker to answer pings again")

    assert WebhookEvent.objects.exclude(status="done").count() == 0
    assert TitleCard.objects.filter(state=TitleCard.State.UPLOADED).count() == 12
    for key in keys:
        assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1, key
