"""Tautulli's "Plex server back up" post (on_intup) releases the work that waits out a backoff
after a Plex outage: it runs at once, not when its retry comes due minutes later."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import timezone

from cards.models import Episode, TitleCard, WebhookEvent
from cards.tasks import render_card
from tests.support import wait_until


@pytest.fixture
def drop_left_over_tasks() -> Iterator[None]:
    """After the worker stopped (asked for before celery_worker, so torn down after it), the
    retries still counting down their ten minutes are dropped from the broker: a later test's
    worker would otherwise run them on that test's rows, whose ids start over."""
    yield
    import redis
    from django.conf import settings

    queue = os.environ["TCM_REDIS_PREFIX"] + settings.CELERY_TASK_DEFAULT_QUEUE
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(queue)


def post(client: Client, tautulli, body: dict) -> int:
    answer = client.post(
        f"/webhooks/tautulli/{tautulli.webhook_secret}/",
        json.dumps(body),
        content_type="application/json",
    )
    assert answer.status_code == 202, answer.content
    return answer.json()["id"]


def test_the_plex_back_up_post_releases_waiting_work(
    drop_left_over_tasks, celery_worker, client, fake_plex, plex_tautulli, settings
) -> None:
    # Backoffs of ten minutes and more: only the release can make the work run within the test.
    settings.TCM_RETRY_BASE_DELAY = 600
    settings.TCM_RETRY_MAX_DELAY = 1800
    show = fake_plex.add_series("Harbour", episodes=2)
    first, second = fake_plex.episodes(show)
    post(client, plex_tautulli, {"rating_key": str(first), "event": "created"})
    wait_until(lambda: TitleCard.objects.filter(state="uploaded").count() == 1, what="a card")
    episode = Episode.objects.get(rating_key=str(first))

    fake_plex.refuse()  # Plex goes away
    waiting = post(client, plex_tautulli, {"rating_key": str(second), "event": "created"})
    render_card.delay(episode.pk, force_upload=True)
    wait_until(
        lambda: WebhookEvent.objects.filter(pk=waiting, next_attempt_at__isnull=False).exists(),
        what="the event to wait for a retry",
    )
    wait_until(
        lambda: TitleCard.objects.filter(episode=episode, state="failed").exists(),
        what="the card to wait for a retry",
    )
    event = WebhookEvent.objects.get(pk=waiting)
    assert event.status == "pending" and event.next_attempt_at > timezone.now()
    assert TitleCard.objects.get(episode=episode).retry_at > timezone.now()

    fake_plex.recover()
    back_up = post(client, plex_tautulli, {"event": "intup"})

    wait_until(
        lambda: WebhookEvent.objects.get(pk=waiting).status == "done",
        what="the waiting event to run at once",
    )
    wait_until(
        lambda: TitleCard.objects.get(episode=episode).state == "uploaded",
        what="the waiting card to be uploaded at once",
    )
    assert WebhookEvent.objects.get(pk=back_up).status == "done"
    assert TitleCard.objects.get(episode__rating_key=str(second)).state == "uploaded"


def test_the_plex_back_up_agent_posts_what_the_webhook_takes(
    live_server, admin_client, fake_tautulli, tautulli_connection
) -> None:
    from tests.support import admin_action

    type(tautulli_connection).objects.update(tcm_url=live_server.url, trigger_on_plex_up=True)
    messages = admin_action(admin_client, tautulli_connection, "create_agents")
    assert messages[0] == (
        "success",
        "home tautulli: notification agents created “tcm - Recently Added”, “tcm - Watched”, "
        "“tcm - Plex back up”.",
    )  # and a warning that the live server's URL is local
    tautulli_connection.refresh_from_db()
    agent = fake_tautulli.agent(tautulli_connection.plex_up_agent_id)
    assert agent["friendly_name"] == "tcm - Plex back up"
    assert [a for a, on in agent["actions"].items() if on] == ["on_intup"]

    [delivery] = fake_tautulli.fire("on_intup")

    assert delivery.status == 202
    assert json.loads(delivery.body) == {"event": "intup"}
    assert WebhookEvent.objects.get().event == "intup"

    type(tautulli_connection).objects.update(trigger_on_plex_up=False)
    messages = admin_action(admin_client, tautulli_connection, "create_agents")
    assert "removed “tcm - Plex back up”" in messages[0][1]
    assert len(fake_tautulli.notifiers) == 2


def test_a_new_connection_wants_the_plex_back_up_agent() -> None:
    from connections.models import TautulliConnection

    assert TautulliConnection().trigger_on_plex_up is True
