"""Card settings resolve from the most specific place: episode, series, connection, type."""

from __future__ import annotations

from cards.looks import card_settings
from cards.models import Episode, Font, Series


def make(plex_connection) -> Episode:
    series = Series.objects.create(connection=plex_connection, rating_key="1", title="Harbour")
    return Episode.objects.create(
        connection=plex_connection, series=series, rating_key="2", title="Pilot"
    )


def test_the_connection_decides_when_nobody_else_does(plex_connection) -> None:
    plex_connection.card_type = "anime"
    plex_connection.watched_style = "unique"
    plex_connection.unwatched_style = "blur"
    plex_connection.save()

    settings = card_settings(make(plex_connection))

    assert (settings.card_type, settings.watched_style, settings.unwatched_style) == (
        "anime",
        "unique",
        "blur",
    )
    assert settings.font is None


def test_the_series_overrides_the_connection_and_the_episode_the_series(plex_connection) -> None:
    episode = make(plex_connection)
    big = Font.objects.create(name="big", size=1.4)
    small = Font.objects.create(name="small", size=0.8)
    Series.objects.update(card_type="olivier", unwatched_style="grayscale", font=big)
    Episode.objects.update(card_type="star_wars", font=small)
    episode = Episode.objects.get()

    settings = card_settings(episode)

    assert settings.card_type == "star_wars"
    assert settings.unwatched_style == "grayscale"
    assert settings.watched_style == "unique"
    assert settings.font == small


def test_blank_everywhere_means_the_card_type_defaults(plex_connection) -> None:
    plex_connection.card_type = ""
    plex_connection.save()
    settings = card_settings(make(plex_connection))
    assert settings.card_type == "standard"


def test_unknown_watched_state_gets_the_unwatched_style(plex_connection) -> None:
    plex_connection.unwatched_style = "blur"
    plex_connection.save()
    settings = card_settings(make(plex_connection))
    assert settings.style_for(None) == "blur"
    assert settings.style_for(False) == "blur"
    assert settings.style_for(True) == "unique"
