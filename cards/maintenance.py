"""What the schedule's jobs do (cards/tasks.py runs each as a job: one run at a time, a JobRun
with its summary). Every function returns a summary of counts for the admin.

Queueing is handed in as a function (`queue`) by the task: this module decides *what* needs work,
the tasks module owns the Celery side (and the tasks module imports this one, not the reverse).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from connections.models import PlexConnection
from connections.plex import PlexError

from .card import card_file_missing
from .failures import plex_failure
from .jobs import JOBS
from .looks import expected_fingerprint
from .models import WAITING_FOR_RELAY, Episode, JobRun, Series, TitleCard, WebhookEvent
from .sync import refresh_watched

log = logging.getLogger(__name__)

Queue = Callable[[int], bool]

# Files younger than this are never deleted as orphans: a render or download writes its file a
# moment before the row that refers to it.
ORPHAN_GRACE = timedelta(hours=1)
# Where cards/card.py and cards/sources.py keep files: cards, downloaded stills, background art.
MEDIA_FOLDERS = ("cards", "sources", "art", "logo", "poster")
# A run still "running" after this long lost its worker; it is marked failed.
ABANDONED_RUN = timedelta(hours=24)


def usable_connections() -> list[PlexConnection]:
    """The Plex connections work may be sent to: enabled, and with a token Plex accepts."""
    return list(
        PlexConnection.objects.filter(enabled=True, auth_failed_at__isnull=True).select_related(
            "font"
        )
    )


def for_each_connection(queue: Callable[[int], object]) -> dict:
    """Queue a per-connection job (library sync, card check) for every usable connection."""
    usable = usable_connections()
    for connection in usable:
        queue(connection.pk)
    skipped = {
        c.name: c.blocked_reason()
        for c in PlexConnection.objects.exclude(pk__in=[c.pk for c in usable])
    }
    return {"queued": len(usable), "connections": [c.name for c in usable], "skipped": skipped}


# --- Webhook events whose task was lost


def lost_events(now: datetime) -> QuerySet[WebhookEvent]:
    """Events that wait for a task nobody will run.

    - waiting for the relay (WAITING_FOR_RELAY) and none took it: no worker runs a relay;
    - pending, queued (or due for a retry) longer than the grace period ago and still not
      started: the message was lost (Redis restarted without it, a worker died holding it);
    - running for longer than the running timeout: its worker died in the middle.

    Whatever was queued again within the grace period is left alone, so that one sweep after
    another does not pile up copies while the queue is merely long.
    """
    grace = now - timedelta(seconds=settings.TCM_EVENT_DISPATCH_GRACE)
    stuck = now - timedelta(seconds=settings.TCM_EVENT_RUNNING_TIMEOUT)
    Status = WebhookEvent.Status
    not_recently_queued = Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=grace)
    not_due_later = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=grace)
    return WebhookEvent.objects.filter(
        WAITING_FOR_RELAY
        | (Q(status=Status.PENDING) & not_recently_queued & not_due_later)
        | (Q(status=Status.RUNNING, started_at__lt=stuck) & not_recently_queued)
    )


def dispatch_pending_events(queue: Queue, limit: int = 1000) -> dict:
    """The sweeper: queue again every event whose task was lost (see lost_events), oldest first.

    Each event is claimed for the new dispatch with an UPDATE that repeats the selection's
    condition, so an event a worker picked up meanwhile is not queued again. A copy that still
    meets a live one does no work twice: process_webhook_event only works on a pending event, or
    on a running one it claimed itself (the same message delivered again).
    """
    now = timezone.now()
    summary = {"never_queued": 0, "lost": 0, "stuck_running": 0, "not_queued": 0}
    candidates = lost_events(now).order_by("received_at")
    for event in candidates.only("pk", "status", "dispatched_at")[:limit]:
        claim = lost_events(now).filter(pk=event.pk)
        if event.status == WebhookEvent.Status.RUNNING:
            kind = "stuck_running"
            claimed = claim.update(
                status=WebhookEvent.Status.PENDING,
                dispatched_at=now,
                last_error="Its worker stopped while working on it; queued again.",
            )
        else:
            kind = "never_queued" if event.dispatched_at is None else "lost"
            claimed = claim.update(dispatched_at=now)
        if not claimed:
            continue  # picked up meanwhile
        summary[kind] += 1
        if not queue(event.pk):
            summary["not_queued"] += 1  # the broker is still down; the next sweep tries again
    if any(summary.values()):
        log.info("sweeper: %s", summary)
    return summary


# --- Cards that need work


def render_due_cards(queue: Queue, run: JobRun | None = None) -> dict:
    """Queue a render for every card that is missing, outdated, or failed and due a retry.

    - missing: a present episode without a card, a card that never reached Plex, or a card whose
      file is gone;
    - outdated: the fingerprint the card would get now (looks.expected_fingerprint, computed
      from stored data without Plex or rendering) differs from the one it was rendered with:
      settings changed somewhere, or a watched flip changed the style;
    - retry: failed earlier, its retry_at has come, and it has attempts left.

    At most TCM_RENDER_DUE_LIMIT are queued in one run; the rest are counted and wait for the
    next run. Episodes of disabled or blocked connections are left alone.
    """
    connections = {c.pk: c for c in usable_connections()}
    series = {
        s.pk: s for s in Series.objects.filter(connection_id__in=connections).select_related("font")
    }
    episodes = (
        Episode.objects.filter(
            present=True, connection_id__in=connections, series__cards_enabled=True
        )
        .select_related("card", "font")
        .order_by("pk")
    )
    now = timezone.now()
    limit = settings.TCM_RENDER_DUE_LIMIT
    summary = {"checked": 0, "missing": 0, "outdated": 0, "retry": 0, "queued": 0}
    summary.update({"already_queued": 0, "left_for_next_run": 0})
    total = episodes.count()
    for done, episode in enumerate(episodes.iterator(chunk_size=500)):
        if run and done % 200 == 0:
            run.report_progress(done, total)
        # Loaded once above instead of joined per row: a connection decrypts its token when it
        # is loaded, and a series is shared by many episodes.
        episode.connection = connections[episode.connection_id]
        episode.series = series[episode.series_id]
        summary["checked"] += 1
        reason = due_reason(episode, now)
        if reason is None:
            continue
        summary[reason] += 1
        if summary["queued"] >= limit:
            summary["left_for_next_run"] += 1
        elif queue(episode.pk):
            summary["queued"] += 1
        else:
            summary["already_queued"] += 1
    if run:
        run.report_progress(total, total)
    return summary


def due_reason(episode: Episode, now: datetime) -> str | None:
    """Why the episode's card needs work now ("missing", "outdated", "retry"), or None."""
    card: TitleCard | None = getattr(episode, "card", None)
    if card is None:
        return "missing"
    if card.state == TitleCard.State.KEPT and not card.take_over:
        return None  # a person's thumbnail on Plex: left alone (cards/thumbs.py)
    if card.state == TitleCard.State.FAILED:
        due = card.retry_at is not None and card.retry_at <= now
        return "retry" if due and card.attempts < settings.TCM_RETRY_LIMIT else None
    if card.state != TitleCard.State.UPLOADED or card_file_missing(card):
        return "missing"
    expected = expected_fingerprint(episode)
    if expected is None:
        # Only Plex can tell: the card now needs a picture not downloaded yet (a type that
        # draws the series' logo, an art style), or cannot be made at all. One render finds
        # out (and fails with the reason, or renders nothing when nothing changed).
        return "outdated"
    if expected != card.fingerprint:
        return "outdated"
    return None


def refresh_watched_state(queue: Queue) -> dict:
    """Read the watched state of every usable connection's episodes in bulk and queue a render
    for each card whose style must change."""
    summary: dict = {"connections": 0, "checked": 0, "changed": 0, "queued": 0, "errors": {}}
    for connection in usable_connections():
        try:
            counts = refresh_watched(connection)
        except PlexError as exc:
            # Not retried: the next run (every half hour) reads everything again anyway.
            if not plex_failure(connection, exc, None).blocked:
                log.warning("refreshing the watched state of %s: %s", connection, exc)
            summary["errors"][connection.name] = str(exc)
            continue
        summary["connections"] += 1
        summary["checked"] += counts.checked
        summary["changed"] += counts.changed
        summary["queued"] += sum(1 for pk in counts.restyle if queue(pk))
    if not summary["errors"]:
        del summary["errors"]
    return summary


# --- Clean up


def clean_up() -> dict:
    """Delete what is no longer worth keeping: finished webhook events after
    TCM_KEEP_EVENTS_DAYS (failed ones after TCM_KEEP_FAILED_EVENTS_DAYS, pending and running
    ones never), job runs after TCM_KEEP_JOB_RUNS_DAYS (the last run of each job always stays),
    and files under the media folders that no row refers to."""
    now = timezone.now()
    Status = WebhookEvent.Status
    kept = now - timedelta(days=settings.TCM_KEEP_EVENTS_DAYS)
    kept_failed = now - timedelta(days=settings.TCM_KEEP_FAILED_EVENTS_DAYS)
    summary = {
        "events_deleted": _delete(
            WebhookEvent.objects.filter(
                Q(status__in=[Status.DONE, Status.DUPLICATE], received_at__lt=kept)
                | Q(status=Status.FAILED, received_at__lt=kept_failed)
            )
        ),
        "job_runs_abandoned": JobRun.objects.filter(
            status=JobRun.Status.RUNNING, started_at__lt=now - ABANDONED_RUN
        ).update(
            status=JobRun.Status.FAILED,
            finished_at=now,
            error="It never finished: its worker stopped.",
        ),
        "job_runs_deleted": _delete_old_runs(now),
    }
    files, size = delete_orphaned_files(now)
    summary.update(files_deleted=files, bytes_freed=size)
    return summary


def _delete_old_runs(now: datetime) -> int:
    latest = JobRun.objects.values("kind", "target_id").annotate(last=Max("pk")).values("last")
    old = Q(started_at__lt=now - timedelta(days=settings.TCM_KEEP_JOB_RUNS_DAYS))
    # The jobs that keep their runs for less (JOBS is complete here: this runs as a task).
    for job in JOBS.values():
        if job.keep_runs is not None:
            old |= Q(kind=job.kind, started_at__lt=now - job.keep_runs)
    return _delete(
        JobRun.objects.filter(old).exclude(status=JobRun.Status.RUNNING).exclude(pk__in=latest)
    )


def _delete(queryset: QuerySet, chunk: int = 1000) -> int:
    # In chunks: one DELETE of a year's events would hold SQLite's write lock for long.
    model, deleted = queryset.model, 0
    while ids := list(queryset.values_list("pk", flat=True)[:chunk]):
        count = model.objects.filter(pk__in=ids).delete()[1].get(model._meta.label, 0)
        if not count:
            break
        deleted += count
    return deleted


def delete_orphaned_files(now: datetime | None = None) -> tuple[int, int]:
    """Delete card, still and art files no row refers to (older than ORPHAN_GRACE); returns how
    many files and bytes."""
    cutoff = (now or timezone.now()) - ORPHAN_GRACE
    root = Path(default_storage.path(""))
    referenced = _referenced_files()
    files = size = 0
    for path in _media_files(root):
        name = path.relative_to(root).as_posix()
        if name in referenced:
            continue
        stat = path.stat()
        if stat.st_mtime >= cutoff.timestamp():
            continue
        if _is_referenced(name):  # a render took it up since the list was read
            continue
        path.unlink(missing_ok=True)
        files, size = files + 1, size + stat.st_size
        log.info("clean up: deleted %s, which nothing refers to", name)
    return files, size


# Every column that names a kept file (the series' uploads live outside MEDIA_FOLDERS).
FILE_COLUMNS = (
    (TitleCard, "file"),
    (Episode, "source_file"),
    (Series, "art_file"),
    (Series, "logo_file"),
    (Series, "poster_file"),
)


def _referenced_files() -> set[str]:
    names: set[str] = set()
    for model, name in FILE_COLUMNS:
        names.update(model.objects.exclude(**{name: ""}).values_list(name, flat=True).iterator())
    return names


def _is_referenced(name: str) -> bool:
    return any(model.objects.filter(**{column: name}).exists() for model, column in FILE_COLUMNS)


def _media_files(root: Path) -> Iterator[Path]:
    for folder in MEDIA_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path
