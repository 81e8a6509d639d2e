"""Tautulli reports "watched" before Plex flips the episode. The worker asks Plex again with
growing pauses (Celery countdowns, never a sleeping worker) and renders the watched style as
soon as Plex agrees; if Plex never agrees, the card stays as it is."""

from __future__ import annotations

import time

from django.core.cache import cache

from cards.models import Episode, TitleCard, WebhookEvent
from cards.tasks import process_webhook_event
from tests.support import wait_until


def post(tautulli, key: int, event: str) -> WebhookEvent:
    webhook = WebhookEvent.objects.create(connection=tautulli, rating_key=str(key), event=event)
    process_webhook_event.delay(webhook.pk)
    wait_until(
        lambda: WebhookEvent.objects.get(pk=webhook.pk).status in ("done", "failed"),
        what=f"the {event} event",
    )
    webhook.refresh_from_db()
    return webhook


def episode_with_card(fake_plex, plex_tautulli) -> int:
    connection = plex_tautulli.plex
    connection.watched_style, connection.unwatched_style = "unique", "blur grayscale"
    connection.save()
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    post(plex_tautulli, key, "created")
    assert TitleCard.objects.get().style == "blur grayscale"
    return key


def test_the_watched_style_follows_as_soon_as_plex_agrees(
    celery_worker, fake_plex, plex_tautulli, quick_retries
) -> None:
    key = episode_with_card(fake_plex, plex_tautulli)

    webhook = post(plex_tautulli, key, "watched")
    assert webhook.status == "done"
    assert TitleCard.objects.get().style == "blur grayscale"  # Plex does not agree yet
    fake_plex.mark_watched(key)  # playback passed Plex's own threshold

    # The style is recorded at render time, the upload follows: wait for both.
    wait_until(
        lambda: TitleCard.objects.filter(style="unique", state=TitleCard.State.UPLOADED).exists(),
        what="the watched style on Plex",
    )
    card = TitleCard.objects.get()
    assert card.watched is True
    assert fake_plex.selected(key) == f"upload://posters/{card.uploaded_hash}"
    assert len(fake_plex.uploads(key)) == 2


def test_the_card_stays_when_plex_never_agrees(
    celery_worker, fake_plex, plex_tautulli, quick_retries
) -> None:
    quick_retries.TCM_WATCHED_RECHECK_DELAYS = [0.2, 0.2, 0.2]
    key = episode_with_card(fake_plex, plex_tautulli)
    before = TitleCard.objects.get()
    fake_plex.reset_counts()

    post(plex_tautulli, key, "watched")
    episode = Episode.objects.get()
    wait_until(
        lambda: cache.get(f"watched-recheck:{episode.pk}") is None, what="the re-checks to end"
    )

    after = TitleCard.objects.get()
    assert (after.style, after.fingerprint, after.uploaded_hash) == (
        before.style,
        before.fingerprint,
        before.uploaded_hash,
    )
    assert fake_plex.count(f"/library/metadata/{key}") == 1 + 3  # the event, three re-checks
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 0


def test_repeated_watched_events_share_one_chain_of_rechecks(
    celery_worker, fake_plex, plex_tautulli, quick_retries
) -> None:
    quick_retries.TCM_WATCHED_RECHECK_DELAYS = [0.5, 0.5]
    key = episode_with_card(fake_plex, plex_tautulli)
    fake_plex.reset_counts()

    for _ in range(3):
        post(plex_tautulli, key, "watched")
    episode = Episode.objects.get()
    wait_until(
        lambda: cache.get(f"watched-recheck:{episode.pk}") is None, what="the re-checks to end"
    )
    time.sleep(0.3)

    assert fake_plex.count(f"/library/metadata/{key}") == 3 + 2  # three events, one chain
