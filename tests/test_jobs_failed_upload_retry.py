"""A card whose upload failed because Plex answered 500 ends up on Plex once Plex recovers:
through render_card's own retries, or through render_due_cards when its retry is due."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from cards.card import update_card
from cards.models import Episode, TitleCard
from cards.sync import sync_library
from cards.tasks import render_card, render_due_cards
from connections.plex import PlexUnavailable
from tests.support import run_queued, wait_until


def one_episode(fake_plex, plex_connection) -> tuple[int, Episode]:
    show = fake_plex.add_series("Harbour", episodes=1)
    sync_library(plex_connection)
    return fake_plex.episodes(show)[0], Episode.objects.get()


def test_the_task_retries_a_failed_upload_until_plex_recovers(
    fake_plex, plex_connection, quick_retries
) -> None:
    quick_retries.TCM_RETRY_LIMIT = 5
    key, episode = one_episode(fake_plex, plex_connection)
    fake_plex.fail(500, times=2, prefix=f"/library/metadata/{key}/posters")

    # Called in this process, its retries too (Celery's apply runs them at once).
    assert render_card.apply(args=[episode.pk]).get() == "uploaded"

    assert fake_plex.count(f"/library/metadata/{key}/posters") >= 3  # two 500s, then through
    card = TitleCard.objects.get()
    assert (card.state, card.attempts, card.last_error) == ("uploaded", 0, "")
    assert len(fake_plex.uploads(key)) == 1


def test_render_due_cards_uploads_a_failed_card_once_its_retry_is_due(
    transactional_db, empty_broker_queue, fake_plex, plex_connection, quick_retries
) -> None:
    quick_retries.TCM_RETRY_LIMIT = 3
    quick_retries.TCM_RETRY_BASE_DELAY = 2  # the retry is due 1-2 s after the failure
    quick_retries.TCM_RETRY_MAX_DELAY = 2
    key, episode = one_episode(fake_plex, plex_connection)
    fake_plex.fail(500, prefix=f"/library/metadata/{key}/posters")
    with pytest.raises(PlexUnavailable):
        update_card(episode, plex_connection.client())
    card = TitleCard.objects.get()
    assert card.state == "failed" and "HTTP 500" in card.last_error
    assert card.attempts == 1 and card.retry_at is not None
    fake_plex.recover()

    assert render_due_cards.apply().get()["retry"] == 0  # not due yet
    run_queued()
    while timezone.now() < card.retry_at:
        time.sleep(0.05)
    summary = render_due_cards.apply().get()
    run_queued()

    assert (summary["retry"], summary["queued"]) == (1, 1)
    wait_until(lambda: TitleCard.objects.filter(state="uploaded").exists(), what="the card on Plex")
    assert len(fake_plex.uploads(key)) == 1
    # The schedule's labels go a moment after the card, many to a request (PendingLabels).
    wait_until(lambda: fake_plex.labels(key) == ["tcm"], what="tcm's label")
