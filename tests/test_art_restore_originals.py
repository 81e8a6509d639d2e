"""Restore originals (per episode, series and Plex connection) runs as a job with progress on a
real worker: afterwards Plex shows exactly the original still (the same bytes) and no tcm label,
and the series' cards are off. Forgetting tcm's records of a series is a separate action."""

from __future__ import annotations

from django.test import Client

from cards.card import verify_card
from cards.keys import process_rating_key
from cards.models import Episode, JobRun, Series, TitleCard
from cards.sources import sha256
from cards.tasks import render_due_cards
from tests.fakes.plex import make_jpeg
from tests.support import admin_action, run_queued, wait_until


def finished_run(kind: str, target_id: int) -> JobRun:
    return wait_until(
        lambda: (
            JobRun.objects.filter(kind=kind, target_id=target_id).exclude(status="running").first()
        ),
        what=f"the job {kind} of #{target_id}",
    )


def carded_show(fake_plex, plex_connection, title: str = "Harbour", episodes: int = 2) -> int:
    show = fake_plex.add_series(title, episodes=episodes)
    process_rating_key(plex_connection, str(show))
    for key in fake_plex.episodes(show):
        assert fake_plex.thumb_bytes(key) != fake_plex.original_bytes(key)  # our card is on
        assert "tcm" in fake_plex.labels(key)
    return show


def assert_original(fake_plex, key: int) -> None:
    assert fake_plex.thumb_bytes(key) == fake_plex.original_bytes(key)
    assert "tcm" not in fake_plex.labels(key)


def test_restoring_a_series_gives_back_the_exact_original_bytes(
    transactional_db, empty_broker_queue, admin_client: Client, fake_plex, plex_connection
) -> None:
    show = carded_show(fake_plex, plex_connection)
    series = Series.objects.get()

    [(level, text)] = admin_action(admin_client, series, "restore_originals")
    run_queued()

    assert level == "success" and "progress" in text
    run = finished_run("restore_series", series.pk)
    assert run.status == "ok", run.error
    assert run.summary["restored"] == 2
    assert run.progress_done == run.progress_total == 2
    for key in fake_plex.episodes(show):
        assert_original(fake_plex, key)
    series.refresh_from_db()
    assert series.cards_enabled is False
    assert set(TitleCard.objects.values_list("state", flat=True)) == {"restored"}

    # Nothing puts a card back afterwards: not the schedule, not a webhook's render.
    sent = fake_plex.count(method="POST")
    render_due_cards.apply()
    process_rating_key(plex_connection, str(show))
    assert fake_plex.count(method="POST") == sent


def test_restoring_one_episode_leaves_the_others_card(
    transactional_db, empty_broker_queue, admin_client: Client, fake_plex, plex_connection
) -> None:
    show = carded_show(fake_plex, plex_connection)
    first, second = fake_plex.episodes(show)
    episode = Episode.objects.get(rating_key=str(first))

    admin_action(admin_client, episode, "restore_originals")
    run_queued()

    run = finished_run("restore_series", episode.series_id)
    assert run.summary["restored"] == 1, run.summary
    assert_original(fake_plex, first)
    assert fake_plex.thumb_bytes(second) != fake_plex.original_bytes(second)


def test_restoring_a_whole_connection(
    transactional_db, empty_broker_queue, admin_client: Client, fake_plex, plex_connection
) -> None:
    shows = [carded_show(fake_plex, plex_connection, t, episodes=1) for t in ("Harbour", "Moor")]

    admin_action(admin_client, plex_connection, "restore_originals")
    run_queued()

    run = finished_run("restore_connection", plex_connection.pk)
    assert run.status == "ok" and run.summary["restored"] == 2, run.summary
    for show in shows:
        assert_original(fake_plex, fake_plex.episodes(show)[0])
    assert not Series.objects.filter(cards_enabled=True).exists()


def test_forgetting_a_series_is_its_own_action(
    admin_client: Client, fake_plex, plex_connection
) -> None:
    show = carded_show(fake_plex, plex_connection)
    series = Series.objects.get()

    [(level, text)] = admin_action(admin_client, series, "forget_records")

    assert level == "warning" and "cannot give those back" in text
    assert not TitleCard.objects.exists()
    assert not Episode.objects.exclude(source_file="").exists()
    # Plex is not touched: the cards stay on it until a restore or another upload.
    assert all("tcm" in fake_plex.labels(k) for k in fake_plex.episodes(show))
    # Cards on, tcm starts over: its old cards are not taken for a person's choice, and the
    # original still comes from what Plex keeps besides them.
    process_rating_key(plex_connection, str(show))
    assert set(TitleCard.objects.values_list("state", flat=True)) == {"uploaded"}
    for key in fake_plex.episodes(show):
        episode = Episode.objects.get(rating_key=str(key))
        assert episode.source_hash == sha256(fake_plex.original_bytes(key))


def test_a_thumbnail_a_person_chose_stays_through_a_restore(
    transactional_db, empty_broker_queue, admin_client: Client, fake_plex, plex_connection
) -> None:
    show = carded_show(fake_plex, plex_connection, episodes=1)
    key = fake_plex.episodes(show)[0]
    mine = make_jpeg(99)
    fake_plex.upload(key, mine)  # after tcm's card, a person uploads their own
    card = TitleCard.objects.select_related("episode__connection", "episode__series").get()
    verify_card(card, plex_connection.client())
    assert TitleCard.objects.get().state == "kept"

    admin_action(admin_client, Series.objects.get(), "restore_originals")
    run_queued()

    run = finished_run("restore_series", card.episode.series_id)
    assert run.summary["nothing_to_restore"] == 1, run.summary
    assert fake_plex.thumb_bytes(key) == mine
    assert "tcm" not in fake_plex.labels(key)
