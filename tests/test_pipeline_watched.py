"""The watched state picks the style; a flip re-renders only when the two styles differ."""

from __future__ import annotations

import io

from PIL import Image, ImageChops

from cards.keys import process_rating_key
from cards.models import TitleCard


def is_grey(data: bytes) -> bool:
    r, g, b = Image.open(io.BytesIO(data)).convert("RGB").split()
    # JPEG's chroma rounding leaves a grey picture a few levels off, never more.
    return (
        max(
            ImageChops.difference(r, g).getextrema()[1], ImageChops.difference(g, b).getextrema()[1]
        )
        <= 4
    )


def test_a_watched_flip_renders_the_other_style(fake_plex, plex_connection) -> None:
    plex_connection.unwatched_style = "blur grayscale"
    plex_connection.watched_style = "unique"
    plex_connection.save()
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]

    process_rating_key(plex_connection, str(key))
    unwatched = TitleCard.objects.get()
    assert (unwatched.style, unwatched.watched) == ("blur grayscale", False)
    assert is_grey(fake_plex.thumb_bytes(key))

    fake_plex.mark_watched(key)
    outcome = process_rating_key(plex_connection, str(key), "watched")

    assert (outcome.rendered, outcome.uploaded, outcome.not_watched_yet) == (1, 1, [])
    watched = TitleCard.objects.get()
    assert (watched.style, watched.watched) == ("unique", True)
    assert watched.fingerprint != unwatched.fingerprint
    assert not is_grey(fake_plex.thumb_bytes(key))
    assert len(fake_plex.uploads(key)) == 2


def test_a_flip_changes_nothing_when_both_styles_are_the_same(fake_plex, plex_connection) -> None:
    # The same style watched or not (out of the box an unwatched episode is blurred).
    plex_connection.unwatched_style = "unique"
    plex_connection.save()
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    process_rating_key(plex_connection, str(key))

    fake_plex.mark_watched(key)
    outcome = process_rating_key(plex_connection, str(key), "watched")

    assert (outcome.rendered, outcome.uploaded) == (0, 0)
    assert TitleCard.objects.get().watched is True
    assert len(fake_plex.uploads(key)) == 1


def test_a_watched_event_plex_does_not_agree_with_yet_is_reported(
    fake_plex, plex_connection
) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]

    outcome = process_rating_key(plex_connection, str(key), "watched")

    card = TitleCard.objects.get()
    assert outcome.not_watched_yet == [card.episode_id]
    assert card.watched is False
