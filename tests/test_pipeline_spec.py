"""What the renderer is given: the series' and episode's text settings, in the spec."""

from __future__ import annotations

from cards.looks import build_spec, card_settings
from cards.models import Episode, SeasonTitle, Series


def test_the_spec_carries_the_text_settings(plex_connection) -> None:
    series = Series.objects.create(
        connection=plex_connection,
        rating_key="1",
        title="Harbour",
        episode_text_format="CHAPTER {episode_number:roman}",
        hide_season_text=True,
        extras={"separator": "-"},
    )
    SeasonTitle.objects.create(series=series, episodes="2", text="BOOK TWO")
    episode = Episode.objects.create(
        connection=plex_connection,
        series=series,
        rating_key="2",
        title="The Pilot",
        title_text=r"The\nPilot",
        season_number=2,
        episode_number=4,
        absolute_number=16,
    )

    spec = build_spec(episode, card_settings(episode), "sources/x.jpg", None)

    assert spec.title == "The\nPilot"
    assert (spec.season_number, spec.episode_number, spec.absolute_number) == (2, 4, 16)
    assert spec.series_name == "Harbour"
    assert spec.episode_text_format == "CHAPTER {episode_number:roman}"
    assert spec.season_text == "BOOK TWO"
    assert spec.hide_season_text and not spec.hide_episode_text
    assert spec.extras == (("separator", "-"),)
    assert spec.source.endswith("sources/x.jpg") and spec.art is None


def test_the_plex_title_is_used_when_no_text_is_set(plex_connection) -> None:
    series = Series.objects.create(connection=plex_connection, rating_key="1", title="Harbour")
    episode = Episode.objects.create(
        connection=plex_connection, series=series, rating_key="2", title="Señor Ñandú — 日本語"
    )
    spec = build_spec(episode, card_settings(episode), "sources/x.jpg", None)
    assert spec.title == "Señor Ñandú — 日本語"
    assert spec.season_text is None and spec.episode_text is None
