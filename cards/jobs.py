"""Scheduled and admin-started jobs: one run at a time, progress and a summary kept in JobRun.

A job is a function that takes its JobRun (to report progress) and returns a summary dict of
counts. run_job() wraps it: it takes a lock in Redis (or on disk in embedded mode) so that the
same job never runs twice at once, records the run, and keeps what it did for the admin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.utils import timezone

from tcm_site.locks import LockHeld, lock
from tcm_site.logs import redact

from .models import JobRun

log = logging.getLogger(__name__)

JobFunction = Callable[[JobRun], dict]


def run_job(job: str, fn: JobFunction, *, task_id: str = "", lock_timeout: float = 3600) -> JobRun:
    """Run `fn` as the job `job` unless a run of it is already under way.

    `lock_timeout` bounds how long a run that died without releasing its lock (a killed worker)
    keeps the next run out; make it longer than the job can take.
    """
    try:
        with lock(f"job:{job}", timeout=lock_timeout):
            run = JobRun.objects.create(job=job, task_id=task_id)
            try:
                summary = fn(run)
            except Exception as exc:
                log.exception("job %s failed", job)
                run.status = JobRun.Status.FAILED
                # Shown on the dashboard: an exception's text may carry a URL with a token.
                run.error = redact(f"{type(exc).__name__}: {exc}")
                run.finished_at = timezone.now()
                run.save(update_fields=["status", "error", "finished_at"])
                raise
            run.status = JobRun.Status.OK
            run.summary = summary or {}
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "summary", "finished_at"])
            log.info("job %s done: %s", job, run.summary)
            return run
    except LockHeld:
        log.info("job %s is already running; this run is skipped", job)
        return JobRun.objects.create(
            job=job,
            task_id=task_id,
            status=JobRun.Status.SKIPPED,
            finished_at=timezone.now(),
            summary={"reason": "another run of this job was still going"},
        )


def report_progress(run: JobRun, done: int, total: int | None = None) -> None:
    """Record progress of a long job; the admin shows it while the job runs.

    An UPDATE of two columns, so it is cheap enough to call every few dozen items.
    """
    run.progress_done = done
    fields = {"progress_done": done}
    if total is not None:
        run.progress_total = total
        fields["progress_total"] = total
    JobRun.objects.filter(pk=run.pk).update(**fields)
