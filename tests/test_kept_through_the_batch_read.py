"""The kept check goes by the job's batch read: a thumbnail a person picked in Plex (its thumb
field locked) is kept on the scheduled path without reading each episode again, and an episode
tcm never put a card on is read again whole before its first upload, so that a pick made since
an earlier read is seen too."""

from __future__ import annotations

from cards.keys import process_rating_key
from cards.maintenance import render_due_cards
from cards.models import Episode, TitleCard
from cards.sync import sync_library
from cards.tasks import render_card
from cards.thumbs import KEPT_CHOSEN


def uploads_sent(fake_plex, key: int) -> int:
    return fake_plex.count(f"/library/metadata/{key}/posters", method="POST")


def test_a_pick_seen_by_the_schedules_batch_read_is_kept(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=3)
    picked_key = fake_plex.episodes(show)[1]
    picked = fake_plex.add_poster(picked_key)
    fake_plex.choose_poster(picked_key, picked)
    sync_library(plex_connection)
    queued: list[int] = []

    render_due_cards(lambda pk: queued.append(pk) or True)
    assert Episode.objects.get(rating_key=str(picked_key)).plex_thumb_locked is True
    fake_plex.reset_counts()
    results = [render_card.apply(args=[pk, False, False, True]).get() for pk in queued]

    assert results.count("uploaded") == 2
    card = TitleCard.objects.get(episode__rating_key=str(picked_key))
    assert (card.state, card.kept_reason) == ("kept", KEPT_CHOSEN)
    assert uploads_sent(fake_plex, picked_key) == 0 and fake_plex.selected(picked_key) == picked
    assert fake_plex.count(f"/library/metadata/{picked_key}") == 0  # the batch read said it


def test_an_episode_without_a_card_on_plex_is_read_again_before_its_first_upload(
    fake_plex, plex_connection
) -> None:
    show = fake_plex.add_series("Harbour", episodes=2)
    first, second = fake_plex.episodes(show)
    fake_plex.items[first].selected = None  # no still yet: its card waits
    sync_library(plex_connection)
    process_rating_key(plex_connection, str(show))
    assert TitleCard.objects.get(episode__rating_key=str(first)).state == "waiting"
    assert Episode.objects.get(rating_key=str(first)).plex_thumb_locked is False

    # Plex makes the still; then a person picks another poster before tcm looks again.
    fake_plex.items[first].selected = fake_plex.items[first].posters[0].rating_key
    picked = fake_plex.add_poster(first)
    fake_plex.choose_poster(first, picked)
    process_rating_key(plex_connection, str(show))

    card = TitleCard.objects.get(episode__rating_key=str(first))
    assert (card.state, card.kept_reason) == ("kept", KEPT_CHOSEN)
    assert uploads_sent(fake_plex, first) == 0 and fake_plex.selected(first) == picked
    assert uploads_sent(fake_plex, second) == 1
