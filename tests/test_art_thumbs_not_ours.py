"""Art that is not tcm's is left alone: a thumbnail a person chose or uploaded in Plex is kept
(and shown so, with an action to take it over); a thumbnail Kometa drew its overlay on is never
taken as the original still; working with Kometa, tcm removes the Overlay label after its upload
and marks its card as a title card."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cards.card import verify_card
from cards.keys import process_rating_key
from cards.maintenance import due_reason
from cards.models import Episode, TitleCard
from cards.sources import sha256
from cards.thumbs import KEPT_CHOSEN, KEPT_LOCAL, is_title_card
from tests.fakes.plex import make_jpeg
from tests.support import admin_action, run_queued, wait_until


def one_episode(fake_plex) -> int:
    show = fake_plex.add_series("Harbour", episodes=1)
    return fake_plex.episodes(show)[0]


def uploads_sent(fake_plex, key: int) -> int:
    return fake_plex.count(f"/library/metadata/{key}/posters", method="POST")


def test_a_thumbnail_a_person_picked_in_plex_is_kept(fake_plex, plex_connection) -> None:
    key = one_episode(fake_plex)
    picked = fake_plex.add_poster(key)
    fake_plex.choose_poster(key, picked)

    process_rating_key(plex_connection, str(key))

    card = TitleCard.objects.get()
    assert (card.state, card.kept_reason) == ("kept", KEPT_CHOSEN)
    assert uploads_sent(fake_plex, key) == 0
    assert fake_plex.selected(key) == picked and "tcm" not in fake_plex.labels(key)
    episode = Episode.objects.select_related("card", "series", "connection").get()
    assert due_reason(episode, timezone.now()) is None  # the schedule leaves it alone


def test_a_thumbnail_a_person_uploaded_is_kept_and_not_rendered_again(
    fake_plex, plex_connection
) -> None:
    key = one_episode(fake_plex)
    mine = make_jpeg(77)
    fake_plex.upload(key, mine)

    process_rating_key(plex_connection, str(key))
    rendered_at = TitleCard.objects.get().rendered_at
    fake_plex.mark_watched(key)
    outcome = process_rating_key(plex_connection, str(key))

    card = TitleCard.objects.get()
    assert (card.state, card.kept_reason) == ("kept", KEPT_CHOSEN)
    assert outcome.rendered == 0 and card.rendered_at == rendered_at
    assert fake_plex.thumb_bytes(key) == mine


def test_a_local_file_beside_the_media_is_kept(fake_plex, plex_connection) -> None:
    plex_connection.keep_local_artwork = True
    plex_connection.save()
    key = one_episode(fake_plex)
    local = fake_plex.add_poster(key, provider="local", name="local://1234")
    fake_plex.items[key].selected = local  # Plex prefers a local asset by itself

    process_rating_key(plex_connection, str(key))

    assert TitleCard.objects.get().kept_reason == KEPT_LOCAL
    assert uploads_sent(fake_plex, key) == 0


def test_a_local_file_is_replaced_without_a_look_at_the_posters_by_default(
    fake_plex, plex_connection
) -> None:
    # A local file shows without a lock; unless the connection keeps local artwork, the
    # unlocked thumb says nobody chose it and the posters list is not asked for.
    key = one_episode(fake_plex)
    local = fake_plex.add_poster(key, provider="local", name="local://1234")
    fake_plex.items[key].selected = local

    process_rating_key(plex_connection, str(key))

    assert TitleCard.objects.get().state == "uploaded"
    assert uploads_sent(fake_plex, key) == 1
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="GET") == 0


def test_a_thumbnail_plex_chose_by_itself_is_replaced(fake_plex, plex_connection) -> None:
    key = one_episode(fake_plex)
    fake_plex.add_poster(key)  # another poster on offer, but nobody picked it

    process_rating_key(plex_connection, str(key))

    assert TitleCard.objects.get().state == "uploaded"
    assert uploads_sent(fake_plex, key) == 1


def test_the_admin_shows_it_kept_and_takes_it_over_when_asked(
    transactional_db, empty_broker_queue, admin_client: Client, fake_plex, plex_connection
) -> None:
    key = one_episode(fake_plex)
    fake_plex.upload(key, make_jpeg(77))
    process_rating_key(plex_connection, str(key))
    episode = Episode.objects.get()

    page = admin_client.get(reverse("admin:cards_episode_changelist")).content.decode()
    assert KEPT_CHOSEN in page

    [(level, _)] = admin_action(admin_client, episode, "take_over")
    run_queued()

    assert level == "success"
    card = wait_until(
        lambda: TitleCard.objects.filter(state="uploaded").first(), what="the card taken over"
    )
    assert card.take_over and card.kept_reason == ""
    assert fake_plex.thumb_bytes(key) == fake_plex.uploads(key)[-1]
    assert fake_plex.labels(key) == ["tcm"]


def test_a_kometa_overlay_is_not_taken_for_the_original(fake_plex, plex_connection) -> None:
    key = one_episode(fake_plex)
    original = fake_plex.original_bytes(key)
    overlaid = fake_plex.kometa_overlay(key)

    process_rating_key(plex_connection, str(key))

    episode = Episode.objects.get()
    assert episode.source_hash == sha256(original) != sha256(overlaid)
    assert TitleCard.objects.get().state == "uploaded"  # Kometa's upload is no person's choice
    # Without the switch tcm leaves Kometa's label alone.
    assert set(fake_plex.labels(key)) == {"Overlay", "tcm"}


def test_working_with_kometa(fake_plex, plex_connection) -> None:
    plex_connection.work_with_kometa = True
    plex_connection.save()
    key = one_episode(fake_plex)
    fake_plex.kometa_overlay(key)

    process_rating_key(plex_connection, str(key))

    assert fake_plex.labels(key) == ["tcm"]  # Overlay removed: Kometa overlays tcm's card next
    assert is_title_card(fake_plex.thumb_bytes(key))
    card = TitleCard.objects.select_related("episode__connection").get()
    # Kometa's next run draws its overlay on tcm's card; the daily check takes that for shown.
    fake_plex.kometa_overlay(key)
    sent = uploads_sent(fake_plex, key)
    assert verify_card(card, plex_connection.client()) is False
    assert uploads_sent(fake_plex, key) == sent


def test_without_kometa_cards_carry_no_mark(fake_plex, plex_connection) -> None:
    key = one_episode(fake_plex)

    process_rating_key(plex_connection, str(key))

    assert not is_title_card(fake_plex.thumb_bytes(key))
