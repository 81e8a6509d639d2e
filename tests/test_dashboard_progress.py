"""While a long job runs, the progress the pages poll (JobRunAdmin's JSON endpoint) moves from
0 to the total; once it is over the job is no longer listed as running."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cards.models import JobRun, Series
from cards.sync import sync_library
from tests.support import admin_action, wait_until

pytestmark = pytest.mark.slow


def test_progress_updates_while_a_job_runs(
    celery_worker, admin_client, fake_plex, plex_connection
) -> None:
    fake_plex.add_series("Harbour", episodes=6)
    sync_library(plex_connection)
    fake_plex.hang(0.1)  # a few seconds of work: room to watch it
    url = reverse("admin:cards_jobrun_progress")

    admin_action(admin_client, Series.objects.get(), "render_all_cards")

    seen: list[tuple[int, int]] = []

    def finished() -> bool:
        running = admin_client.get(url).json()["running"]
        seen.extend((job["done"], job["total"]) for job in running if job["total"])
        return not running and JobRun.objects.filter(status="ok").exists()

    wait_until(finished, timeout=60, what="the job to finish")
    done_values = sorted({done for done, total in seen})
    assert {total for _, total in seen} == {6}
    assert len(done_values) >= 3, seen  # it moved while the page watched
    run = JobRun.objects.get()
    assert (run.progress_done, run.progress_total) == (6, 6)
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Render and upload all cards: Harbour" in page and "uploaded: 6" in page
