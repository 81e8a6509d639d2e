"""What the schedule's jobs do (cards/tasks.py runs each as a job: one run at a time, a JobRun
with its summary). Every function returns a summary of counts for the admin.

Queueing is handed in as a function (`queue`) by the task: this module decides *what* needs work,
the tasks module owns the Celery side (and the tasks module imports this one, not the reverse).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from connections.models import PlexConnection
from connections.plex import PlexError
from tcm_site.locks import LockHeld

from . import storage
from .card import LabelBatch, card_file_missing, episode_lock, label_episode, update_card
from .failures import plex_failure
from .jobs import JOBS, in_batches
from .looks import Rules, expected_fingerprint
from .models import WAITING_FOR_RELAY, CardEvent, Episode, JobRun, Series, TitleCard, WebhookEvent
from .sync import read_whole, refresh_watched, sync_library

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


def abandoned(now: datetime, *, unmarked: bool = True) -> Q:
    """Running events whose worker died: the task's heartbeat (WebhookEvent.keep_alive) stopped
    over TCM_EVENT_HEARTBEAT ago, or (`unmarked`), for an event that never had one (stored by
    an older tcm), it started over TCM_EVENT_RUNNING_TIMEOUT ago. A claim sets the heartbeat,
    so the condition, repeated in the UPDATE that takes an event over, never matches an event
    some task just took up."""
    dead = now - timedelta(seconds=settings.TCM_EVENT_HEARTBEAT)
    condition = Q(heartbeat_at__lt=dead)
    if unmarked:
        stuck = now - timedelta(seconds=settings.TCM_EVENT_RUNNING_TIMEOUT)
        condition |= Q(heartbeat_at__isnull=True, started_at__lt=stuck)
    return Q(status=WebhookEvent.Status.RUNNING) & condition


def lost_events(now: datetime) -> QuerySet[WebhookEvent]:
    """Events that wait for a task nobody will run.

    - waiting for the relay (WAITING_FOR_RELAY) and none took it: no worker runs a relay;
    - pending, queued (or due for a retry) longer than the grace period ago and still not
      started: the message was lost (Redis restarted without it, a worker died holding it);
    - running, and its worker died in the middle (abandoned).

    Whatever was queued again within the grace period is left alone, so that one sweep after
    another does not pile up copies while the queue is merely long.
    """
    grace = now - timedelta(seconds=settings.TCM_EVENT_DISPATCH_GRACE)
    Status = WebhookEvent.Status
    not_recently_queued = Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=grace)
    not_due_later = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=grace)
    return WebhookEvent.objects.filter(
        WAITING_FOR_RELAY
        | (Q(status=Status.PENDING) & not_recently_queued & not_due_later)
        | abandoned(now)
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
        if event.status == WebhookEvent.Status.RUNNING:
            kind = "stuck_running"
            claimed = _take_over(lost_events(now), event.pk, now)
        else:
            kind = "never_queued" if event.dispatched_at is None else "lost"
            claimed = lost_events(now).filter(pk=event.pk).update(dispatched_at=now)
        if not claimed:
            continue  # picked up meanwhile
        summary[kind] += 1
        if not queue(event.pk):
            summary["not_queued"] += 1  # the broker is still down; the next sweep tries again
    if any(summary.values()):
        log.info("sweeper: %s", summary)
    return summary


def _take_over(candidates: QuerySet[WebhookEvent], pk: int, now: datetime) -> int:
    """Claim an abandoned event among `candidates` for a new task: pending again, dispatched."""
    return candidates.filter(pk=pk).update(
        status=WebhookEvent.Status.PENDING,
        dispatched_at=now,
        last_error="Its worker stopped while working on it; queued again.",
    )


def take_over_abandoned_events(queue: Queue, limit: int = 100) -> int:
    """Queue a new task for every running event whose worker died (abandoned); how many were
    queued. Each worker's relay calls this every few seconds (cards/relay.py): a worker killed
    whole (nothing hands its task back; the broker would only after TCM_VISIBILITY_TIMEOUT)
    loses its event for about TCM_EVENT_HEARTBEAT, not for half an hour. Several relays at once
    take each event once: the claim repeats the condition. The dead task's episode locks lapse
    within TCM_LOCK_LEASE, so the new task cannot upload beside a holder that still lives."""
    now = timezone.now()
    # Only the events a heartbeat shows dead; the sweeper minds the unmarked ones.
    candidates = WebhookEvent.objects.filter(abandoned(now, unmarked=False))
    queued = 0
    for pk in list(candidates.order_by("pk").values_list("pk", flat=True)[:limit]):
        if _take_over(candidates, pk, now):
            log.warning("event %s: its worker stopped while working on it; queued again", pk)
            queued += queue(pk)
    return queued


def requeue_after_broker_loss(queue: Callable[[int, float | None], bool], before: datetime) -> int:
    """Queue again every event queued before `before` whose task has not started: the broker
    lost its queue (Redis restarted without persistence), and with it their messages, and the
    workers dropped the retries they held for later (Celery forgets them when its connection
    drops). An event due for a retry later is queued for then. Returns how many were queued.

    Each is claimed with an UPDATE that repeats the condition, so that two relays noticing the
    same loss queue it once; a copy meeting a task queued meanwhile does nothing twice (see
    dispatch_pending_events)."""
    now = timezone.now()
    waiting = WebhookEvent.objects.filter(
        status=WebhookEvent.Status.PENDING, dispatched_at__lt=before
    )
    queued = 0
    for pk, due in list(waiting.order_by("pk").values_list("pk", "next_attempt_at")):
        if waiting.filter(pk=pk).update(dispatched_at=now):
            countdown = (due - now).total_seconds() if due and due > now else None
            queued += queue(pk, countdown)
    return queued


# --- Plex is back up


def release_waiting_work(connection: PlexConnection, queue_event: Queue, queue_card: Queue) -> dict:
    """Tautulli says Plex is back up: what waits for a retry after a Plex failure (webhook
    events, cards) is queued now, instead of when its backoff ends (cards/failures.py).

    Each is claimed with an UPDATE that repeats its condition, so what a worker took meanwhile
    is not queued twice; the copy still waiting out its countdown finds the work done and does
    nothing (tasks are idempotent)."""
    now = timezone.now()
    summary = {"events": 0, "cards": 0}
    waiting = WebhookEvent.objects.filter(
        connection__plex=connection,
        status=WebhookEvent.Status.PENDING,
        next_attempt_at__gt=now,
    ).exclude(event="intup")
    for pk in list(waiting.values_list("pk", flat=True)):
        if waiting.filter(pk=pk).update(next_attempt_at=now, dispatched_at=now):
            summary["events"] += int(queue_event(pk))
    cards = TitleCard.objects.filter(
        episode__connection=connection,
        state=TitleCard.State.FAILED,
        retry_at__gt=now,
        attempts__lt=settings.TCM_RETRY_LIMIT,
    )
    for pk, episode_id in list(cards.values_list("pk", "episode_id")):
        if cards.filter(pk=pk).update(retry_at=now):
            summary["cards"] += int(queue_card(episode_id))
    if any(summary.values()):
        log.info("Plex %s is back up: queued at once %s", connection, summary)
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
    now = timezone.now()
    limit = settings.TCM_RENDER_DUE_LIMIT
    summary = {"checked": 0, "missing": 0, "outdated": 0, "retry": 0, "queued": 0}
    summary.update({"already_queued": 0, "left_for_next_run": 0})
    rules = Rules.load()
    batches, total = present_episodes(usable_connections())
    # Every 200 episodes, and at least once per batch read: a progress write between two reads
    # while the workers commit is what SQLite refuses beside a read left open (in_batches).
    every = min(200, settings.TCM_JOB_BATCH_SIZE)
    for batch in batches:
        due: list[tuple[Episode, str]] = []
        for episode in batch:
            if run and summary["checked"] % every == 0:
                run.report_progress(summary["checked"], total)
            summary["checked"] += 1
            reason = due_reason(episode, now, rules)
            if reason is not None:
                due.append((episode, reason))
        if summary["queued"] < limit:
            _read_labels([e for e, _ in due[: limit - summary["queued"]]])
        for episode, reason in due:
            summary[reason] += 1
            if summary["queued"] >= limit:
                summary["left_for_next_run"] += 1
            elif queue(episode.pk):
                summary["queued"] += 1
            else:
                summary["already_queued"] += 1
        if unlabelled := [e for e in batch if _label_missing(e)]:
            summary["labelled"] = summary.get("labelled", 0) + _label(unlabelled)
    if run:
        run.report_progress(summary["checked"], max(total, summary["checked"]))
    return summary


def _label_missing(episode: Episode) -> bool:
    """Whether the episode's card is on Plex but, as far as tcm knows, not tcm's label: the
    scheduled tasks send their labels many to a request a little later (cards/card.py's
    PendingLabels), and one cut short before then leaves its episode unlabelled."""
    card: TitleCard | None = getattr(episode, "card", None)
    labels = episode.plex_labels
    return (
        card is not None
        and card.state == TitleCard.State.UPLOADED
        and labels is not None
        and episode.connection.label not in labels
        and bool(episode.series.library)
    )


def _label(episodes: list[Episode]) -> int:
    """Label these episodes, a hundred to a request per connection and list of labels; how
    many were sent. A Plex error leaves the rest for the next run."""
    by_connection: dict[int, list[Episode]] = {}
    for episode in episodes:
        by_connection.setdefault(episode.connection_id, []).append(episode)
    sent = 0
    for of_one in by_connection.values():
        connection = of_one[0].connection
        try:
            batch = LabelBatch(connection.client())
            for episode in of_one:
                label_episode(episode, batch.client, batch)
            batch.send()
        except PlexError as exc:
            log.info("labelling %d episodes of %s: %s", len(of_one), connection, exc)
            continue
        sent += len(of_one)
    return sent


def _read_labels(episodes: list[Episode]) -> None:
    """Read the due episodes tcm never read whole, a hundred per request, so that their tasks
    need not read one each (labels are not in listings; labelling sends the whole list). A
    failure here costs nothing but those requests: each task then reads its episode itself."""
    unknown: dict[int, list[Episode]] = {}
    for episode in episodes:
        card: TitleCard | None = getattr(episode, "card", None)
        # And the ones tcm never put a card on: the kept check before the first upload goes
        # by this read's labels and thumb lock (cards/thumbs.py).
        if episode.plex_labels is None or card is None or not card.uploaded_hash:
            unknown.setdefault(episode.connection_id, []).append(episode)
    for episodes_of_one in unknown.values():
        connection = episodes_of_one[0].connection
        try:
            read_whole(connection, connection.client(), episodes_of_one)
        except PlexError as exc:
            log.info("reading %d episodes of %s whole: %s", len(episodes_of_one), connection, exc)


def present_episodes(connections: list[PlexConnection]) -> tuple[Iterator[list[Episode]], int]:
    """The present episodes of these connections whose series has cards on, in batches in id
    order (cards/jobs.py's in_batches: no cursor held open while the job writes), with their
    card, series and connection attached; and how many there are."""
    by_pk = {c.pk: c for c in connections}
    series = {
        s.pk: s for s in Series.objects.filter(connection_id__in=by_pk).select_related("font")
    }
    episodes = Episode.objects.filter(
        present=True, connection_id__in=by_pk, series__cards_enabled=True
    ).select_related("card", "font")

    def attached() -> Iterator[list[Episode]]:
        for batch in in_batches(episodes):
            for episode in batch:
                # Loaded once above instead of joined per row: a connection decrypts its token
                # when it is loaded, and a series is shared by many episodes.
                episode.connection = by_pk[episode.connection_id]
                episode.series = series[episode.series_id]
            yield batch

    return attached(), episodes.count()


def sync_and_render(connection: PlexConnection, run: JobRun) -> dict:
    """A library sync of the connection, then every card of it that is missing, outdated, or
    failed and due a retry rendered and uploaded: all in this one job, whose progress the
    dashboard shows (what saving a new Plex connection and "Sync now" start).

    Progress counts the sync's items first, then the cards. A transient Plex error stops the
    job (it is tried again as a whole: what was done is not done twice); a card that cannot be
    made is counted and recorded on the card.
    """
    client = connection.client()
    counts = sync_library(connection, client, progress=run.report_progress)
    synced = run.progress_total or 0
    now = timezone.now()
    # Read fresh: the sync just wrote these rows.
    connection.refresh_from_db()
    rules = Rules.load()
    batches, _ = present_episodes([connection])
    due = [episode for batch in batches for episode in batch if due_reason(episode, now, rules)]
    _read_labels(due)
    tally = dict.fromkeys(("rendered", "uploaded", "waiting_for_still", "busy", "failed"), 0)
    for done, episode in enumerate(due):
        run.report_progress(synced + done, synced + len(due))
        try:
            with episode_lock(episode):
                episode.refresh_from_db()
                result = update_card(episode, client, rules=rules)
        except LockHeld:
            tally["busy"] += 1  # another task is on it; it ends up right either way
            continue
        tally["rendered"] += result.rendered
        tally["uploaded"] += result.uploaded
        if result.waiting:
            tally["waiting_for_still"] += 1
        elif result.failed:
            tally["failed"] += 1
    run.report_progress(synced + len(due), synced + len(due))
    return {
        "libraries": counts.libraries,
        "missing_libraries": counts.missing_libraries,
        "series": counts.series_created + counts.series_updated + counts.series_unchanged,
        "episodes": counts.episodes_created + counts.episodes_updated + counts.episodes_unchanged,
        "cards_due": len(due),
        **tally,
    }


def refresh_watched_of(connection: PlexConnection, queue: Queue) -> dict:
    """One connection's watched state from Plex in bulk; a render queued for each card whose
    style must change (the admin action "Refresh watched state now")."""
    counts = refresh_watched(connection)
    queued = sum(1 for pk in counts.restyle if queue(pk))
    return {"checked": counts.checked, "changed": counts.changed, "queued": queued}


def render_waiting_cards(queue: Queue) -> dict:
    """Queue the cards waiting for a still whose next look is due (cards/card.py's
    wait_for_still says when)."""
    waiting = TitleCard.objects.filter(
        state=TitleCard.State.WAITING,
        retry_at__lte=timezone.now(),
        episode__present=True,
        episode__connection__in=usable_connections(),
    )
    ids = list(waiting.values_list("episode_id", flat=True)[: settings.TCM_RENDER_DUE_LIMIT])
    queued = sum(1 for pk in ids if queue(pk))
    return {"due": len(ids), "queued": queued}


def changed_cards(run: JobRun | None = None) -> list[Episode]:
    """The episodes whose card was made with other settings than apply now (its fingerprint
    differs from the one a render would give: looks.expected_fingerprint, without Plex, or only
    Plex can tell). What a template's change re-renders; cards never made are left to the
    schedule."""
    rules = Rules.load()
    changed = []
    batches, total = present_episodes(usable_connections())
    checked = 0
    for batch in batches:
        if run:
            run.report_progress(checked, total)
        for episode in batch:
            checked += 1
            card: TitleCard | None = getattr(episode, "card", None)
            if card is None or not card.fingerprint:
                continue
            # None: only Plex can tell (the new look draws a picture not downloaded yet, such as
            # the series logo); one render finds out, as for the due cards (due_reason).
            if expected_fingerprint(episode, rules) != card.fingerprint:
                changed.append(episode)
    if run:
        run.report_progress(total, total)
    return changed


def due_reason(episode: Episode, now: datetime, rules: Rules | None = None) -> str | None:
    """Why the episode's card needs work now ("missing", "outdated", "retry"), or None."""
    card: TitleCard | None = getattr(episode, "card", None)
    if card is None:
        return "missing"
    if card.state == TitleCard.State.KEPT and not card.take_over:
        return None  # a person's thumbnail on Plex: left alone (cards/thumbs.py)
    if card.state == TitleCard.State.WAITING:
        return "retry" if card.retry_at is not None and card.retry_at <= now else None
    if card.state == TitleCard.State.FAILED:
        due = card.retry_at is not None and card.retry_at <= now
        return "retry" if due and card.attempts < settings.TCM_RETRY_LIMIT else None
    if card.state != TitleCard.State.UPLOADED or card_file_missing(card):
        return "missing"
    expected = expected_fingerprint(episode, rules)
    if expected is None:
        # Only Plex can tell: the card now needs a picture not downloaded yet (a type that
        # draws the series' logo, an art style), or cannot be made at all. One render finds
        # out (and fails with the reason, or renders nothing when nothing changed).
        return "outdated"
    if expected != card.fingerprint:
        return "outdated"
    return None


def refresh_watched_state(queue: Queue) -> dict:
    """Apply each usable connection's watched policy to its episodes in bulk (Plex's flags, and
    Tautulli's history when the policy counts other users) and queue a render for each card
    whose style must change."""
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
        if counts.tautulli_requests:
            summary["tautulli_requests"] = summary.get("tautulli_requests", 0)
            summary["tautulli_requests"] += counts.tautulli_requests
        if counts.tautulli_error:
            # The stored viewers stood in for Tautulli's history (cards/watched.py).
            summary.setdefault("tautulli_unreachable", {})[connection.name] = counts.tautulli_error
    if not summary["errors"]:
        del summary["errors"]
    return summary


# --- Clean up


def clean_up() -> dict:
    """Delete what is no longer worth keeping: finished webhook events after
    TCM_KEEP_EVENTS_DAYS (failed ones after TCM_KEEP_FAILED_EVENTS_DAYS, pending and running
    ones never), job runs after TCM_KEEP_JOB_RUNS_DAYS (the last run of each job always stays),
    the cards' timeline entries after TCM_KEEP_CARD_EVENTS_DAYS (each episode's last render
    stays), and files under the media folders that no row refers to."""
    now = timezone.now()
    Status = WebhookEvent.Status
    kept = now - timedelta(days=settings.TCM_KEEP_EVENTS_DAYS)
    kept_failed = now - timedelta(days=settings.TCM_KEEP_FAILED_EVENTS_DAYS)
    summary = {
        "events_deleted": _delete(
            WebhookEvent.objects.filter(
                Q(status__in=[Status.DONE, Status.DUPLICATE, Status.IGNORED], received_at__lt=kept)
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
        "card_events_deleted": _delete_old_card_events(now),
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


def _delete_old_card_events(now: datetime) -> int:
    # Each episode's last render stays: the next one says what changed since it.
    last_renders = (
        CardEvent.objects.filter(kind=CardEvent.Kind.RENDER)
        .values("episode")
        .annotate(last=Max("pk"))
        .values("last")
    )
    old = CardEvent.objects.filter(at__lt=now - timedelta(days=settings.TCM_KEEP_CARD_EVENTS_DAYS))
    return _delete(old.exclude(pk__in=last_renders))


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
    many files and bytes. Through the storage (cards/storage.py), wherever it keeps them."""
    cutoff = (now or timezone.now()) - ORPHAN_GRACE
    referenced = _referenced_files()
    files = size = 0
    for folder in MEDIA_FOLDERS:
        for name in storage.walk(folder):
            if name in referenced:
                continue
            if default_storage.get_modified_time(name) >= cutoff:
                continue
            if _is_referenced(name):  # a render took it up since the list was read
                continue
            freed = default_storage.size(name)
            default_storage.delete(name)
            files, size = files + 1, size + freed
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
