"""The front page lists the schedule's jobs under their periodic tasks' own names, so a job
renamed in the admin (Periodic tasks) shows its new name; a job without a periodic task shows
as not scheduled."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask


@pytest.mark.django_db
def test_the_schedule_shows_each_periodic_tasks_own_name(admin_client) -> None:
    PeriodicTask.objects.filter(task="cards.clean_up").update(name="Nightly tidy-up")
    PeriodicTask.objects.filter(task="cards.verify_all_cards").delete()

    page = admin_client.get(reverse("admin:index")).content.decode()

    jobs = page[page.index('id="tcm-jobs"') :]
    assert "Nightly tidy-up" in jobs and "Clean up" not in jobs
    assert "Verify cards on Plex" in jobs and "not scheduled" in jobs
