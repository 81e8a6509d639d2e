"""After a start, the schedule's jobs do not wait one whole interval for their first run: a job
that has never run is due seconds after beat starts, an overdue one at once, and one that ran
recently waits for its interval as before."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from tcm_site.beat import FIRST_RUN_DELAY, FirstRunSoonEntry
from tcm_site.celery import app
from tests.support import PYTHON, ROOT, broker_messages, child_env, wait_until


def entry(name: str, cls: type[ModelEntry] = FirstRunSoonEntry) -> ModelEntry:
    return cls(PeriodicTask.objects.get(name=name), app=app)


def test_a_job_that_never_ran_is_due_seconds_after_beat_starts(db) -> None:
    due, wait = entry("Sync libraries").is_due()

    assert not due and 0 < wait <= FIRST_RUN_DELAY.total_seconds() + 1
    # django-celery-beat's own entry waits the whole interval (6 hours).
    assert entry("Sync libraries", ModelEntry).is_due()[1] > 5 * 3600


def test_an_overdue_job_is_due_at_once(db) -> None:
    PeriodicTask.objects.filter(name="Sync libraries").update(
        last_run_at=timezone.now() - timedelta(hours=7)
    )

    assert entry("Sync libraries").is_due()[0]


def test_a_job_that_ran_recently_waits_for_its_interval(db) -> None:
    PeriodicTask.objects.filter(name="Render and upload due cards").update(
        last_run_at=timezone.now() - timedelta(minutes=10)
    )

    due, wait = entry("Render and upload due cards").is_due()

    assert not due and 49 * 60 < wait <= 50 * 60


@pytest.mark.slow
def test_a_fresh_beat_sends_every_job_within_seconds(transactional_db, empty_broker_queue) -> None:
    """The real `celery beat`, on this test's database and Redis: each of the schedule's jobs is
    sent within a minute of its start, none waits for its interval."""
    jobs = set(
        PeriodicTask.objects.exclude(task="celery.backend_cleanup").values_list("task", flat=True)
    )
    schedule = tempfile.mkdtemp()
    beat = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "tcm_site", "beat", "--loglevel", "INFO",
         "--pidfile", "", "--schedule", f"{schedule}/beat"],
        env=child_env(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until(
            lambda: jobs <= {name for name, _args in broker_messages()},
            timeout=45,
            what=f"beat to send {sorted(jobs)}",
        )
    finally:
        beat.terminate()
        beat.wait(timeout=20)
