"""Season titles as rows (by season, by absolute range, by s1e1-s2e5 range; the first match
wins, specials say SPECIALS) and absolute numbers (Plex's, or counted in air order)."""

from __future__ import annotations

from datetime import date

import pytest

from cards.filters import FilterError, parse_season_key
from cards.looks import build_spec, card_settings
from cards.models import Episode, SeasonTitle, Series
from cards.sync import sync_library


def episode_of(series: Series, season: int, number: int) -> Episode:
    return Episode.objects.get(series=series, season_number=season, episode_number=number)


def season_text(episode: Episode) -> str | None:
    return build_spec(episode, card_settings(episode), "s.jpg", None).season_text


@pytest.fixture
def show(fake_plex, plex_connection) -> Series:
    """Two seasons of 12 and 13 episodes, a special, aired in order."""
    key = fake_plex.add_show("Frieren")
    for s, count in ((1, 12), (2, 13)):
        season = fake_plex.add_season(key, s)
        for e in range(1, count + 1):
            fake_plex.add_episode(season, e, f"E{e}", air_date=date(2023, s, e))
    special = fake_plex.add_season(key, 0)
    fake_plex.add_episode(special, 1, "Recap", air_date=date(2023, 1, 5))
    sync_library(plex_connection)
    return Series.objects.get()


def test_absolute_numbers_are_counted_in_air_order_across_seasons(show: Series) -> None:
    assert episode_of(show, 1, 1).absolute_number == 1
    assert episode_of(show, 1, 12).absolute_number == 12
    assert episode_of(show, 2, 1).absolute_number == 13
    assert episode_of(show, 2, 13).absolute_number == 25
    assert episode_of(show, 0, 1).absolute_number is None  # specials are not counted


def test_plex_absolute_numbers_win_over_counting(fake_plex, plex_connection) -> None:
    key = fake_plex.add_show("One Piece")
    season = fake_plex.add_season(key, 21)
    fake_plex.add_episode(season, 1, "Land of Wano", absolute_index=892)
    fake_plex.add_episode(season, 2, "Next", air_date=date(2020, 1, 2))
    sync_library(plex_connection)
    assert Episode.objects.get(episode_number=1).absolute_number == 892
    assert Episode.objects.get(episode_number=2).absolute_number == 2


def test_absolute_number_in_a_format(show: Series) -> None:
    Series.objects.update(episode_text_format="EPISODE {absolute_number}")
    episode = episode_of(show, 2, 3)
    spec = build_spec(episode, card_settings(episode), "s.jpg", None)
    assert spec.episode_text_format == "EPISODE {absolute_number}"
    assert spec.absolute_number == 15


def test_rows_pick_by_absolute_range_episode_range_and_season(show: Series) -> None:
    SeasonTitle.objects.create(series=show, order=0, episodes="1-6", text="ARC ONE")
    SeasonTitle.objects.create(series=show, order=1, episodes="s1e7-s2e2", text="ARC TWO")
    SeasonTitle.objects.create(series=show, order=2, episodes="2", text="BOOK TWO")
    SeasonTitle.objects.create(series=show, order=3, episodes="1-25", text="NEVER SEEN")

    assert season_text(episode_of(show, 1, 1)) == "ARC ONE"
    assert season_text(episode_of(show, 1, 6)) == "ARC ONE"
    assert season_text(episode_of(show, 1, 7)) == "ARC TWO"
    assert season_text(episode_of(show, 2, 2)) == "ARC TWO"
    # s2e3 is past the episode range: the season row is the first that matches.
    assert season_text(episode_of(show, 2, 3)) == "BOOK TWO"


def test_the_first_matching_row_wins(show: Series) -> None:
    SeasonTitle.objects.create(series=show, order=0, episodes="1", text="FIRST")
    SeasonTitle.objects.create(series=show, order=1, episodes="1-12", text="SECOND")
    assert season_text(episode_of(show, 1, 4)) == "FIRST"


def test_specials_say_specials_unless_a_row_says_otherwise(show: Series) -> None:
    special = episode_of(show, 0, 1)
    # An absolute range never takes a special.
    SeasonTitle.objects.create(series=show, episodes="1-25", text="ALL")
    settings = card_settings(special)
    assert settings.season_text is None
    assert ("season text", "SPECIALS", "built-in default") in settings.sources
    SeasonTitle.objects.create(series=show, episodes="0", text="OVAS")
    assert season_text(special) == "OVAS"


def test_no_row_leaves_the_card_types_season_text(show: Series) -> None:
    assert season_text(episode_of(show, 1, 1)) is None


@pytest.mark.parametrize("key", ["12-1", "s2e1-s1e1", "season 1", "1-", "s1-s2"])
def test_a_key_that_is_no_range_is_refused(key: str) -> None:
    with pytest.raises(FilterError) as caught:
        parse_season_key(key)
    assert caught.value.field == "episodes"
