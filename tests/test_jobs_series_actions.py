"""The admin's actions "Sync from Plex" and "Render and upload all cards" on series, and "Sync
now" on Plex connections, run as jobs whose progress and summary are kept in a JobRun."""

from __future__ import annotations

from cards.models import Episode, Series, TitleCard
from cards.sync import sync_library
from tests.support import admin_action, finished_run, run_queued


def test_render_and_upload_all_cards_runs_as_a_job_with_progress(
    transactional_db, empty_broker_queue, admin_client, fake_plex, plex_connection
) -> None:
    show = fake_plex.add_series("Harbour", seasons=2, episodes=2)
    sync_library(plex_connection)
    series = Series.objects.get()

    [(level, text)] = admin_action(admin_client, series, "render_all_cards")
    run_queued()

    assert level == "success" and "progress" in text
    run = finished_run("render_series", series.pk)
    assert run.status == "ok"
    assert run.progress_done == run.progress_total == 4
    assert run.summary == {"episodes": 4, "rendered": 4, "uploaded": 4, "busy": 0, "failed": 0}
    assert TitleCard.objects.filter(state="uploaded").count() == 4
    assert all(fake_plex.labels(k) == ["tcm"] for k in fake_plex.episodes(show))


def test_sync_from_plex_rereads_the_shows_episodes(
    transactional_db, empty_broker_queue, admin_client, fake_plex, plex_connection
) -> None:
    show = fake_plex.add_series("Harbour", episodes=3)
    sync_library(plex_connection)
    series = Series.objects.get()
    season = fake_plex.items[show].children[0]
    gone, *_ = fake_plex.episodes(show)
    fake_plex.remove(gone)
    new = fake_plex.add_episode(season, 4, "Episode 4")
    fake_plex.reset_counts()

    admin_action(admin_client, series, "sync_from_plex")
    run_queued()

    run = finished_run("sync_series", series.pk)
    assert (run.status, run.summary) == ("ok", {"episodes": 3, "episodes_gone": 1})
    assert Episode.objects.get(rating_key=str(new)).title == "Episode 4"
    assert Episode.objects.get(rating_key=str(gone)).present is False
    assert fake_plex.count(f"/library/metadata/{show}/allLeaves") == 1
    assert fake_plex.count("/library/sections/1/all") == 0  # the show only, not the library


def test_sync_now_on_a_plex_connection(
    transactional_db, empty_broker_queue, admin_client, fake_plex, plex_connection
) -> None:
    fake_plex.add_series("Harbour", episodes=3)

    [(level, _text)] = admin_action(admin_client, plex_connection, "sync_now")
    run_queued()

    assert level == "success"
    run = finished_run("sync_and_render", plex_connection.pk)
    assert run.status == "ok" and run.summary["episodes"] == 3
    # The show and its 3 episodes synced, then 3 cards.
    assert run.progress_done == run.progress_total == 7
