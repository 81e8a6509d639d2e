"""The watched refresh runs every 5 minutes out of the box (migration 0010_household); an
interval someone chose in the admin is kept."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

schedule = importlib.import_module("cards.migrations.0005_periodic_tasks")
five = importlib.import_module("cards.migrations.0010_household_watched_every_5_minutes")


def refresh_task():
    from django_celery_beat.models import PeriodicTask

    return PeriodicTask.objects.select_related("interval").get(task="cards.refresh_watched_state")


@pytest.mark.django_db
def test_the_default_half_hour_becomes_5_minutes_and_back() -> None:
    schedule.create(apps, None)  # the old default: every 30 minutes

    five.every_5_minutes(apps, None)
    task = refresh_task()
    assert (task.interval.every, task.interval.period, task.expire_seconds) == (5, "minutes", 240)
    assert "watched policy" in task.description

    five.every_30_minutes(apps, None)
    task = refresh_task()
    assert (task.interval.every, task.interval.period, task.expire_seconds) == (30, "minutes", 1500)


@pytest.mark.django_db
def test_an_interval_someone_chose_is_kept() -> None:
    from django_celery_beat.models import IntervalSchedule

    schedule.create(apps, None)
    task = refresh_task()
    task.interval = IntervalSchedule.objects.create(every=10, period="minutes")
    task.save()

    five.every_5_minutes(apps, None)

    assert refresh_task().interval.every == 10
