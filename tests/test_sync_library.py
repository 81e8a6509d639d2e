"""sync_library walks the TV libraries into Series/Episode rows."""

from __future__ import annotations

from datetime import date

from cards.models import Episode, Series
from cards.sync import sync_library

LONG_TITLE = "A Very Long Episode Title That Goes On " * 30  # ~1,200 characters


def test_it_syncs_two_shows_with_their_seasons(fake_plex, plex_connection) -> None:
    first = fake_plex.add_series("Northern Lights", seasons=2, episodes=3)
    second = fake_plex.add_series("Harbour", seasons=1, episodes=2)

    counts = sync_library(plex_connection)

    assert counts.libraries == ["TV Shows"]
    assert counts.series_created == 2
    assert counts.episodes_created == 8
    north = Series.objects.get(rating_key=str(first))
    assert north.title == "Northern Lights"
    assert north.library == "TV Shows"
    assert north.guid_tvdb == str(first)
    assert north.art.startswith(f"/library/metadata/{first}/art/")
    seasons = sorted(
        north.episodes.values_list("season_number", "episode_number", "title", "season_rating_key")
    )
    assert [s[:3] for s in seasons] == [
        (1, 1, "Episode 1"),
        (1, 2, "Episode 2"),
        (1, 3, "Episode 3"),
        (2, 1, "Episode 1"),
        (2, 2, "Episode 2"),
        (2, 3, "Episode 3"),
    ]
    assert len({s[3] for s in seasons}) == 2  # two seasons, each with its own key
    assert Series.objects.get(rating_key=str(second)).episodes.count() == 2
    episode = north.episodes.first()
    assert episode.watched is False
    assert episode.air_date == date(2020, 1, 1)
    assert episode.thumb.startswith(f"/library/metadata/{episode.rating_key}/thumb/")
    assert episode.present and north.present


def test_it_keeps_non_ascii_and_very_long_titles(fake_plex, plex_connection) -> None:
    show = fake_plex.add_show("Señor Ñandú — 日本語 • Ёжик")
    season = fake_plex.add_season(show, 1)
    fake_plex.add_episode(season, 1, "Ça va? Привет, мир! 東京")
    fake_plex.add_episode(season, 2, LONG_TITLE)

    sync_library(plex_connection)

    assert Series.objects.get().title == "Señor Ñandú — 日本語 • Ёжик"
    titles = dict(Episode.objects.values_list("episode_number", "title"))
    assert titles[1] == "Ça va? Привет, мир! 東京"
    # Cut to the column's length rather than failing the sync.
    assert titles[2] == LONG_TITLE[: Episode._meta.get_field("title").max_length]


def test_it_reads_the_watched_state(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=2)
    first, _second = fake_plex.episodes(show)
    fake_plex.mark_watched(first)

    sync_library(plex_connection)

    watched = dict(Episode.objects.values_list("rating_key", "watched"))
    assert watched == {str(first): True, str(_second): False}


def test_it_syncs_only_the_chosen_libraries(fake_plex, plex_connection) -> None:
    fake_plex.add_series("Kept", library="TV Shows")
    fake_plex.add_series("Ignored", library="Kids TV")
    plex_connection.libraries = "tv shows, Missing Library"
    plex_connection.save()

    counts = sync_library(plex_connection)

    assert list(Series.objects.values_list("title", flat=True)) == ["Kept"]
    assert counts.missing_libraries == ["Missing Library"]
