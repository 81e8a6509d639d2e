"""render_card: the per-episode task behind the admin's actions and the schedule."""

from __future__ import annotations

from cards.models import Episode, TitleCard
from cards.sync import sync_library
from cards.tasks import render_card


def _synced_episode(fake_plex, plex_connection) -> tuple[str, Episode]:
    """One episode on Plex, synced into tcm: its rating key and its row."""
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    sync_library(plex_connection)
    return key, Episode.objects.get()


def test_it_renders_uploads_and_is_idempotent(celery_worker, fake_plex, plex_connection) -> None:
    key, episode = _synced_episode(fake_plex, plex_connection)

    assert render_card.delay(episode.pk).get(timeout=20) == "uploaded"
    assert render_card.delay(episode.pk).get(timeout=20) == "unchanged"
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1


def test_it_puts_back_a_card_plex_dropped_since(celery_worker, fake_plex, plex_connection) -> None:
    # "Render and upload now" on a card the record calls uploaded: Plex is asked, not the record
    # (a metadata refresh drops uploaded thumbnails).
    key, episode = _synced_episode(fake_plex, plex_connection)
    render_card.delay(episode.pk).get(timeout=20)
    fake_plex.refresh_metadata(key)

    assert render_card.delay(episode.pk).get(timeout=20) == "uploaded"
    card = TitleCard.objects.get()
    assert fake_plex.selected(key) == f"upload://posters/{card.uploaded_hash}"
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 2


def test_force_upload_sends_the_card_again(celery_worker, fake_plex, plex_connection) -> None:
    key, episode = _synced_episode(fake_plex, plex_connection)
    render_card.delay(episode.pk).get(timeout=20)

    assert render_card.delay(episode.pk, True).get(timeout=20) == "uploaded"
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 2


def test_it_reads_the_watched_state_from_plex_first(
    celery_worker, fake_plex, plex_connection
) -> None:
    plex_connection.unwatched_style = "blur"
    plex_connection.save()
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    sync_library(plex_connection)
    fake_plex.mark_watched(key)  # after the sync: the row still says unwatched

    render_card.delay(Episode.objects.get().pk).get(timeout=20)

    card = TitleCard.objects.get()
    assert (card.watched, card.style) == (True, "unique")


def test_plex_down_is_recorded_on_the_card_with_when_to_retry(
    celery_worker, fake_plex, plex_connection, quick_retries
) -> None:
    quick_retries.TCM_RETRY_LIMIT = 2
    show = fake_plex.add_series("Harbour", episodes=1)
    sync_library(plex_connection)
    fake_plex.reset_counts()
    fake_plex.fail(502)

    assert render_card.delay(Episode.objects.get().pk).get(timeout=20) == "failed"

    card = TitleCard.objects.get()
    assert card.state == TitleCard.State.FAILED and card.attempts == 2
    assert "HTTP 502" in card.last_error and card.retry_at is not None
    assert fake_plex.count("/") == 2
    fake_plex.recover()
    assert render_card.delay(card.episode_id).get(timeout=20) == "uploaded"
    card.refresh_from_db()
    assert (card.attempts, card.last_error, card.retry_at) == (0, "", None)
    assert show
