"""The same job started twice at once runs once: the second run finds the lock taken and is
recorded as skipped."""

from __future__ import annotations

from cards.keys import process_rating_key
from cards.models import JobRun
from cards.tasks import refresh_watched_state


def test_the_same_job_started_twice_at_once_runs_once(
    celery_worker, fake_plex, plex_connection
) -> None:
    show = fake_plex.add_series("Harbour", episodes=2)
    process_rating_key(plex_connection, str(show))
    fake_plex.reset_counts()
    fake_plex.hang(0.4)  # the first run takes a second or two

    first, second = refresh_watched_state.delay(), refresh_watched_state.delay()
    summaries = [first.get(timeout=30), second.get(timeout=30)]

    runs = JobRun.objects.filter(kind="refresh_watched_state")
    assert sorted(runs.values_list("status", flat=True)) == ["ok", "skipped"]
    skipped = runs.get(status="skipped")
    assert skipped.summary == {"reason": "another run of this job was still going"}
    assert {"reason": "another run of this job was still going"} in summaries
    assert fake_plex.count("/library/sections/1/all") == 1  # one walk of the library
