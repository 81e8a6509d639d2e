"""The scheduled "Render and upload due cards" runs to the end on SQLite while the workers commit
beside it: its reads come in batches and never hold a snapshot open across its own writes (the
progress it reports), which SQLite refuses with "database is locked" once another connection
has committed since the snapshot began (no busy timeout helps there)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection as django_connection

from cards.maintenance import render_due_cards as find_due_cards
from cards.models import Episode, JobRun, Series, TitleCard
from cards.sync import sync_library
from cards.tasks import render_due_cards, verify_cards
from connections.models import PlexConnection
from tests.support import WorkerProcess, wait_until

pytestmark = pytest.mark.skipif(
    django_connection.vendor != "sqlite", reason="SQLite's snapshot rule is the subject"
)

# The job's reads and the library, small: what matters is a library of several reads, with the
# job writing its progress (at least once per read) while other connections commit. The bug was
# a read left open across those writes (`.iterator(chunk_size=500)`, a library of over 500).
BATCH = 20
EPISODES = 52  # more than two reads' worth


def _library(count: int) -> PlexConnection:
    connection = PlexConnection.objects.create(name="p", url="http://127.0.0.1:9", token="t")
    series = Series.objects.create(connection=connection, rating_key="1", title="Harbour")
    Episode.objects.bulk_create(
        Episode(connection=connection, series=series, rating_key=str(100 + i), title=f"E{i}")
        for i in range(count)
    )
    return connection


def _commit_from_elsewhere(name: str) -> None:
    # Another connection (a worker) commits a write: a new snapshot for everyone after it.
    import sqlite3

    other = sqlite3.connect(name, timeout=30)
    other.execute(
        "UPDATE cards_episode SET title = title || '.' "
        "WHERE id = (SELECT MIN(id) FROM cards_episode)"
    )
    other.commit()
    other.close()


@pytest.mark.django_db(transaction=True)
def test_the_job_reports_progress_while_other_connections_commit(settings: object) -> None:
    settings.TCM_JOB_BATCH_SIZE = BATCH  # type: ignore[attr-defined]
    _library(EPISODES)
    run = JobRun.objects.create(kind="render_due_cards")
    name = django_connection.settings_dict["NAME"]
    queued: list[int] = []

    def queue(pk: int) -> bool:
        # What the workers do meanwhile: render and commit, for every card queued.
        thread = threading.Thread(target=_commit_from_elsewhere, args=(name,))
        thread.start()
        thread.join()
        queued.append(pk)
        return True

    summary = find_due_cards(queue, run)

    assert (summary["checked"], summary["missing"], summary["queued"]) == (EPISODES,) * 3
    assert len(set(queued)) == EPISODES
    run.refresh_from_db()
    assert (run.progress_done, run.progress_total) == (EPISODES, EPISODES)


@pytest.mark.django_db(transaction=True)
def test_the_card_check_reads_in_batches_too(fake_plex) -> None:
    show = fake_plex.add_series("Harbour", episodes=3)
    connection = PlexConnection.objects.create(name="p", url=fake_plex.url, token=fake_plex.token)
    sync_library(connection)
    for episode in Episode.objects.all():
        TitleCard.objects.create(episode=episode, state="uploaded", uploaded_hash="0" * 40)
    # Every card is missing its file: each is rendered and uploaded again, one commit each.
    summary = verify_cards.apply(args=[connection.pk]).get()
    assert summary["checked"] == 3
    assert len(fake_plex.episodes(show)) == 3


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_scheduled_job_takes_a_library_to_done_in_one_run_with_real_workers(
    fake_plex,
) -> None:
    # More episodes than two of the job's reads (BATCH), so that its progress writes come
    # between its reads, with the workers committing meanwhile.
    show = fake_plex.add_series("Harbour", seasons=4, episodes=EPISODES // 4)
    connection = PlexConnection.objects.create(
        name="p", url=fake_plex.url, token=fake_plex.token, timeout=10
    )
    sync_library(connection)
    assert Episode.objects.count() == EPISODES

    # The job runs in a worker process, as the schedule runs it, beside the pool's renders.
    with WorkerProcess(concurrency=2, TCM_JOB_BATCH_SIZE=str(BATCH)) as worker:
        render_due_cards.delay()
        wait_until(
            lambda: TitleCard.objects.filter(state="uploaded").count() == EPISODES,
            timeout=600,
            what="every card on Plex",
        )
        run = JobRun.objects.get(kind="render_due_cards")
        assert run.status == "ok", run.error
        assert run.summary["queued"] == EPISODES
        assert "database is locked" not in worker.log()
    assert all(fake_plex.uploads(k) for k in fake_plex.episodes(show))
