"""What templates' filters ask about a show comes from Plex with the library sync (and with a
single key): genres, content rating, labels, collections, the number of seasons."""

from __future__ import annotations

from cards.keys import process_rating_key
from cards.looks import card_settings
from cards.models import Episode, Series, Template, TemplateFilter
from cards.sync import episodes_for_key, sync_library


def add_show(fake_plex) -> int:
    show = fake_plex.add_show(
        "Frieren",
        genres=["Animation", "Fantasy"],
        labels=["subbed"],
        collections=["Winter 2023"],
        content_rating="TV-14",
    )
    for s in (1, 2):
        fake_plex.add_episode(fake_plex.add_season(show, s), 1, "Pilot")
    return show


def facts(series: Series) -> tuple:
    return (
        series.genres,
        series.content_rating,
        series.labels,
        series.collections,
        series.season_count,
    )


EXPECTED = (["Animation", "Fantasy"], "TV-14", ["subbed"], ["Winter 2023"], 2)


def test_the_library_sync_stores_them(fake_plex, plex_connection) -> None:
    add_show(fake_plex)
    sync_library(plex_connection)
    assert facts(Series.objects.get()) == EXPECTED
    # One page of shows, no request per show.
    assert fake_plex.count(prefix="/library/metadata/") == 0


def test_a_single_key_stores_them_too(fake_plex, plex_connection) -> None:
    show = add_show(fake_plex)
    episodes_for_key(plex_connection, plex_connection.client(), str(show))
    assert facts(Series.objects.get()) == EXPECTED


def test_a_change_in_plex_reaches_the_row(fake_plex, plex_connection) -> None:
    show = add_show(fake_plex)
    sync_library(plex_connection)
    fake_plex.items[show].genres.append("Adventure")
    fake_plex.items[show].updated_at += 1
    sync_library(plex_connection)
    assert Series.objects.get().genres == ["Animation", "Fantasy", "Adventure"]


def test_a_template_on_a_plex_genre_picks_the_show(fake_plex, plex_connection) -> None:
    show = add_show(fake_plex)
    fake_plex.add_series("Harbour", episodes=1)
    anime = Template.objects.create(name="Anime", card_type="calligraphy")
    TemplateFilter.objects.create(
        template=anime, field="genre", operation="contains", value="animation"
    )
    TemplateFilter.objects.create(
        template=anime, field="label", operation="contains", value="Subbed"
    )
    sync_library(plex_connection)
    process_rating_key(plex_connection, str(show))
    types = {e.series.title: card_settings(e).card_type for e in Episode.objects.all()}
    assert types == {"Frieren": "calligraphy", "Harbour": "standard"}
