"""Celery tasks: thin glue. They take IDs, load, call the pipeline, record the outcome.

Every task is idempotent (running it twice does the work once: the pipeline renders only when
the fingerprint changed and uploads only what Plex does not show yet) and is dispatched only
after the transaction that created its work has committed (transaction.on_commit).

Failures, by what trying again can do:
- Plex unavailable (timeouts, refused connections, 5xx): retried with exponential backoff and
  jitter, up to TCM_RETRY_LIMIT attempts; the object keeps the last error and when it is due.
- Plex rejected the token: permanent. The connection is flagged (auth_failed_at) and every task
  for it stops before sending a request, so a revoked token cannot cause a retry storm.
- Unknown rating key, a card that cannot be made: permanent, recorded with the reason.
- Another task is working on the same episode: tried again shortly, never by blocking a worker.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from connections.models import PlexConnection
from connections.plex import PlexAuthError, PlexError, PlexNotFound, PlexUnavailable
from tcm_site.locks import LockHeld

from . import pipeline
from .jobs import report_progress, run_job
from .models import Episode, JobRun, TitleCard, WebhookEvent

log = logging.getLogger(__name__)


def lock_delay() -> float:
    """How long to wait before trying an episode another task is working on."""
    return settings.TCM_LOCK_RETRY_DELAY * random.uniform(0.8, 1.6)


def record_auth_failure(connection: PlexConnection, exc: PlexAuthError) -> None:
    log.error("Plex connection %s: %s", connection, exc)
    connection.record_auth_failure(str(exc))


def dispatch(task, *args: object, countdown: float | None = None) -> None:
    """Queue a task once the current transaction (if any) has committed."""
    transaction.on_commit(lambda: task.apply_async(args, countdown=countdown))


# --- Webhook events


@shared_task(bind=True, name="cards.process_webhook_event")
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
    ):
        return event.status  # delivered again after it finished: nothing left to do
    plex = event.connection.plex
    if reason := plex.blocked_reason():
        return _finish(event, WebhookEvent.Status.FAILED, reason)

    WebhookEvent.objects.filter(pk=event.pk).update(
        status=WebhookEvent.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=timezone.now(),
        next_attempt_at=None,
    )
    event.refresh_from_db()
    try:
        outcome = pipeline.process_rating_key(plex, event.rating_key, event.event)
    except PlexAuthError as exc:
        record_auth_failure(plex, exc)
        return _finish(event, WebhookEvent.Status.FAILED, str(exc))
    except PlexUnavailable as exc:
        if event.attempts >= settings.TCM_RETRY_LIMIT:
            reason = f"Gave up after {event.attempts} attempts. {exc}"
            return _finish(event, WebhookEvent.Status.FAILED, reason)
        delay = pipeline.retry_delay(event.attempts)
        _wait(event, str(exc), delay)
        log.warning("event %s: %s Trying again in %.0f s.", event.pk, exc, delay)
        raise self.retry(countdown=delay, max_retries=None) from None
    except PlexError as exc:  # the key is unknown to Plex, or Plex refused the request
        return _finish(event, WebhookEvent.Status.FAILED, str(exc))

    if outcome.not_watched_yet:
        schedule_watched_rechecks(outcome.not_watched_yet)
    if outcome.busy:
        # Another task is on these episodes right now. Come back when it is done: it may have
        # worked from older data than this event's.
        delay = lock_delay()
        _wait(event, "Waiting for another task working on the same episode.", delay)
        raise self.retry(countdown=delay, max_retries=None)
    if outcome.failed:
        return _finish(event, WebhookEvent.Status.FAILED, outcome.failure_summary())
    return _finish(event, WebhookEvent.Status.DONE, "")


def _finish(event: WebhookEvent, status: str, error: str) -> str:
    WebhookEvent.objects.filter(pk=event.pk).update(
        status=status, last_error=error, finished_at=timezone.now(), next_attempt_at=None
    )
    if error:
        log.warning(
            "event %s (%s %s) %s: %s", event.pk, event.event, event.rating_key, status, error
        )
    return status


def _wait(event: WebhookEvent, error: str, delay: float) -> None:
    # Pending again (not running): a sweeper may dispatch it anew, which is harmless.
    WebhookEvent.objects.filter(pk=event.pk).update(
        status=WebhookEvent.Status.PENDING,
        last_error=error,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )


# --- "watched": Tautulli is faster than Plex


def _recheck_key(episode_id: int) -> str:
    return f"watched-recheck:{episode_id}"


def schedule_watched_rechecks(episode_ids: list[int]) -> None:
    """Ask Plex again, with growing pauses, until it shows these episodes as watched.

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
    """One re-check: when Plex now shows the episode watched, render the watched style."""
    delays = settings.TCM_WATCHED_RECHECK_DELAYS
    episode = Episode.objects.select_related("series", "connection").filter(pk=episode_id).first()
    if episode is None or episode.connection.blocked_reason():
        cache.delete(_recheck_key(episode_id))
        return "stopped"
    connection = episode.connection
    try:
        with pipeline.episode_lock(episode):
            client = connection.client()
            result = pipeline.update_card(episode, client, refresh=True)
            if result.watched:
                cache.delete(_recheck_key(episode_id))
                return "watched"
    except LockHeld:
        dispatch(recheck_watched, episode_id, step, countdown=lock_delay())
        return "busy"
    except PlexAuthError as exc:
        record_auth_failure(connection, exc)
        cache.delete(_recheck_key(episode_id))
        return "stopped"
    except PlexError as exc:
        # Plex down for a moment is no reason to stop asking: the next step asks again.
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


@shared_task(bind=True, name="cards.render_card")
def render_card(
    self, episode_id: int, force_upload: bool = False, force_render: bool = False
) -> str:
    """Bring one episode's card up to date on Plex, reading the episode from Plex first."""
    episode = Episode.objects.select_related("series", "connection").filter(pk=episode_id).first()
    if episode is None:
        return "missing"
    connection = episode.connection
    if reason := connection.blocked_reason():
        card, _ = TitleCard.objects.get_or_create(episode=episode)
        pipeline.record_failure(card, reason, None)
        return "blocked"
    try:
        with pipeline.episode_lock(episode):
            client = connection.client()
            result = pipeline.update_card(
                episode,
                client,
                refresh=True,
                force_render=force_render,
                force_upload=force_upload,
            )
    except LockHeld:
        raise self.retry(countdown=lock_delay(), max_retries=None) from None
    except PlexAuthError as exc:
        record_auth_failure(connection, exc)
        return "failed"
    except PlexUnavailable:
        card = TitleCard.objects.get(episode=episode)
        if card.attempts >= settings.TCM_RETRY_LIMIT or card.retry_at is None:
            return "failed"
        delay = max(0.0, (card.retry_at - timezone.now()).total_seconds())
        raise self.retry(countdown=delay, max_retries=None) from None
    except PlexError:
        return "failed"
    if result.failed:
        return "failed"
    return "uploaded" if result.uploaded else ("rendered" if result.rendered else "unchanged")


# --- Whole connections


@shared_task(bind=True, name="cards.sync_library")
def sync_library(self, connection_id: int) -> dict:
    """Walk a Plex connection's TV libraries into Series/Episode rows; progress in a JobRun."""

    def work(connection: PlexConnection, run: JobRun) -> dict:
        counts = pipeline.sync_library(
            connection, progress=lambda done, total: report_progress(run, done, total)
        )
        return asdict(counts)

    return _connection_job(self, connection_id, "sync_library", work)


@shared_task(bind=True, name="cards.verify_cards")
def verify_cards(self, connection_id: int) -> dict:
    """Check that Plex still shows every card tcm uploaded (a metadata refresh in Plex drops
    uploaded thumbnails) and upload again the ones it lost."""

    def work(connection: PlexConnection, run: JobRun) -> dict:
        cards = (
            TitleCard.objects.filter(
                episode__connection=connection,
                episode__present=True,
                state=TitleCard.State.UPLOADED,
            )
            .select_related("episode__series", "episode__connection")
            .order_by("pk")
        )
        client = connection.client()
        summary = {"checked": 0, "uploaded_again": 0, "busy": 0, "failed": 0}
        total = cards.count()
        for done, card in enumerate(cards.iterator(chunk_size=200)):
            if done % 50 == 0:
                report_progress(run, done, total)
            try:
                with pipeline.episode_lock(card.episode):
                    card.refresh_from_db()
                    again = pipeline.verify_card(card, client)
            except LockHeld:
                summary["busy"] += 1  # someone is updating it right now
                continue
            except PlexNotFound as exc:
                pipeline.record_failure(card, str(exc), None)
                summary["failed"] += 1
                continue
            summary["checked"] += 1
            summary["uploaded_again"] += again
        report_progress(run, total, total)
        return summary

    return _connection_job(self, connection_id, "verify_cards", work)


def _connection_job(
    task, connection_id: int, job: str, work: Callable[[PlexConnection, JobRun], dict]
) -> dict:
    """Run `work` for one Plex connection as a job (one run at a time, recorded in a JobRun);
    retry the whole job later when Plex is unavailable (the work is idempotent)."""
    connection = PlexConnection.objects.filter(pk=connection_id).first()
    if connection is None:
        return {"skipped": "no such connection"}
    if reason := connection.blocked_reason():
        return {"skipped": reason}
    try:
        run = run_job(
            f"{job}:{connection.pk}",
            lambda run: work(connection, run),
            task_id=task.request.id or "",
        )
    except PlexAuthError as exc:
        record_auth_failure(connection, exc)
        return {"failed": str(exc)}
    except PlexUnavailable as exc:
        if task.request.retries >= settings.TCM_RETRY_LIMIT:
            return {"failed": str(exc)}
        delay = pipeline.retry_delay(task.request.retries + 1)
        raise task.retry(countdown=delay, max_retries=None) from None
    except PlexError as exc:
        return {"failed": str(exc)}
    return run.summary
