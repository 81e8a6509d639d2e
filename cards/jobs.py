"""Scheduled and admin-started jobs: one run at a time, progress and a summary kept in JobRun.

A job is a Celery task declared with `job_task`: its kind (the task is "cards.<kind>"), a label
for people, what a run is for (nothing for the schedule's jobs; a Plex connection, a series or a
template for the ones the admin starts), and how long a run may hold its lock. The
declarations fill JOBS, which the dashboard, the job run admin and the clean-up read; the
schedule's jobs are the ones without a target (their rows in django-celery-beat come from
migration cards/0005).

The decorated function takes its JobRun (to report progress) and, for a per-object job, the
object, and returns a summary dict of counts. run_job() wraps it: it takes a lock in Redis (or on
disk in embedded mode) so that the same job never runs twice at once, records the run, and keeps
what it did for the admin. A per-object job skips an object that is gone or whose Plex
connection is blocked, and asks the Plex-failure policy (cards/failures.py) what to do when Plex
fails it: the work is idempotent, so the whole job is simply tried again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from celery import shared_task
from django.conf import settings
from django.db import models
from django.utils import timezone

from connections.models import PlexConnection
from connections.plex import PlexError
from tcm_site.locks import LockHeld, lock
from tcm_site.logs import redact

from .failures import plex_failure
from .models import JobRun, Series

log = logging.getLogger(__name__)

M = TypeVar("M", bound=models.Model)


def in_batches(queryset: models.QuerySet[M], size: int | None = None) -> Iterator[list[M]]:
    """The queryset's rows in pk order, a batch of `size` per query (TCM_JOB_BATCH_SIZE unless
    given), each batch read whole.

    Not `.iterator()`: on SQLite an open cursor holds its snapshot while the job writes (its
    progress, a card), and once a worker has committed since, SQLite refuses that write with
    "database is locked" at once, whatever the busy timeout. A batch read to the end ends its
    snapshot before the job writes anything. Rows added meanwhile with a higher pk are read too.
    """
    size = size or settings.TCM_JOB_BATCH_SIZE
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        batch = list(page[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


@dataclass(frozen=True)
class Job:
    kind: str
    label: str
    # The model a run is for (its id is the run's target_id); None: a job of the schedule.
    target: type[models.Model] | None = None
    # The longest a run may hold its lock: longer than a run takes, and for the schedule's jobs
    # shorter than the interval, so that a run that hangs cannot keep the job out for good (a
    # run whose worker died keeps it out for one lease, TCM_LOCK_LEASE).
    lock_timeout: float = 3600
    # How long its runs are kept, when shorter than TCM_KEEP_JOB_RUNS_DAYS.
    keep_runs: timedelta | None = None

    @property
    def task_name(self) -> str:
        return f"cards.{self.kind}"

    @property
    def scheduled(self) -> bool:
        return self.target is None


# Every job, in the order of their declarations (cards/tasks.py).
JOBS: dict[str, Job] = {}


def job_task(
    kind: str,
    label: str,
    *,
    target: type[models.Model] | None = None,
    lock_timeout: float = 3600,
    keep_runs: timedelta | None = None,
) -> Callable[[Callable[..., dict]], Any]:
    """Declare the Celery task "cards.<kind>" that runs the decorated function as a job. Without
    a target the task takes no arguments; with one it takes the object's id. The task object
    carries its Job as `.job`."""
    job = Job(kind, label, target, lock_timeout, keep_runs)
    JOBS[kind] = job

    def declare(fn: Callable[..., dict]) -> Any:
        def scheduled(self: Any) -> dict:
            return run_job(job, fn, task_id=self.request.id or "").summary

        def for_target(self: Any, target_id: int) -> dict:
            return _run_for_target(self, job, fn, target_id)

        run: Callable[..., dict] = scheduled if job.target is None else for_target

        # Not functools.wraps: Celery checks a call's arguments against the signature it finds.
        run.__name__, run.__qualname__, run.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
        run.__module__ = fn.__module__
        # `job` as a task option becomes an attribute of the task's class: setting it on the
        # object shared_task returns would build the task, and finalize the app, at import.
        return shared_task(bind=True, name=job.task_name, max_retries=None, job=job)(run)

    return declare


def _run_for_target(task: Any, job: Job, fn: Callable[..., dict], target_id: int) -> dict:
    assert job.target is not None
    target = job.target._default_manager.filter(pk=target_id).first()
    if target is None:
        return {"skipped": f"no such {job.target._meta.verbose_name}"}
    # The target is a Plex connection, or belongs to one (a series), or spans them all (a
    # template: its job deals with each connection's failures itself).
    plex = target.connection if isinstance(target, Series) else target
    if not isinstance(plex, PlexConnection):
        return run_job(
            job, lambda run: fn(run, target), target_id=target.pk, task_id=task.request.id or ""
        ).summary
    if reason := plex.blocked_reason():
        return {"skipped": reason}
    try:
        run = run_job(
            job, lambda run: fn(run, target), target_id=target.pk, task_id=task.request.id or ""
        )
    except PlexError as exc:
        attempt = task.request.retries + 1
        verdict = plex_failure(plex, exc, attempt)
        failed = JobRun.objects.filter(
            kind=job.kind, target_id=target.pk, task_id=task.request.id or ""
        )
        what = f"{job.label} of {target}"
        if verdict.retry_in is None:
            log.warning("%s failed: %s", what, redact(verdict.reason))
            failed.update(error=redact(verdict.reason))
            return {"failed": verdict.reason}
        later = (
            f"Trying again in {verdict.retry_in:.{0 if verdict.retry_in >= 10 else 1}f} s "
            f"(attempt {attempt} of {settings.TCM_RETRY_LIMIT} failed)."
        )
        log.warning("%s: %s %s", what, redact(str(exc)), later)
        failed.update(error=redact(f"{exc} {later}"))
        raise task.retry(countdown=verdict.retry_in, max_retries=None) from None
    return run.summary


def run_job(
    job: Job, fn: Callable[[JobRun], dict], *, target_id: int | None = None, task_id: str = ""
) -> JobRun:
    """Run `fn` as a run of `job` (for the object `target_id`) unless one is already under way.

    The lock's timeout bounds how long a run that died without releasing its lock (a killed
    worker) keeps the next run out. A task tried again (Celery keeps its id) carries on in the
    row of its first try: one row for the work a person asked for, however many attempts it
    takes, not a failed row per retry.
    """
    fields = {"kind": job.kind, "target_id": target_id, "task_id": task_id}
    name = job.kind if target_id is None else f"{job.kind}:{target_id}"
    try:
        with lock(f"job:{name}", timeout=job.lock_timeout):
            run = _start_run(fields)
            try:
                summary = fn(run)
            except PlexError as exc:
                # Plex unreachable or refusing is no bug of tcm's: the caller logs one line with
                # what happens next (cards/failures.py decides), no traceback.
                _record_failure(run, exc)
                raise
            except Exception as exc:
                log.exception("job %s failed", name)
                _record_failure(run, exc)
                raise
            run.status = JobRun.Status.OK
            run.summary = summary or {}
            run.error = ""
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "summary", "error", "finished_at"])
            log.info("job %s done: %s", name, run.summary)
            return run
    except LockHeld:
        log.info("job %s is already running; this run is skipped", name)
        return JobRun.objects.create(
            **fields,
            status=JobRun.Status.SKIPPED,
            finished_at=timezone.now(),
            summary={"reason": "another run of this job was still going"},
        )


def _start_run(fields: dict) -> JobRun:
    run = JobRun.objects.filter(**fields).first() if fields["task_id"] else None
    if run is None:
        return JobRun.objects.create(**fields)
    run.status, run.finished_at = JobRun.Status.RUNNING, None
    run.save(update_fields=["status", "finished_at"])
    return run


def _record_failure(run: JobRun, exc: Exception) -> None:
    run.status = JobRun.Status.FAILED
    # Shown on the dashboard: an exception's text may carry a URL with a token.
    run.error = redact(f"{type(exc).__name__}: {exc}")
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
