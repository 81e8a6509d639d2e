"""Celery tasks: thin glue. They take IDs, load, call the work (cards/sync.py, cards/card.py,
cards/keys.py, cards/maintenance.py), record the outcome.

Every task is idempotent (running it twice does the work once: a card is rendered only when its
fingerprint changed and uploaded only when Plex does not show it yet) and is dispatched only
after the transaction that created its work has committed (transaction.on_commit).

What a Plex failure does (try again with backoff, flag the connection, give up) is decided in
one place, cards/failures.py, which every task asks. Another task working on the same episode
is no failure: the task is tried again shortly, never by blocking a worker.

Tasks that retry are declared with max_retries=None: tcm counts the attempts itself (on the
event, the card, the job). Celery's own limit (3 by default; `retry(max_retries=None)` means
"use the default", not "no limit") would end a retry chain with MaxRetriesExceededError.

Jobs are declared with cards/jobs.py's job_task: one run at a time (a lock with a timeout longer
than the job can take), its summary kept in a JobRun. The schedule (Celery beat, rows created by
migration cards/0005) runs the jobs at the end of this module; cards/maintenance.py has what they
do.
"""

from __future__ import annotations

import logging
import random
from dataclasses import asdict
from datetime import timedelta

from celery import current_task, shared_task
from celery.exceptions import Retry
from celery.signals import worker_process_shutdown, worker_shutdown
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from redis.exceptions import RedisError

from connections.models import PlexConnection
from connections.plex import PlexClient, PlexError, PlexNotFound, PlexNotTV
from tcm_site.locks import LockHeld

from . import maintenance, restore, sync, watched
from .card import (
    LabelBatch,
    PendingLabels,
    episode_lock,
    record_failure,
    update_card,
    verify_card,
)
from .failures import plex_failure
from .jobs import in_batches, job_task
from .keys import process_rating_key
from .looks import Rules
from .models import CardEvent, Episode, JobRun, Series, Template, TitleCard, WebhookEvent

log = logging.getLogger(__name__)


def lock_delay() -> float:
    """How long to wait before trying an episode another task is working on."""
    return settings.TCM_LOCK_RETRY_DELAY * random.uniform(0.8, 1.6)


def dispatch(task, *args: object, countdown: float | None = None) -> None:
    """Queue a task once the current transaction (if any) has committed."""
    transaction.on_commit(lambda: task.apply_async(args, countdown=countdown))


# --- Webhook events

# When the broker is down, give up quickly: the event is stored, and is queued on a later try.
_DISPATCH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def queue_event(event_id: int, countdown: float | None = None) -> bool:
    """Queue the event's task (for the relay and the sweeper, which marked it dispatched), to
    run at once or in `countdown` seconds. With the broker down the event is given back, to be
    queued on a later try; returns whether it was queued."""
    try:
        # Nobody waits for this task's return value (the event row records the outcome);
        # without ignore_result the Redis result backend subscribes this process to a result
        # channel per task, which is slower and grows without end. The reprs are what Celery
        # would write itself (for monitoring), without its general-purpose saferepr.
        process_webhook_event.apply_async(
            (event_id,),
            countdown=countdown,
            retry_policy=_DISPATCH_RETRY,
            ignore_result=True,
            argsrepr=f"({event_id},)",
            kwargsrepr="{}",
        )
    except Exception as exc:  # kombu's OperationalError, redis errors, a full disk
        log.warning(
            "webhook event %s is stored but could not be queued (%s: %s); it stays pending "
            "until it is queued again",
            event_id,
            type(exc).__name__,
            exc,
        )
        WebhookEvent.give_back([event_id])
        return False
    return True


@shared_task(bind=True, name="cards.process_webhook_event", max_retries=None)
def process_webhook_event(self, event_id: int) -> str:
    """Do the work one stored Tautulli post asked for: the cards under its rating key."""
    event = WebhookEvent.objects.select_related("connection__plex").filter(pk=event_id).first()
    if event is None:
        log.info("webhook event %s no longer exists; nothing to do", event_id)
        return "missing"
    if event.status in (
        WebhookEvent.Status.DONE,
        WebhookEvent.Status.DUPLICATE,
        WebhookEvent.Status.FAILED,
        WebhookEvent.Status.IGNORED,
    ):
        return event.status  # delivered again after it finished: nothing left to do
    plex = event.connection.plex
    if reason := plex.blocked_reason():
        return _finish(event, WebhookEvent.Status.FAILED, reason)

    # Claim the event. Only a pending one, or a running one this very task claimed before (its
    # message delivered again after the worker died): a second copy of the task, queued by the
    # sweeper while the first still waited in the queue, finds it running and does nothing.
    task_id = self.request.id or ""
    now = timezone.now()
    mine = Q(status=WebhookEvent.Status.RUNNING, task_id=task_id) if task_id else Q(pk=None)
    claimed = (
        WebhookEvent.objects.filter(pk=event.pk)
        .filter(Q(status=WebhookEvent.Status.PENDING) | mine)
        .update(
            status=WebhookEvent.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            next_attempt_at=None,
            task_id=task_id,
        )
    )
    if not claimed:
        log.info("event %s is being worked on by another task; this copy does nothing", event.pk)
        return "running"
    event.refresh_from_db()
    if event.attempts > settings.TCM_RETRY_LIMIT:
        # Plex failures stop at the limit (cards/failures.py); more attempts than that means
        # each ended without an outcome: its worker died (out of memory on this episode?) or
        # the task broke off with an error, which a further try would repeat.
        return _finish(
            event,
            WebhookEvent.Status.FAILED,
            f"None of its {event.attempts - 1} attempts finished (its worker died, or the task "
            "broke off with an error); not tried again.",
        )
    if event.event == "intup":
        released = maintenance.release_waiting_work(plex, queue_event, _queue_card_now)
        log.info("event %s: Plex %s is back up; %s", event.pk, plex, released)
        return _finish(event, WebhookEvent.Status.DONE, "")
    viewers = []
    if event.event == "watched":
        # Two people finishing the episode together: the second post is stored as this one's
        # duplicate and queues nothing, so its user is taken here.
        posts = [(event.user_id, event.user)]
        posts += WebhookEvent.objects.filter(duplicate_of=event).values_list("user_id", "user")
        viewers = sorted({user_id: name for user_id, name in posts if user_id is not None}.items())
    try:
        # Marked alive while it runs: should this whole worker die, a living one takes the
        # event over once the marks stop (maintenance.take_over_abandoned_events).
        with event.keep_alive():
            outcome = process_rating_key(plex, event.rating_key, event.event, viewers=viewers)
    except PlexNotTV as exc:
        # Nothing went wrong: tcm makes cards for TV only.
        return _finish(event, WebhookEvent.Status.IGNORED, exc.reason, level=logging.INFO)
    except PlexError as exc:
        verdict = plex_failure(plex, exc, event.attempts)
        if verdict.retry_in is None:
            return _finish(event, WebhookEvent.Status.FAILED, verdict.reason)
        _wait(event, str(exc), verdict.retry_in)
        log.warning("event %s: %s Trying again in %.0f s.", event.pk, exc, verdict.retry_in)
        raise self.retry(countdown=verdict.retry_in, max_retries=None) from None
    except RedisError as exc:
        return _redis_away(self, event, exc)

    if outcome.not_watched_yet:
        if not viewers or any(watched.counts(plex, user_id) for user_id, _ in viewers):
            schedule_watched_rechecks(outcome.not_watched_yet)
        else:
            # Plex's flag will never follow someone else's watching: asking again is no use.
            log.info(
                "event %s: %s watched %s, but the watched policy of %s does not count them; "
                "the card stays as it is",
                event.pk,
                event.user or f"user {event.user_id}",
                event.rating_key,
                plex,
            )
    if outcome.busy:
        # Another task is on these episodes right now. Come back when it is done: it may have
        # worked from older data than this event's.
        delay = lock_delay()
        _wait(event, "Waiting for another task working on the same episode.", delay, attempt=False)
        raise self.retry(countdown=delay, max_retries=None)
    if outcome.failed:
        return _finish(event, WebhookEvent.Status.FAILED, outcome.failure_summary())
    return _finish(event, WebhookEvent.Status.DONE, "")


def _redis_away(task, event: WebhookEvent, exc: Exception) -> str:
    """The locks' Redis did not answer (restarting, most likely): try again shortly, as for a
    busy episode (the work is idempotent: what already reached Plex is not sent again). Left
    to Celery, the event would stay "running" until its heartbeat was found stopped. Redis is
    the broker too, so
    when even the retry cannot be queued, the event goes back to the relay, which queues it
    once Redis answers (and, should Redis come back empty, its marker tells the relay)."""
    delay = lock_delay()
    _wait(event, f"Redis did not answer ({exc}); trying again.", delay, attempt=False)
    try:
        task.retry(countdown=delay, max_retries=None)
    except Retry:
        raise
    except Exception:
        WebhookEvent.give_back([event.pk])
        log.info("event %s: Redis did not answer; the relay queues it once it does", event.pk)
    return "waiting"


def _finish(event: WebhookEvent, status: str, error: str, *, level: int = logging.WARNING) -> str:
    WebhookEvent.objects.filter(pk=event.pk).update(
        status=status, last_error=error, finished_at=timezone.now(), next_attempt_at=None
    )
    if error:
        log.log(
            level, "event %s (%s %s) %s: %s", event.pk, event.event, event.rating_key, status, error
        )
    return status


def _wait(event: WebhookEvent, error: str, delay: float, *, attempt: bool = True) -> None:
    # Pending again (not running): a sweeper may dispatch it anew, which is harmless.
    # attempt=False: waiting for another task's lock is not a try that failed, so it gives back
    # the attempt the claim counted, and the retry limit stays for Plex being unavailable.
    changes = {"attempts": F("attempts") - 1} if not attempt else {}
    WebhookEvent.objects.filter(pk=event.pk).update(
        status=WebhookEvent.Status.PENDING,
        last_error=error,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        **changes,
    )


# --- "watched": Tautulli is faster than Plex


def _recheck_key(episode_id: int) -> str:
    return f"watched-recheck:{episode_id}"


def schedule_watched_rechecks(episode_ids: list[int]) -> None:
    """Ask again, with growing pauses, until these episodes count as watched (the watched
    policy's answer, from Plex's flag read again and who else watched).

    Tautulli posts "watched" at its threshold (85 % by default), Plex flips the episode at its own
    (90 %), minutes of playback later. One chain of re-checks per episode: identical events
    arriving meanwhile join the chain that is already waiting instead of starting another.
    """
    delays = settings.TCM_WATCHED_RECHECK_DELAYS
    if not delays:
        return
    for episode_id in episode_ids:
        if cache.add(_recheck_key(episode_id), 1, timeout=int(sum(delays)) + 300):
            log.info("episode %s is not watched on Plex yet; checking again", episode_id)
            dispatch(recheck_watched, episode_id, 0, countdown=delays[0])


@shared_task(bind=True, name="cards.recheck_watched")
def recheck_watched(self, episode_id: int, step: int) -> str:
    """One re-check: Plex is asked again and the watched policy applied; when the episode now
    counts as watched, the watched style is rendered."""
    delays = settings.TCM_WATCHED_RECHECK_DELAYS
    episode = Episode.objects.select_related("series", "connection").filter(pk=episode_id).first()
    if episode is None or episode.connection.blocked_reason():
        cache.delete(_recheck_key(episode_id))
        return "stopped"
    connection = episode.connection
    try:
        with episode_lock(episode):
            client = connection.client()
            result = update_card(episode, client, refresh=True)
            CardEvent.record(episode_id, "recheck", watched=bool(result.watched), step=step + 1)
            if result.watched:
                cache.delete(_recheck_key(episode_id))
                return "watched"
    except LockHeld:
        dispatch(recheck_watched, episode_id, step, countdown=lock_delay())
        return "busy"
    except PlexError as exc:
        # The chain of re-checks is its own retry: Plex down for a moment is no reason to stop
        # asking, the next step asks again. Only a rejected token stops it.
        if plex_failure(connection, exc, None).blocked:
            cache.delete(_recheck_key(episode_id))
            return "stopped"
        log.info("re-checking %s: %s", episode, exc)
    if step + 1 < len(delays):
        dispatch(recheck_watched, episode_id, step + 1, countdown=delays[step + 1])
        return "waiting"
    cache.delete(_recheck_key(episode_id))
    log.info(
        "Plex did not show %s as watched within %.0f s of Tautulli's report (playback stopped "
        "between the two thresholds?); its card stays as it is",
        episode,
        sum(delays),
    )
    return "gave up"


# --- One card (admin actions, the schedule)


@shared_task(bind=True, name="cards.render_card", max_retries=None)
def render_card(
    self,
    episode_id: int,
    force_upload: bool = False,
    force_render: bool = False,
    scheduled: bool = False,
) -> str:
    """Bring one episode's card up to date on Plex.

    Asked for by a person (admin actions), it reads the episode from Plex first and asks Plex
    whether it shows the card, rather than trusting the record. Queued by the schedule
    (`scheduled`), it works from what the schedule's job read (the library sync's listing, and
    the labels the job read in bulk) and asks Plex's posters only when tcm cannot tell what Plex
    shows (cards/card.py's must_check_posters): a whole library costs no request per card beyond
    the still, the upload and the label (Plex's posters before tcm's first upload only where the
    thumb is locked, cards/thumbs.py's posters_tell: a thumbnail a person chose is kept).
    """
    # Started: the schedule may queue this episode again from now on (see queue_render).
    cache.delete(_render_queued_key(episode_id))
    episode = Episode.objects.select_related("series", "connection").filter(pk=episode_id).first()
    if episode is None:
        return "missing"
    connection = episode.connection
    if reason := connection.blocked_reason():
        card, _ = TitleCard.objects.get_or_create(episode=episode)
        record_failure(card, reason, None)
        return "blocked"
    # Scheduled, the label waits for other cards' (PENDING_LABELS): many go in one request.
    labels: LabelBatch | None = None
    try:
        with episode_lock(episode):
            client = connection.client()
            labels = LabelBatch(client) if scheduled else None
            result = update_card(
                episode,
                client,
                refresh=not scheduled,
                force_render=force_render,
                force_upload=force_upload,
                check_plex=not scheduled,
                labels=labels,
            )
    except LockHeld:
        raise self.retry(countdown=lock_delay(), max_retries=None) from None
    except PlexError as exc:
        # update_card recorded the failure on the card, with when a retry is due (there is no
        # card when the connection has no token at all: no request was made).
        failed = TitleCard.objects.filter(episode=episode).first()
        attempts, due = (failed.attempts, failed.retry_at) if failed else (0, None)
        verdict = plex_failure(connection, exc, attempts, due=due)
        if verdict.retry_in is None:
            return "failed"
        raise self.retry(countdown=verdict.retry_in, max_retries=None) from None
    finally:
        if labels is not None:
            PENDING_LABELS.take(connection.pk, labels, lambda: _more_waiting(self))
    if result.waiting:
        return "waiting"
    if result.failed:
        return "failed"
    return "uploaded" if result.uploaded else ("rendered" if result.rendered else "unchanged")


# The scheduled cards' labels in this process, sent many to a request (cards/card.py).
PENDING_LABELS = PendingLabels()


def _more_waiting(task) -> bool:
    """Whether more tasks wait in the queue this one came from (then the labels kept in
    PENDING_LABELS can wait for theirs). One question to the broker; False when it cannot tell
    (run in place, as tests and `apply` do, or the broker away): the labels go now."""
    request = task.request
    queue = (request.delivery_info or {}).get("routing_key")
    if request.is_eager or not queue:
        return False
    try:
        with task.app.connection_or_acquire() as conn:
            channel = conn.default_channel
            # kombu's Redis channel: LLEN over the queue's priority lists. Not its passive
            # queue_declare: that asks EXISTS, which kombu's global_keyprefix (tcm's Redis
            # prefix) leaves unprefixed, and it says "no such queue" of a full one.
            size = getattr(channel, "_size", None)
            if size is not None:
                return size(queue) > 0
            return channel.queue_declare(queue=queue, passive=True).message_count > 0
    except Exception:  # "no such queue" (Redis drops an empty list) is an error too
        return False


@worker_process_shutdown.connect
@worker_shutdown.connect
def _send_pending_labels(**_: object) -> None:
    try:
        PENDING_LABELS.send()
    except Exception:  # the database may be gone as the worker stops: the schedule sends them
        log.exception("sending the labels kept in this worker process as it stops")


# --- Per-object jobs (admin actions, and the schedule's per-connection jobs)


@job_task("sync_library", "Library sync", target=PlexConnection)
def sync_library(run: JobRun, connection: PlexConnection) -> dict:
    """Walk a Plex connection's TV libraries into Series/Episode rows; progress in a JobRun.
    Cards whose style a watched flip changed are queued at once."""
    counts = sync.sync_library(connection, progress=run.report_progress, queue_render=queue_render)
    return asdict(counts)


@job_task("sync_and_render", "Sync and render cards", target=PlexConnection)
def sync_and_render(run: JobRun, connection: PlexConnection) -> dict:
    """A library sync, then every missing or outdated card rendered and uploaded, in one job
    (saving a new Plex connection, "Sync now")."""
    return maintenance.sync_and_render(connection, run)


@job_task("refresh_watched", "Refresh watched state", target=PlexConnection)
def refresh_watched(run: JobRun, connection: PlexConnection) -> dict:
    """One connection's watched state from Plex ("Refresh watched state now"); cards whose
    style must change are queued."""
    return maintenance.refresh_watched_of(connection, queue_render)


@job_task("verify_cards", "Card check", target=PlexConnection)
def verify_cards(run: JobRun, connection: PlexConnection) -> dict:
    """Check that Plex still shows every card tcm uploaded (a metadata refresh in Plex drops
    uploaded thumbnails) and upload again the ones it lost."""
    cards = TitleCard.objects.filter(
        episode__connection=connection,
        episode__present=True,
        state=TitleCard.State.UPLOADED,
    ).select_related("episode__series", "episode__connection")
    client = connection.client()
    summary = {"checked": 0, "uploaded_again": 0, "busy": 0, "failed": 0}
    total = cards.count()
    # In batches, not .iterator(): see in_batches (SQLite refuses writes beside an open read).
    for done, card in enumerate(c for batch in in_batches(cards, 200) for c in batch):
        if done % 50 == 0:
            run.report_progress(done, total)
        try:
            with episode_lock(card.episode):
                card.refresh_from_db()
                again = verify_card(card, client)
        except LockHeld:
            summary["busy"] += 1  # someone is updating it right now
            continue
        except PlexNotFound as exc:
            record_failure(card, str(exc), None)
            summary["failed"] += 1
            continue
        summary["checked"] += 1
        summary["uploaded_again"] += again
    run.report_progress(total, total)
    return summary


@job_task("render_template", "Re-render a template's cards", target=Template)
def render_template(run: JobRun, template: Template) -> dict:
    """After a template changed: re-render and upload exactly the cards whose look changed
    (their fingerprint differs from the one the settings give now), for whichever series the
    change touched. Nothing else is rendered or sent.

    A template saved again while this runs queues a run that finds this one holding the lock
    and is skipped: so after its work the run looks again, until it finds nothing more to do
    (a few rounds at most; a card that failed or was busy is left to the schedule)."""
    summary = {"changed": 0, "rendered": 0, "uploaded": 0, "busy": 0, "failed": 0}
    clients: dict[int, PlexClient] = {}
    left: set[int] = set()  # failed or busy: not tried again in this run
    run.report_progress(0, 0)
    for _ in range(TEMPLATE_ROUNDS):
        changed = [e for e in maintenance.changed_cards() if e.pk not in left]
        if not changed:
            break
        rules = Rules.load()
        summary["changed"] += len(changed)
        run.report_progress(0, len(changed))
        for done, episode in enumerate(changed):
            if not _render_changed(episode, template, rules, clients, summary):
                left.add(episode.pk)
            run.report_progress(done + 1, len(changed))
    return summary


# How many times a template's run looks for changed cards (saves while it ran).
TEMPLATE_ROUNDS = 3


def _render_changed(
    episode: Episode,
    template: Template,
    rules: Rules,
    clients: dict[int, PlexClient],
    summary: dict[str, int],
) -> bool:
    """Bring one changed card up to date; False when it failed or another task had it."""
    connection = episode.connection
    try:
        client = clients.get(connection.pk) or clients.setdefault(
            connection.pk, connection.client()
        )
        with episode_lock(episode):
            episode.refresh_from_db()
            result = update_card(episode, client, rules=rules)
    except LockHeld:
        summary["busy"] += 1  # someone is updating it right now
        return False
    except PlexError as exc:
        # Recorded on the card with when to retry; the schedule takes it from there.
        log.warning("re-rendering %s for template %s: %s", episode, template, exc)
        summary["failed"] += 1
        return False
    summary["rendered"] += result.rendered
    summary["uploaded"] += result.uploaded
    summary["failed"] += bool(result.failed)
    return not result.failed


@job_task("sync_series", "Sync from Plex", target=Series)
def sync_series(run: JobRun, series: Series) -> dict:
    """Read one show's episodes from Plex again ("Sync from Plex" in the admin)."""
    return sync.sync_series(series)


@job_task("render_series", "Render and upload all cards", target=Series)
def render_series(run: JobRun, series: Series) -> dict:
    """Bring every card of one show up to date on Plex, as a job whose progress the admin shows
    ("Render and upload all cards"). Cards that are current are neither rendered nor sent.
    The last labels wait for the next series' in this process (PENDING_LABELS) while more work
    waits in the queue: a library's series share label requests. The show itself is not read
    again (the library sync keeps its row): only its episodes are listed."""
    client = series.connection.client()
    labels = LabelBatch(client)
    try:
        outcome = process_rating_key(
            series.connection,
            series.rating_key,
            client=client,
            progress=run.report_progress,
            labels=labels,
            show=series,
        )
    finally:
        task = current_task
        PENDING_LABELS.take(
            series.connection_id, labels, lambda: task is not None and _more_waiting(task)
        )
    summary: dict[str, int | str] = {
        "episodes": outcome.episodes,
        "rendered": outcome.rendered,
        "uploaded": outcome.uploaded,
        "busy": len(outcome.busy),
        "failed": len(outcome.failed),
    }
    if outcome.failed:
        summary["failures"] = outcome.failure_summary()[:500]
    return summary


@job_task("restore_series", "Restore originals", target=Series)
def restore_series(run: JobRun, series: Series) -> dict:
    """Put the original stills of a show's flagged cards back on Plex (cards/restore.py)."""
    cards = TitleCard.objects.filter(episode__series=series)
    return restore.restore_cards(cards, series.connection.client(), run.report_progress)


@job_task("restore_connection", "Restore originals (whole server)", target=PlexConnection)
def restore_connection(run: JobRun, connection: PlexConnection) -> dict:
    """Put the original stills of a server's flagged cards back on Plex."""
    cards = TitleCard.objects.filter(episode__connection=connection)
    return restore.restore_cards(cards, connection.client(), run.report_progress)


# --- The schedule's jobs (cards/maintenance.py has what they do), in the dashboard's order. Each
# lock timeout is under the job's interval.

# How long a render queued by the schedule is taken to be waiting in the queue: it is not queued
# again meanwhile (see queue_render). After this, a lost message is queued again.
RENDER_QUEUED_FOR = 3 * 3600


def _render_queued_key(episode_id: int) -> str:
    return f"render-queued:{episode_id}"


def _queue_card_now(episode_id: int) -> bool:
    # Not through queue_render: a card the schedule queued and that already failed is queued
    # again here on purpose (its task may be waiting out a backoff).
    cache.delete(_render_queued_key(episode_id))
    return queue_render(episode_id)


def queue_render(episode_id: int) -> bool:
    """Queue render_card for an episode, unless the schedule queued it already and that task has
    not started yet (an hourly run must not pile up copies behind a long queue)."""
    if not cache.add(_render_queued_key(episode_id), 1, timeout=RENDER_QUEUED_FOR):
        return False
    dispatch(render_card, episode_id, False, False, True)
    return True


@job_task("sync_all_libraries", "Sync libraries", lock_timeout=600)
def sync_all_libraries(run: JobRun) -> dict:
    """Queue a library sync (its own job, with progress) for every usable Plex connection."""
    return maintenance.for_each_connection(lambda pk: dispatch(sync_library, pk))


@job_task("refresh_watched_state", "Refresh watched state", lock_timeout=4 * 60)
def refresh_watched_state(run: JobRun) -> dict:
    """The watched policy in bulk (Plex's flags, Tautulli's history); re-renders where the style
    must change. Every 5 minutes: it must stay cheap (bench/watched.py)."""
    return maintenance.refresh_watched_state(queue_render)


@job_task("render_due_cards", "Render and upload due cards", lock_timeout=50 * 60)
def render_due_cards(run: JobRun) -> dict:
    """Queue every card that is missing, outdated, or failed and due a retry."""
    return maintenance.render_due_cards(queue_render, run)


@job_task("verify_all_cards", "Verify cards on Plex", lock_timeout=600)
def verify_all_cards(run: JobRun) -> dict:
    """Queue a card check (its own job, with progress) for every usable Plex connection."""
    return maintenance.for_each_connection(lambda pk: dispatch(verify_cards, pk))


@job_task(
    "render_waiting_cards", "Look again for stills", lock_timeout=55, keep_runs=timedelta(days=1)
)
def render_waiting_cards(run: JobRun) -> dict:
    """Queue the cards waiting for a still whose next look is due."""
    return maintenance.render_waiting_cards(queue_render)


# Every minute: its runs are kept for a day only (1,440 a day otherwise pile up). A sweep that
# overran its lock and a second one meeting would only queue an event twice, which its claim
# makes harmless.
@job_task(
    "dispatch_pending_events",
    "Dispatch pending events",
    lock_timeout=55,
    keep_runs=timedelta(days=1),
)
def dispatch_pending_events(run: JobRun) -> dict:
    """The sweeper: queue again the webhook events whose task was lost."""
    return maintenance.dispatch_pending_events(queue_event)


@job_task("clean_up", "Clean up")
def clean_up(run: JobRun) -> dict:
    """Old events and job runs, orphaned card files."""
    return maintenance.clean_up()
