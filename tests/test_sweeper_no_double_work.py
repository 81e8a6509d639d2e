"""A second copy of an event's task (the sweeper queued it again while the first still waited
in the queue, or while the first was running) does no work twice; the same message delivered
again after its worker died takes the event back."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from cards.models import WebhookEvent
from cards.tasks import dispatch_pending_events, process_webhook_event
from tests.support import wait_until


def one_episode(fake_plex) -> int:
    show = fake_plex.add_series("Harbour", episodes=1)
    return fake_plex.episodes(show)[0]


def done(event: WebhookEvent) -> bool:
    return WebhookEvent.objects.filter(pk=event.pk, status="done").exists()


def test_a_copy_queued_while_the_first_waits_in_the_queue_does_nothing_twice(
    celery_worker, fake_plex, plex_tautulli, quick_retries
) -> None:
    key = one_episode(fake_plex)
    # Queued ten minutes ago and still waiting (a long queue): the sweeper takes it for lost.
    event = WebhookEvent.objects.create(
        connection=plex_tautulli,
        rating_key=str(key),
        event="created",
        dispatched_at=timezone.now() - timedelta(minutes=10),
    )
    first = process_webhook_event.apply_async((event.pk,), countdown=2)

    assert dispatch_pending_events.delay().get(timeout=20)["lost"] == 1
    wait_until(lambda: done(event), what="the copy to finish the event")

    assert first.get(timeout=20) == "done"  # the first copy ran afterwards and found it done
    event.refresh_from_db()
    assert event.attempts == 1
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1


def test_a_copy_arriving_while_the_first_runs_does_nothing(
    celery_worker, fake_plex, plex_tautulli, quick_retries
) -> None:
    key = one_episode(fake_plex)
    fake_plex.hang(0.3)  # every request takes a while: the first copy is running for seconds
    event = WebhookEvent.objects.create(
        connection=plex_tautulli, rating_key=str(key), event="created", dispatched_at=timezone.now()
    )
    process_webhook_event.delay(event.pk)
    wait_until(
        lambda: WebhookEvent.objects.filter(pk=event.pk, status="running").exists(),
        what="the first copy to start",
    )

    assert process_webhook_event.delay(event.pk).get(timeout=20) == "running"

    wait_until(lambda: done(event), timeout=40, what="the first copy to finish")
    event.refresh_from_db()
    assert event.attempts == 1
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1


def test_the_same_message_delivered_again_takes_its_running_event_back(
    celery_worker, fake_plex, plex_tautulli, quick_retries
) -> None:
    key = one_episode(fake_plex)
    task_id = str(uuid.uuid4())
    # What a worker killed in the middle leaves behind; the broker then delivers the same
    # message (same task id) again.
    event = WebhookEvent.objects.create(
        connection=plex_tautulli,
        rating_key=str(key),
        event="created",
        status=WebhookEvent.Status.RUNNING,
        attempts=1,
        dispatched_at=timezone.now(),
        started_at=timezone.now(),
        task_id=task_id,
    )

    assert process_webhook_event.apply_async((event.pk,), task_id=task_id).get(timeout=20) == "done"

    event.refresh_from_db()
    assert (event.status, event.attempts) == ("done", 2)
    assert fake_plex.labels(key) == ["tcm"]
