"""A second sync rewrites only what changed on Plex."""

from __future__ import annotations

from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from cards.models import Episode, Series
from cards.sync import sync_library


def test_it_does_not_rewrite_unchanged_rows(fake_plex, plex_connection) -> None:
    fake_plex.add_series("Harbour", seasons=2, episodes=4)
    sync_library(plex_connection)
    before = dict(Episode.objects.values_list("pk", "updated_at"))

    with CaptureQueriesContext(db) as queries:
        counts = sync_library(plex_connection)

    assert counts.episodes_unchanged == 8 and counts.series_unchanged == 1
    assert counts.episodes_updated == counts.episodes_created == 0
    writes = [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert writes == []
    assert dict(Episode.objects.values_list("pk", "updated_at")) == before


def test_it_rewrites_only_the_changed_episode(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=3)
    first, second, third = fake_plex.episodes(show)
    sync_library(plex_connection)
    before = dict(Episode.objects.values_list("rating_key", "updated_at"))

    fake_plex.set_title(second, "The Lighthouse")
    fake_plex.mark_watched(third)
    counts = sync_library(plex_connection)

    assert counts.episodes_updated == 2 and counts.episodes_unchanged == 1
    after = {e.rating_key: e for e in Episode.objects.all()}
    assert after[str(second)].title == "The Lighthouse"
    assert after[str(third)].watched is True
    assert after[str(first)].updated_at == before[str(first)]
    assert after[str(second)].updated_at > before[str(second)]


def test_it_picks_up_new_episodes_and_shows(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    sync_library(plex_connection)

    season = fake_plex.items[show].children[0]
    fake_plex.add_episode(season, 2, "New One")
    fake_plex.add_series("Northern Lights", episodes=2)
    counts = sync_library(plex_connection)

    assert counts.episodes_created == 3 and counts.series_created == 1
    assert Series.objects.count() == 2
    assert Episode.objects.filter(title="New One").exists()
