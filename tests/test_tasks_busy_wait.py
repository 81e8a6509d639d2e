"""Waiting for another task's lock on the same episode is not a failed attempt: an event that
waited a while still has its whole retry budget for Plex being unavailable."""

from __future__ import annotations

from cards.card import episode_lock
from cards.models import Episode, WebhookEvent
from cards.sync import sync_library
from cards.tasks import process_webhook_event
from tests.support import wait_until


def test_lock_waits_leave_the_retry_budget_alone(
    celery_worker, fake_plex, plex_tautulli, quick_retries
) -> None:
    quick_retries.TCM_RETRY_LIMIT = 2
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    sync_library(plex_tautulli.plex)
    item = f"/library/metadata/{key}"
    event = WebhookEvent.objects.create(connection=plex_tautulli, rating_key=str(key))

    with episode_lock(Episode.objects.get()):  # another task is working on the episode
        fake_plex.reset_counts()
        process_webhook_event.delay(event.pk)
        wait_until(lambda: fake_plex.count(item) >= 4, what="a few waits for the lock")
        # Then Plex fails once: with the waits counted as attempts this was the last one.
        fake_plex.fail(503, times=1, prefix=item)
        wait_until(lambda: fake_plex.fail_times in (0, None), what="the failed request")

    wait_until(
        lambda: WebhookEvent.objects.get().status not in ("pending", "running"),
        what="the event to finish",
    )
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.DONE, event.last_error
    assert event.attempts == 2  # the one Plex failed, and the one that worked
    assert fake_plex.count(f"{item}/posters", method="POST") == 1
