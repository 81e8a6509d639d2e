"""Rows a listing or a batch read changed are written in bulk, only the columns that changed:
after tcm's uploads (every episode's thumb and updatedAt change) a second pass does not rewrite
the rest, nor overwrite newer data another task wrote since; and reading a show's episodes
whole costs the same few queries for 3 episodes as for 30."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cards.keys import process_rating_key
from cards.models import Episode
from cards.sync import read_whole, sync_library


def test_a_second_pass_writes_the_new_thumbs_and_nothing_else(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=4)
    sync_library(plex_connection)
    process_rating_key(plex_connection, str(show))
    # Another task wrote a title from a read fresher than the listing below.
    first = Episode.objects.order_by("pk").first()
    assert first is not None
    later = timezone.now() + timedelta(minutes=1)
    Episode.objects.filter(pk=first.pk).update(title="Newer", synced_at=later)

    with CaptureQueriesContext(db) as queries:
        process_rating_key(plex_connection, str(show))

    # (executemany is logged as "N times: UPDATE ...")
    writes = [q["sql"] for q in queries if "UPDATE" in q["sql"] and "cards_episode" in q["sql"]]
    assert writes and all('"title"' not in sql and "guid_tvdb" not in sql for sql in writes)
    for key in fake_plex.episodes(show)[1:]:
        row = Episode.objects.get(rating_key=str(key))
        assert row.thumb == f"/library/metadata/{key}/thumb/{fake_plex.items[key].thumb_ts}"
    first.refresh_from_db()
    assert first.title == "Newer"


def test_a_batch_read_costs_the_same_queries_for_many_episodes(fake_plex, plex_connection) -> None:
    small = fake_plex.add_series("Small", episodes=3)
    big = fake_plex.add_series("Big", seasons=3, episodes=10)
    fake_plex.items[fake_plex.episodes(big)[4]].labels = ["kids"]
    sync_library(plex_connection)
    client = plex_connection.client()

    def queries_for(show: int) -> int:
        episodes = list(
            Episode.objects.filter(series__rating_key=str(show)).select_related("series")
        )
        with CaptureQueriesContext(db) as queries:
            read_whole(plex_connection, client, episodes)
        assert all(e.plex_labels is not None and e.plex_thumb_locked is False for e in episodes)
        return len(queries)

    assert queries_for(big) == queries_for(small)
    assert Episode.objects.get(rating_key=str(fake_plex.episodes(big)[4])).plex_labels == ["kids"]


def test_a_batch_read_leaves_newer_data_alone(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=2)
    sync_library(plex_connection)
    episodes = list(Episode.objects.select_related("series").order_by("pk"))
    later = timezone.now() + timedelta(minutes=1)
    Episode.objects.filter(pk=episodes[0].pk).update(title="Newer", synced_at=later)
    fake_plex.set_title(fake_plex.episodes(show)[0], "Plex's")

    read_whole(plex_connection, plex_connection.client(), episodes)

    assert Episode.objects.get(pk=episodes[0].pk).title == "Newer"
    assert episodes[0].title == "Newer"
