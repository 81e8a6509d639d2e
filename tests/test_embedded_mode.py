"""With REDIS_URL unset tcm runs on a machine that has only Python: SQLite and a file broker."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT, fresh_env, run_python

# Every process here starts from fresh_env: its own SQLite, whatever database the run was given.
pytestmark = pytest.mark.own_database

SHOW_SETTINGS = """
import django; django.setup()
from django.conf import settings
print(settings.CELERY_BROKER_URL, settings.DATABASES['default']['ENGINE'], settings.SECRET_KEY)
"""


@pytest.mark.slow
def test_it_defaults_to_sqlite_and_a_file_broker_in_the_data_dir(tmp_path: Path) -> None:
    broker, engine, key = run_python(SHOW_SETTINGS, fresh_env(tmp_path)).split()
    assert broker.startswith("filesystem://")
    assert engine == "django.db.backends.sqlite3"
    # The secret key is generated once, private to its owner, and kept.
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert run_python(SHOW_SETTINGS, fresh_env(tmp_path)).split()[2] == key


@pytest.mark.slow
def test_it_takes_the_secret_key_from_the_environment(tmp_path: Path) -> None:
    out = run_python(SHOW_SETTINGS, fresh_env(tmp_path, SECRET_KEY="from-env-" + "x" * 50))
    assert out.split()[2] == "from-env-" + "x" * 50
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.slow
def test_a_worker_runs_tasks_over_the_file_broker(tmp_path: Path) -> None:
    env = fresh_env(tmp_path)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tcm_site",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "warning",
            "--hostname",
            "embedded@%h",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out = run_python(
            "import django; django.setup()\n"
            "from tcm_site.celery import app, ping\n"
            "print(ping.delay().get(timeout=40))\n"
            # The first answer, as tcm's health check asks (tcm_site/health.py): without a
            # limit the ping waits out its whole timeout.
            "print(len(app.control.ping(timeout=3, limit=1)))\n",
            env,
        )
        assert out.split() == ["pong", "1"]
    finally:
        # Killed, not stopped: the test is about what it did, and a solo worker's warm
        # shutdown over the file broker takes seconds.
        worker.kill()
        worker.wait(20)
