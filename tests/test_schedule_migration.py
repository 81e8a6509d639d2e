"""The schedule is created by a data migration: a fresh install has the seven periodic jobs, each
with an expiry shorter than its interval; the migration can run again and be reversed."""

from __future__ import annotations

import importlib
import json
import subprocess

import pytest
from django.apps import apps

from tests.support import PYTHON, ROOT, child_env

JOBS = {
    "cards.sync_all_libraries": 6 * 3600,
    "cards.refresh_watched_state": 5 * 60,  # 30 minutes until 0010_household
    "cards.render_due_cards": 3600,
    "cards.verify_all_cards": 24 * 3600,
    "cards.dispatch_pending_events": 60,
    "cards.clean_up": 24 * 3600,
    "cards.render_waiting_cards": 60,
}

# The jobs migration 0005 creates (0010 adds the look for stills).
FROM_0005 = [task for task in JOBS if task != "cards.render_waiting_cards"]

READ_SCHEDULE = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django_celery_beat.models import PeriodicTask
print(json.dumps({
    p.task: [p.interval.schedule.run_every.total_seconds(), p.expire_seconds, p.enabled, p.name]
    for p in PeriodicTask.objects.filter(task__startswith="cards.")
}))
"""

migration = importlib.import_module("cards.migrations.0005_periodic_tasks")


@pytest.mark.slow
@pytest.mark.django_db
def test_a_fresh_migrate_creates_the_periodic_jobs_with_their_expiry(tmp_path) -> None:
    env = child_env(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    result = subprocess.run(
        [PYTHON, "-c", READ_SCHEDULE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    schedule = json.loads(result.stdout.strip().splitlines()[-1])

    assert set(schedule) == set(JOBS)
    for task, (every, expires, enabled, name) in schedule.items():
        assert every == JOBS[task], task
        assert 0 < expires < every, task
        assert enabled and name, task


@pytest.mark.django_db
def test_the_migration_is_idempotent_and_reversible() -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    migration.create(apps, None)
    migration.create(apps, None)  # again: the same six rows, repaired, not doubled
    tasks = PeriodicTask.objects.filter(task__in=FROM_0005)
    assert sorted(tasks.values_list("task", flat=True)) == sorted(FROM_0005)
    assert IntervalSchedule.objects.filter(every=6, period="hours").count() == 1

    other = PeriodicTask.objects.create(
        name="someone else's", task="tcm.ping", interval=IntervalSchedule.objects.first()
    )
    migration.remove(apps, None)
    assert not PeriodicTask.objects.filter(task__in=FROM_0005).exists()
    assert PeriodicTask.objects.filter(pk=other.pk).exists()

    migration.create(apps, None)
    assert PeriodicTask.objects.filter(task__in=FROM_0005).count() == len(FROM_0005)
