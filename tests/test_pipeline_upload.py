"""The card goes to Plex with uploadPoster, carries our label, and its hash is recorded; an
unchanged card is not uploaded again."""

from __future__ import annotations

import hashlib
import io

from django.core.files.storage import default_storage
from PIL import Image

from cards.keys import process_rating_key
from cards.models import TitleCard


def one_episode(fake_plex) -> int:
    show = fake_plex.add_series("Harbour", episodes=1)
    return fake_plex.episodes(show)[0]


def test_the_card_lands_on_plex_with_our_label(fake_plex, plex_connection) -> None:
    key = one_episode(fake_plex)

    outcome = process_rating_key(plex_connection, str(key))

    assert (outcome.rendered, outcome.uploaded, outcome.failed) == (1, 1, {})
    card = TitleCard.objects.get()
    on_plex = fake_plex.thumb_bytes(key)
    assert card.state == TitleCard.State.UPLOADED
    assert card.uploaded_hash == hashlib.sha1(on_plex).hexdigest()
    assert fake_plex.selected(key) == f"upload://posters/{card.uploaded_hash}"
    assert fake_plex.labels(key) == ["tcm"]
    with default_storage.open(card.file, "rb") as fh:
        assert fh.read() == on_plex
    assert Image.open(io.BytesIO(on_plex)).size == (3200, 1800)
    assert card.file.startswith(f"cards/{plex_connection.pk}/")


def test_an_unchanged_card_is_not_rendered_or_uploaded_again(fake_plex, plex_connection) -> None:
    key = one_episode(fake_plex)
    process_rating_key(plex_connection, str(key))
    first = TitleCard.objects.get()

    outcome = process_rating_key(plex_connection, str(key))

    assert (outcome.rendered, outcome.uploaded) == (0, 0)
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1
    again = TitleCard.objects.get()
    assert (again.file, again.rendered_at, again.uploaded_at) == (
        first.file,
        first.rendered_at,
        first.uploaded_at,
    )


def test_it_does_not_send_a_card_plex_already_shows(fake_plex, plex_connection) -> None:
    key = one_episode(fake_plex)
    process_rating_key(plex_connection, str(key))
    # The upload went through but its record did not (say the worker died right after).
    TitleCard.objects.update(state=TitleCard.State.RENDERED, uploaded_hash="")

    outcome = process_rating_key(plex_connection, str(key))

    assert outcome.uploaded == 0
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1
    assert TitleCard.objects.get().state == TitleCard.State.UPLOADED


def test_a_label_someone_else_set_stays(fake_plex, plex_connection) -> None:
    key = one_episode(fake_plex)
    fake_plex.items[key].labels = ["Favourites"]

    process_rating_key(plex_connection, str(key))

    assert fake_plex.labels(key) == ["Favourites", "tcm"]
