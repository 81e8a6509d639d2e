"""The card is made from the episode's own still, downloaded once, and never from tcm's own
card: after the upload Plex's thumbnail IS our card (every old thumb URL serves it)."""

from __future__ import annotations

import hashlib

from django.core.files.storage import default_storage

from cards.keys import process_rating_key
from cards.models import Episode, Series, TitleCard


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def thumb_downloads(fake_plex, key: int) -> int:
    return fake_plex.count(prefix=f"/library/metadata/{key}/thumb")


def test_it_downloads_the_still_once_and_keeps_it(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]

    process_rating_key(plex_connection, str(key))
    Series.objects.update(title="Harbour (renamed)")  # a new fingerprint: render again
    outcome = process_rating_key(plex_connection, str(key))

    assert outcome.rendered == 1
    assert thumb_downloads(fake_plex, key) == 1
    episode = Episode.objects.get()
    assert episode.source_hash == sha256(fake_plex.original_bytes(key))
    with default_storage.open(episode.source_file, "rb") as fh:
        assert fh.read() == fake_plex.original_bytes(key)


def test_a_lost_cache_is_refilled_from_the_original_not_from_our_card(
    fake_plex, plex_connection
) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    process_rating_key(plex_connection, str(key))
    card = TitleCard.objects.get()
    assert fake_plex.thumb_bytes(key) != fake_plex.original_bytes(key)  # Plex shows our card

    # The data dir lost the cached still (a restore from an old backup, a new volume...).
    default_storage.delete(Episode.objects.get().source_file)
    Episode.objects.update(title_text="A New Title")
    process_rating_key(plex_connection, str(key))

    episode = Episode.objects.get()
    assert episode.source_hash == sha256(fake_plex.original_bytes(key))
    assert episode.source_hash != sha256(fake_plex.uploads(key)[0])
    assert thumb_downloads(fake_plex, key) == 1  # only the first time, before any upload
    assert TitleCard.objects.get().uploaded_hash != card.uploaded_hash


def test_a_card_from_an_earlier_install_is_recognised_by_our_label(
    fake_plex, plex_connection
) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    fake_plex.upload(key, b"an old tcm card")
    fake_plex.items[key].labels = ["tcm"]

    process_rating_key(plex_connection, str(key))

    assert Episode.objects.get().source_hash == sha256(fake_plex.original_bytes(key))
    assert thumb_downloads(fake_plex, key) == 0


def test_it_gives_up_rather_than_use_its_own_card(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    fake_plex.upload(key, b"an old tcm card")
    fake_plex.items[key].labels = ["tcm"]
    fake_plex.items[key].posters = [
        p for p in fake_plex.items[key].posters if "upload" in p.rating_key
    ]

    outcome = process_rating_key(plex_connection, str(key))

    assert outcome.rendered == 0 and outcome.uploaded == 0
    card = TitleCard.objects.get()
    assert card.state == TitleCard.State.FAILED
    assert "original cannot be recovered" in card.last_error
    assert fake_plex.thumb_bytes(key) == b"an old tcm card"


def test_an_episode_without_a_still_never_gets_the_season_poster(
    fake_plex, plex_connection
) -> None:
    show = fake_plex.add_show("Harbour")
    season = fake_plex.add_season(show, 1)
    key = fake_plex.add_episode(season, 1, "No still yet", still=False)

    outcome = process_rating_key(plex_connection, str(key))

    assert outcome.uploaded == 0
    card = TitleCard.objects.get()
    assert card.state == TitleCard.State.WAITING  # Plex often makes the still later
    assert "no still" in card.last_error
    assert card.retry_at is not None
    assert fake_plex.count(prefix=f"/library/metadata/{season}/thumb") == 0
    assert fake_plex.uploads(key) == []


def test_art_styles_use_the_show_background(fake_plex, plex_connection) -> None:
    show = fake_plex.add_show("Harbour")
    season = fake_plex.add_season(show, 1)
    key = fake_plex.add_episode(season, 1, "No still yet", still=False)
    plex_connection.unwatched_style = "art blur"
    plex_connection.save()

    outcome = process_rating_key(plex_connection, str(key))

    assert outcome.uploaded == 1
    assert fake_plex.count(prefix=f"/library/metadata/{show}/art") == 1
    series = Series.objects.get()
    assert series.art_hash == sha256(fake_plex.items[show].art.bytes())
    assert TitleCard.objects.get().style == "art blur"
