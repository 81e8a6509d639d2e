"""Connections to Plex do not pile up: every Plex client of a process shares one keep-alive pool
per Plex server, of a few connections, instead of leaving a session with its idle connections
behind for each client it made. Counted on a real worker process's pool children after many
tasks, each with a client of its own, against a fake Plex that keeps connections alive as Plex
does."""

from __future__ import annotations

from collections.abc import Iterator

import psutil
import pytest

from cards.models import Episode
from cards.sync import sync_library
from cards.tasks import render_card
from connections.models import PlexConnection
from connections.plex import POOL_SIZE
from tests.fakes.plex import FakePlex
from tests.support import WorkerProcess

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def keep_alive_plex() -> Iterator[FakePlex]:
    with FakePlex(keep_alive=True) as fake:
        yield fake


def open_to(pids: list[int], port: int) -> dict[int, int]:
    """Per process, its open TCP connections to `port` on loopback."""
    counts = {}
    for pid in pids:
        connections = psutil.Process(pid).net_connections(kind="tcp")
        counts[pid] = sum(
            1
            for c in connections
            if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED
        )
    return counts


def test_clients_in_one_process_share_a_few_connections(keep_alive_plex: FakePlex) -> None:
    connection = PlexConnection.objects.create(
        name="plex", url=keep_alive_plex.url, token=keep_alive_plex.token, timeout=5
    )
    for _ in range(40):
        connection.client().server_info()
    [here] = open_to([psutil.Process().pid], keep_alive_plex.port).values()
    assert 1 <= here <= POOL_SIZE


@pytest.mark.slow
def test_a_worker_keeps_a_few_connections_to_plex_after_many_tasks(
    keep_alive_plex: FakePlex,
) -> None:
    # 40 tasks, each with a client of its own, over 5 episodes: only each episode's first task
    # renders (a card at full size costs far more than a task that finds it unchanged), the
    # connections a client leaves behind are the same whatever the task did.
    keep_alive_plex.add_series("Harbour", episodes=5)
    connection = PlexConnection.objects.create(
        name="plex", url=keep_alive_plex.url, token=keep_alive_plex.token, timeout=10
    )
    sync_library(connection)
    with WorkerProcess(concurrency=2) as worker:
        episodes = list(Episode.objects.values_list("pk", flat=True))
        results = [render_card.delay(pk) for _ in range(8) for pk in episodes]
        assert {r.get(timeout=120) for r in results} <= {"uploaded", "unchanged"}
        counts = open_to(worker.pool(), keep_alive_plex.port)
        # Counted: a graceful stop (seconds of the pool winding down) is not what this checks.
        worker.kill()
    assert len(counts) == 2
    assert all(n <= POOL_SIZE for n in counts.values()), counts
