"""refresh_watched_state catches an episode marked watched by hand in Plex (Tautulli does not
report that): it reads the watched state in one listing request per library page, never one
request per episode, and re-renders the cards whose style must change."""

from __future__ import annotations

import io

from PIL import Image, ImageChops

from cards.keys import process_rating_key
from cards.models import Episode, TitleCard
from cards.tasks import refresh_watched_state
from tests.support import run_queued, wait_until


def is_grey(data: bytes) -> bool:
    r, g, b = Image.open(io.BytesIO(data)).convert("RGB").split()
    spread = max(
        ImageChops.difference(r, g).getextrema()[1], ImageChops.difference(g, b).getextrema()[1]
    )
    return spread <= 4  # JPEG's chroma rounding leaves grey a few levels off


def test_a_hand_marked_episode_gets_the_watched_style_from_one_listing(
    transactional_db, empty_broker_queue, fake_plex, plex_connection
) -> None:
    plex_connection.unwatched_style = "blur grayscale"
    plex_connection.watched_style = "unique"
    plex_connection.save()
    shows = [fake_plex.add_series(title, episodes=3) for title in ("Harbour", "Northern Lights")]
    for show in shows:
        process_rating_key(plex_connection, str(show))
    keys = fake_plex.episodes()
    watched = keys[4]
    assert is_grey(fake_plex.thumb_bytes(watched))
    fake_plex.mark_watched(watched)  # by hand, in Plex's own app
    fake_plex.reset_counts()

    summary = refresh_watched_state.apply().get()
    run_queued()

    assert summary == {"connections": 1, "checked": 6, "changed": 1, "queued": 1}
    assert fake_plex.count("/library/sections/1/all") == 1
    for key in keys:
        if key != watched:  # nothing was asked about the others one by one
            assert fake_plex.count(prefix=f"/library/metadata/{key}") == 0
    wait_until(
        lambda: TitleCard.objects.filter(episode__rating_key=str(watched), style="unique").exists(),
        what="the watched style",
    )
    assert Episode.objects.get(rating_key=str(watched)).watched is True
    wait_until(lambda: not is_grey(fake_plex.thumb_bytes(watched)), what="the new card on Plex")
    assert TitleCard.objects.filter(style="blur grayscale").count() == 5


def test_a_flip_that_keeps_the_style_is_stored_without_a_render(fake_plex, plex_connection) -> None:
    # The same style watched or not (out of the box an unwatched episode is blurred).
    plex_connection.unwatched_style = "unique"
    plex_connection.save()
    show = fake_plex.add_series("Harbour", episodes=2)
    process_rating_key(plex_connection, str(show))
    key = fake_plex.episodes(show)[0]
    fake_plex.mark_watched(key)

    summary = refresh_watched_state.apply().get()

    assert (summary["changed"], summary["queued"]) == (1, 0)
    assert Episode.objects.get(rating_key=str(key)).watched is True
    assert len(fake_plex.uploads(key)) == 1
