"""The sync task records its run, its progress and what it did in a JobRun."""

from __future__ import annotations

from cards.models import Episode, JobRun
from cards.tasks import sync_library


def test_the_sync_task_keeps_a_job_run(fake_plex, plex_connection) -> None:
    fake_plex.add_series("Harbour", seasons=2, episodes=3)

    summary = sync_library.apply(args=[plex_connection.pk]).get()

    assert summary["episodes_created"] == 6
    run = JobRun.objects.get()
    assert (run.kind, run.target_id) == ("sync_library", plex_connection.pk)
    assert run.status == JobRun.Status.OK
    assert run.progress_done == run.progress_total == 7
    assert run.summary["series_created"] == 1
    assert Episode.objects.count() == 6


def test_a_failed_sync_is_retried_when_plex_comes_back(
    fake_plex, plex_connection, quick_retries
) -> None:
    fake_plex.add_series("Harbour", episodes=2)
    fake_plex.fail(500, times=2)

    summary = sync_library.apply(args=[plex_connection.pk]).get()

    assert summary["episodes_created"] == 2
    # The attempts share one row (the task keeps its id when retried): it ends "ok", without
    # the error of the attempts before.
    run = JobRun.objects.get()
    assert (run.status, run.error) == ("ok", "")
