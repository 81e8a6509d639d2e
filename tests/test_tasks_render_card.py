"""render_card: the per-episode task behind the admin's actions and the schedule. Called in this
process (Celery's apply): what it returns and leaves behind is the point, not the worker."""

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


def test_it_renders_uploads_and_is_idempotent(fake_plex, plex_connection) -> None:
    key, episode = _synced_episode(fake_plex, plex_connection)

    assert render_card.apply(args=[episode.pk]).get() == "uploaded"
    assert render_card.apply(args=[episode.pk]).get() == "unchanged"
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1


def test_it_puts_back_a_card_plex_dropped_since(fake_plex, plex_connection) -> None:
    # "Render and upload now" on a card the record calls uploaded: Plex is asked, not the record
    # (a metadata refresh drops uploaded thumbnails).
    key, episode = _synced_episode(fake_plex, plex_connection)
    render_card.apply(args=[episode.pk]).get()
    fake_plex.refresh_metadata(key)

    assert render_card.apply(args=[episode.pk]).get() == "uploaded"
    card = TitleCard.objects.get()
    assert fake_plex.selected(key) == f"upload://posters/{card.uploaded_hash}"
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 2


def test_force_upload_sends_the_card_again(fake_plex, plex_connection) -> None:
    key, episode = _synced_episode(fake_plex, plex_connection)
    render_card.apply(args=[episode.pk]).get()

    assert render_card.apply(args=[episode.pk, True]).get() == "uploaded"
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 2


def test_it_reads_the_watched_state_from_plex_first(fake_plex, plex_connection) -> None:
    plex_connection.unwatched_style = "blur"
    plex_connection.save()
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    sync_library(plex_connection)
    fake_plex.mark_watched(key)  # after the sync: the row still says unwatched

    render_card.apply(args=[Episode.objects.get().pk]).get()

    card = TitleCard.objects.get()
    assert (card.watched, card.style) == (True, "unique")


def test_plex_down_is_recorded_on_the_card_with_when_to_retry(
    fake_plex, plex_connection, quick_retries
) -> None:
    quick_retries.TCM_RETRY_LIMIT = 2
    fake_plex.add_series("Harbour", episodes=1)
    sync_library(plex_connection)
    fake_plex.reset_counts()
    fake_plex.fail(502)

    assert render_card.apply(args=[Episode.objects.get().pk]).get() == "failed"

    card = TitleCard.objects.get()
    assert card.state == TitleCard.State.FAILED and card.attempts == 2
    assert "HTTP 502" in card.last_error and card.retry_at is not None
    # One request per attempt, each refused (the connection is made once per process).
    assert sum(fake_plex.counts().values()) == 2
    fake_plex.recover()
    assert render_card.apply(args=[card.episode_id]).get() == "uploaded"
    card.refresh_from_db()
    assert (card.attempts, card.last_error, card.retry_at) == (0, "", None)
