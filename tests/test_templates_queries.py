"""Templates are loaded once per job: working out which cards a change touched costs the same
few queries for ten episodes as for forty, whatever the number of templates."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cards import maintenance
from cards.models import Episode, SeasonTitle, Series, Template, TemplateFilter, TitleCard


def library(plex_connection, series: int, episodes: int) -> None:
    for s in range(series):
        show = Series.objects.create(
            connection=plex_connection, rating_key=f"s{s}", title=f"Show {s}", library="Anime"
        )
        SeasonTitle.objects.create(series=show, episodes="1", text="BOOK ONE")
        for e in range(episodes):
            episode = Episode.objects.create(
                connection=plex_connection,
                series=show,
                rating_key=f"s{s}e{e}",
                title=f"Episode {e}",
                season_number=1,
                episode_number=e + 1,
                source_file="sources/nothing.jpg",  # not kept: only Plex could tell
            )
            TitleCard.objects.create(episode=episode, state="uploaded", fingerprint="old")


def queries_for_changed_cards() -> int:
    with CaptureQueriesContext(connection) as captured:
        maintenance.changed_cards()
    return len(captured)


def test_the_queries_do_not_grow_with_the_episodes(plex_connection) -> None:
    for n in range(3):
        template = Template.objects.create(name=f"T{n}", order=n, card_type="anime")
        TemplateFilter.objects.create(
            template=template, field="library", operation="equals", value="Anime"
        )
        SeasonTitle.objects.create(template=template, episodes="1-12", text="ARC")
    library(plex_connection, series=2, episodes=5)
    few = queries_for_changed_cards()
    Episode.objects.all().delete()
    Series.objects.all().delete()
    library(plex_connection, series=4, episodes=10)
    many = queries_for_changed_cards()
    assert many == few, (few, many)
    assert few <= 12
