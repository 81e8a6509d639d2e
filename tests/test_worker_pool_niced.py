"""A worker's pool processes (they render) run at a lower CPU priority than everything else of
tcm's, so that the web server answers Tautulli at once while they have every core
(TCM_WORKER_NICE, default 10; 0 leaves them as they are). The worker's main process, which
fetches tasks and relays webhook events, keeps its priority."""

from __future__ import annotations

import os

import psutil
import pytest

from tests.support import WorkerProcess, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def niceness(worker: WorkerProcess) -> tuple[int, list[int]]:
    assert worker.process is not None
    pool = worker.pool()
    assert len(pool) == worker.concurrency
    return psutil.Process(worker.process.pid).nice(), [psutil.Process(p).nice() for p in pool]


def test_the_pool_processes_render_at_a_lower_priority() -> None:
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    with WorkerProcess(concurrency=2) as worker:
        expected = (ours, [max(ours, 10)] * 2)
        assert wait_until(lambda: niceness(worker) == expected, 20, what="a niced pool")


def test_nice_zero_leaves_the_pool_as_it_was() -> None:
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    with WorkerProcess(concurrency=1, TCM_WORKER_NICE="0") as worker:
        assert niceness(worker) == (ours, [ours])
