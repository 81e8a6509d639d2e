"""What the admin's front page shows a person running tcm at home: are the connections healthy,
how many cards are in which state, what each job did last, what is failing and why, and the
progress of the jobs running now (cards/templates/cards/dashboard.html, refreshed by polling
JobRunAdmin's progress endpoint).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.db import models
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django_celery_beat.models import PeriodicTask

from connections.models import PlexConnection, TautulliConnection

from .jobs import JOBS
from .models import Episode, JobRun, TitleCard, WebhookEvent

# Imported for its declarations too: cards/tasks.py's job_task fills JOBS.
from .tasks import sync_and_render, sync_library

FAILING_SHOWN = 10


def admin_url(name: str, *args: object, **query: object) -> str:
    url = reverse(f"admin:{name}", args=args)
    return f"{url}?{urlencode(query)}" if query else url


def job_label(run: JobRun) -> str:
    """A job run's name for people: "Library sync: home plex" for a library sync of that
    connection."""
    job = JOBS.get(run.kind)
    if job is None:
        return run.kind
    if job.target is None or run.target_id is None:
        return job.label
    obj = job.target._default_manager.filter(pk=run.target_id).first()
    return f"{job.label}: {obj if obj is not None else f'#{run.target_id} (deleted)'}"


def summary_text(summary: dict, limit: int = 300) -> str:
    """A job's summary as one line: the counts that are not zero."""
    parts = []
    for key, value in (summary or {}).items():
        if value in (0, "", None, [], {}):
            continue
        if isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return Truncator(", ".join(parts) or "nothing to do").chars(limit)


# What a job's summary counts (cards/tasks.py, cards/maintenance.py): things that went wrong,
# and things that went right. A run can end "ok" (it did not crash) with every card failed.
FAILURE_KEYS = {"failed": "failed", "errors": "error(s)"}
SUCCESS_KEYS = {
    "uploaded": "uploaded",
    "uploaded_again": "uploaded again",
    "rendered": "rendered",
    "checked": "checked",
    "connections": "connection(s) done",
}


def _count(value: object) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return max(0, value)
    if isinstance(value, (str, list, dict)):
        return 1 if isinstance(value, str) and value else len(value)  # a message; one per item
    return 0


def _counted(summary: dict, words: dict[str, str]) -> list[str]:
    """ "3 failed", "37 checked": the summary's counts of the keys in `words` that are not 0."""
    return [f"{n} {word}" for key, word in words.items() if (n := _count(summary.get(key)))]


def outcome(run: JobRun) -> dict:
    """How a run ended, for people: its status, except that a run whose summary counts
    failures is "failed" when nothing went right and "partial" when some did, with the counts
    ("partial: 3 failed, 37 checked")."""
    if run.status != JobRun.Status.OK:
        return {"state": run.status, "text": run.status}
    summary = run.summary if isinstance(run.summary, dict) else {}
    failed = _counted(summary, FAILURE_KEYS)
    if not failed:
        return {"state": "ok", "text": "ok"}
    went_right = _counted(summary, SUCCESS_KEYS)
    state = "partial" if went_right else "failed"
    return {"state": state, "text": f"{state}: {', '.join(failed + went_right)}"}


def progress(run: JobRun) -> dict:
    """Done / total of a run, for the page and for the JSON the page polls."""
    total = run.progress_total
    percent = round(100 * run.progress_done / total) if total else None
    if total:
        text = f"{run.progress_done} / {total} ({percent} %)"
    elif run.progress_done:
        text = f"{run.progress_done} done"
    else:
        text = "starting"
    return {
        "id": run.pk,
        "kind": run.kind,
        "label": job_label(run),
        "status": run.status,
        "done": run.progress_done,
        "total": total,
        "percent": percent,
        "text": text,
        "url": admin_url("cards_jobrun_change", run.pk),
    }


def running() -> list[dict]:
    return [progress(run) for run in JobRun.objects.filter(status=JobRun.Status.RUNNING)]


def latest_started() -> int:
    """The newest run of a per-object job (a person's action, a connection's sync): when it
    changes, the front page reloads, also for a job that started and ended between two polls
    (a small library's first sync takes seconds)."""
    return (
        JobRun.objects.filter(target_id__isnull=False)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0
    )


@dataclass
class Health:
    name: str
    url: str
    state: str  # ok, error, blocked, off, unknown
    text: str
    detail: str = ""
    checked_at: datetime | None = None
    extra: str = ""
    last_webhook_at: datetime | None = None
    warning: str = ""


def plex_health(connection: PlexConnection) -> Health:
    url = admin_url("connections_plexconnection_change", connection.pk)
    health = Health(connection.name, url, "ok", "ok", checked_at=connection.last_checked_at)
    if not connection.enabled:
        health.state, health.text = "off", "disabled"
    elif connection.auth_failed_at:
        health.state, health.text = "blocked", "token rejected: enter a valid token"
        health.detail = connection.last_error
    elif connection.last_error:
        health.state, health.text, health.detail = "error", "error", connection.last_error
    elif not connection.last_checked_at:
        health.state, health.text = "unknown", "not tested yet (action “Test connection”)"
    kinds = [sync_library.job.kind, sync_and_render.job.kind]
    sync = JobRun.objects.filter(kind__in=kinds, target_id=connection.pk).first()
    if sync:
        when = timezone.localtime(sync.started_at).strftime("%Y-%m-%d %H:%M")
        health.extra = f"last sync {when}: {outcome(sync)['text']}"
    if connection.watched_fallback and connection.watched_policy != "owner":
        at = timezone.localtime(connection.watched_fallback_at or timezone.now())
        health.warning = (
            f"Watched refresh {at:%Y-%m-%d %H:%M}: Tautulli could not be read "
            f"({connection.watched_fallback}). Plex's flag and the viewers Tautulli reported "
            "before were used, so the outage changes no card's style."
        )
    return health


def tautulli_health(connection: TautulliConnection) -> Health:
    url = admin_url("connections_tautulliconnection_change", connection.pk)
    health = Health(connection.name, url, "ok", "ok", checked_at=connection.last_test_at)
    health.last_webhook_at = connection.last_webhook_at
    if connection.last_error:
        health.state, health.text, health.detail = "error", "error", connection.last_error
    elif not connection.last_webhook_at:
        health.state, health.text = "unknown", "no webhook received yet"
    if connection.last_test_latency_ms is not None:
        health.extra = f"test took {connection.last_test_latency_ms} ms"
    return health


def counts(
    model: type[models.Model], field: str, choices: list[tuple[str, str]], link: str
) -> list[dict]:
    found = dict(model._default_manager.values_list(field).annotate(n=Count("pk")).order_by())
    return [
        {
            "value": value,
            "label": label.lower(),
            "count": found.get(value, 0),
            "url": admin_url(link, **{f"{field}__exact": value}),
        }
        for value, label in choices
    ]


def scheduled_jobs() -> list[dict]:
    """The schedule's jobs, each under its periodic task's own name (editable in the admin)."""
    jobs = [job for job in JOBS.values() if job.scheduled]
    periodic = {
        p.task: p
        for p in PeriodicTask.objects.filter(task__in=[j.task_name for j in jobs]).select_related(
            "interval", "crontab"
        )
    }
    rows = []
    for job in jobs:
        task = periodic.get(job.task_name)
        last = JobRun.objects.filter(kind=job.kind).first()
        rows.append(
            {
                "label": task.name if task else job.label,
                "schedule": (task.interval or task.crontab or "-") if task else "not scheduled",
                "enabled": bool(task and task.enabled),
                "edit_url": admin_url("django_celery_beat_periodictask_change", task.pk)
                if task
                else admin_url("django_celery_beat_periodictask_changelist"),
                "last": last,
                "last_url": admin_url("cards_jobrun_change", last.pk) if last else "",
                "outcome": outcome(last) if last else None,
                "summary": (last.error or summary_text(last.summary)) if last else "",
                "progress": progress(last)
                if last and last.status == JobRun.Status.RUNNING
                else None,
            }
        )
    return rows


def other_runs() -> list[dict]:
    """The last run of each per-object job (library syncs, series renders), newest first."""
    runs = JobRun.objects.filter(target_id__isnull=False).order_by("-started_at")[:50]
    seen, rows = set(), []
    for run in runs:
        if (run.kind, run.target_id) in seen:
            continue
        seen.add((run.kind, run.target_id))
        rows.append(
            {
                "run": run,
                "label": job_label(run),
                "url": admin_url("cards_jobrun_change", run.pk),
                "outcome": outcome(run),
                "summary": run.error or summary_text(run.summary),
                "progress": progress(run) if run.status == JobRun.Status.RUNNING else None,
            }
        )
    return rows[:8]


def failing(queryset: QuerySet, change_page: str) -> list[dict]:
    """The first failed cards or events, each with its page and its reason."""
    return [
        {
            "item": obj,
            "url": admin_url(change_page, obj.pk),
            "error": Truncator(obj.last_error).chars(160),
        }
        for obj in queryset[:FAILING_SHOWN]
    ]


def context() -> dict:
    failed_cards = TitleCard.objects.filter(state=TitleCard.State.FAILED)
    failed_events = WebhookEvent.objects.filter(status=WebhookEvent.Status.FAILED)
    now_running = running()
    return {
        "plex": [plex_health(c) for c in PlexConnection.objects.all()],
        "tautulli": [tautulli_health(c) for c in TautulliConnection.objects.all()],
        "cards": counts(TitleCard, "state", TitleCard.State.choices, "cards_titlecard_changelist"),
        "without_card": Episode.objects.filter(present=True, card__isnull=True).count(),
        "without_card_url": admin_url("cards_episode_changelist", card="none", present__exact=1),
        "events": counts(
            WebhookEvent, "status", WebhookEvent.Status.choices, "cards_webhookevent_changelist"
        ),
        "jobs": scheduled_jobs(),
        "other_runs": other_runs(),
        "running": now_running,
        "running_ids": ",".join(str(r["id"]) for r in sorted(now_running, key=lambda r: r["id"])),
        "latest_started": latest_started(),
        "failed_cards": failing(
            failed_cards.select_related("episode__series").order_by("-failed_at"),
            "cards_titlecard_change",
        ),
        "failed_cards_count": failed_cards.count(),
        "failed_cards_url": admin_url("cards_titlecard_changelist", state__exact="failed"),
        "failed_events": failing(
            failed_events.select_related("connection").order_by("-received_at"),
            "cards_webhookevent_change",
        ),
        "failed_events_count": failed_events.count(),
        "failed_events_url": admin_url("cards_webhookevent_changelist", status__exact="failed"),
        "progress_url": admin_url("cards_jobrun_progress"),
    }
