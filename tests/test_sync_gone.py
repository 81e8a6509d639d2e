"""Episodes and series Plex no longer has are flagged, not deleted (their cards are kept)."""

from __future__ import annotations

import pytest

from cards.models import Episode, Series
from cards.sync import sync_library
from connections.plex import PlexUnavailable


def test_it_flags_removed_episodes_and_shows(fake_plex, plex_connection) -> None:
    kept = fake_plex.add_series("Harbour", episodes=3)
    removed_show = fake_plex.add_series("Cancelled", episodes=2)
    sync_library(plex_connection)

    gone_episode = fake_plex.episodes(kept)[1]
    fake_plex.remove(gone_episode)
    fake_plex.remove(removed_show)
    counts = sync_library(plex_connection)

    assert counts.episodes_gone == 3 and counts.series_gone == 1
    assert not Episode.objects.get(rating_key=str(gone_episode)).present
    assert not Series.objects.get(rating_key=str(removed_show)).present
    assert Episode.objects.filter(present=True).count() == 2
    assert Series.objects.get(rating_key=str(kept)).present


def test_it_flags_nothing_when_the_walk_is_cut_short(fake_plex, plex_connection, settings) -> None:
    settings.TCM_PLEX_PAGE_SIZE = 2
    fake_plex.add_series("Harbour", episodes=6)
    sync_library(plex_connection)
    fake_plex.remove(fake_plex.episodes()[-1])

    # Two counts, the show page and the first episode page answer; the next page fails.
    fake_plex.fail(500, after=4, prefix="/library/sections/1/all")
    with pytest.raises(PlexUnavailable):
        sync_library(plex_connection)

    assert not Episode.objects.filter(present=False).exists()
    fake_plex.recover()
    assert sync_library(plex_connection).episodes_gone == 1
