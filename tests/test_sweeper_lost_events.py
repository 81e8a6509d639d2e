"""Which events the sweeper queues again: never queued, queued long ago and not started, running
far longer than any task takes. Events queued a moment ago, due for a retry later, running
normally or finished are left alone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cards.models import WebhookEvent
from cards.tasks import dispatch_pending_events
from tests.support import run_queued, wait_until


def test_it_queues_lost_and_stuck_events_and_nothing_else(
    transactional_db, empty_broker_queue, fake_plex, plex_tautulli, quick_retries
) -> None:
    show = fake_plex.add_series("Harbour", episodes=9)
    keys = fake_plex.episodes(show)
    now = timezone.now()
    ago = now - timedelta(minutes=10)
    long_ago = now - timedelta(hours=2)
    Status = WebhookEvent.Status

    def event(key: int, **fields: object) -> WebhookEvent:
        return WebhookEvent.objects.create(
            connection=plex_tautulli, rating_key=str(key), event="created", **fields
        )

    lost = event(keys[0], dispatched_at=ago)
    stuck = event(
        keys[1], status=Status.RUNNING, dispatched_at=long_ago, started_at=long_ago, attempts=1
    )
    stuck.task_id = "a-worker-that-died"
    stuck.save()
    just_queued = event(keys[2], dispatched_at=now)
    retry_later = event(keys[3], dispatched_at=ago, next_attempt_at=now + timedelta(minutes=5))
    running = event(
        keys[4], status=Status.RUNNING, dispatched_at=ago, started_at=now - timedelta(minutes=1)
    )
    finished = [
        event(keys[5], status=Status.DONE, dispatched_at=long_ago),
        event(keys[6], status=Status.FAILED, dispatched_at=long_ago, last_error="gave up"),
        event(keys[7], status=Status.DUPLICATE, dispatched_at=None),
    ]

    summary = dispatch_pending_events.apply().get()
    run_queued()

    assert summary == {"never_queued": 0, "lost": 1, "stuck_running": 1, "not_queued": 0}
    for queued in (lost, stuck):
        wait_until(
            lambda queued=queued: WebhookEvent.objects.filter(pk=queued.pk, status="done").exists(),
            what=f"event {queued.pk} to be done",
        )
    assert sorted(fake_plex.labels(k) for k in keys[:2]) == [["tcm"], ["tcm"]]
    assert WebhookEvent.objects.get(pk=stuck.pk).attempts == 2  # its first worker died

    untouched = [just_queued, retry_later, running, *finished]
    for before in untouched:
        after = WebhookEvent.objects.get(pk=before.pk)
        assert (after.status, after.dispatched_at) == (before.status, before.dispatched_at)
    assert all(fake_plex.labels(k) == [] for k in keys[2:])

    # Queued again a moment ago: the next sweep leaves them to their new task.
    assert dispatch_pending_events.apply().get()["lost"] == 0
