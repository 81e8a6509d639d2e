"""Fixtures shared by the whole suite: a real Celery worker on the real Redis."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[object]:
    """A real Celery worker (threads in this process) consuming from the test run's Redis queues.

    Needs a transactional database: the worker's threads use their own connections and only see
    committed rows.
    """
    import celery.contrib.testing.tasks  # noqa: F401  (the ping task start_worker checks with)
    from celery.contrib.testing.worker import start_worker

    from tcm_site.celery import app

    with start_worker(
        app, pool="threads", concurrency=4, perform_ping_check=True, shutdown_timeout=20
    ) as worker:
        yield worker


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests import settings

    if settings.OWNS_DATA_DIR:
        shutil.rmtree(os.environ["TCM_TEST_DATA_DIR"], ignore_errors=True)
