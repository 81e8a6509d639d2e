"""A job that fails is recorded as failed with its error, which the dashboard shows: the error
must not carry a secret that came in an exception's text (a URL with its token)."""

from __future__ import annotations

import pytest

from cards.jobs import run_job
from cards.models import JobRun
from cards.tasks import sync_all_libraries


def test_a_failed_job_keeps_its_error_without_the_token(db) -> None:
    def work(run: JobRun) -> dict:
        raise RuntimeError(
            "GET http://10.0.0.5:32400/library/sections?X-Plex-Token=s3cr3t-token-value failed"
        )

    with pytest.raises(RuntimeError):
        run_job(sync_all_libraries.job, work)

    run = JobRun.objects.get()
    assert run.status == JobRun.Status.FAILED and run.finished_at is not None
    assert run.error.startswith("RuntimeError: GET http://10.0.0.5:32400/library/sections")
    assert "s3cr3t-token-value" not in run.error
    assert "X-Plex-Token=***" in run.error
