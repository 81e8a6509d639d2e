"""clean_up deletes finished webhook events after a week and failed ones after a month (never
pending or running ones), old job runs (always keeping each job's last run), and marks runs whose
worker died as failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cards.models import JobRun, WebhookEvent
from cards.tasks import clean_up

Status = WebhookEvent.Status


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # nothing of other tests' files is looked at
    return tmp_path


@pytest.mark.django_db
def test_it_deletes_old_events_and_keeps_the_rest(media, tautulli_connection) -> None:
    now = timezone.now()

    def event(status: str, days: float) -> WebhookEvent:
        return WebhookEvent.objects.create(
            connection=tautulli_connection,
            rating_key="1",
            status=status,
            received_at=now - timedelta(days=days),
        )

    old_done, old_duplicate, very_old_failed = (
        event(Status.DONE, 8),
        event(Status.DUPLICATE, 8),
        event(Status.FAILED, 31),
    )
    kept = [
        event(Status.DONE, 6),
        event(Status.FAILED, 8),
        event(Status.PENDING, 40),
        event(Status.RUNNING, 40),
    ]

    summary = clean_up.apply().get()

    assert summary["events_deleted"] == 3
    assert not WebhookEvent.objects.filter(
        pk__in=[old_done.pk, old_duplicate.pk, very_old_failed.pk]
    ).exists()
    assert set(WebhookEvent.objects.values_list("pk", flat=True)) == {e.pk for e in kept}


@pytest.mark.django_db
def test_it_deletes_old_job_runs_but_each_jobs_last(media) -> None:
    now = timezone.now()

    def run(kind: str, days: float, status: str = "ok", target_id: int | None = None) -> JobRun:
        return JobRun.objects.create(
            kind=kind,
            target_id=target_id,
            status=status,
            started_at=now - timedelta(days=days),
            finished_at=now,
        )

    old = run("render_due_cards", 20)
    recent = run("render_due_cards", 1)
    only_one = run("verify_cards", 60, target_id=1)  # the last (and only) run of its job stays
    sweeps = [run("dispatch_pending_events", d) for d in (3, 2, 0.01)]
    abandoned = run("sync_library", 2, status="running", target_id=1)

    summary = clean_up.apply().get()

    assert (summary["job_runs_deleted"], summary["job_runs_abandoned"]) == (3, 1)
    left = set(JobRun.objects.values_list("pk", flat=True))
    assert {old.pk, sweeps[0].pk, sweeps[1].pk}.isdisjoint(left)
    assert {recent.pk, only_one.pk, sweeps[2].pk, abandoned.pk} <= left
    abandoned.refresh_from_db()
    assert abandoned.status == "failed" and "worker" in abandoned.error
    assert JobRun.objects.get(kind="clean_up").summary == summary
