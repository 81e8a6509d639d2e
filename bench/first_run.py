"""Benchmark: first run to first cards. A fresh install, `./tcm run` as a person starts it (web,
worker, beat; SQLite and the embedded broker in a new data dir, no Redis), an admin who adds a
Plex connection and clicks nothing else: how long from saving the connection until every card
is on Plex.

    .venv/bin/python bench/first_run.py [--shows 2] [--seasons 1] [--episodes 5] [--runs 3]

The fake Plex server from tests/fakes/plex.py runs in this process and notes when each upload
arrives. The form is posted over HTTP as the browser would (login, CSRF token, the add form).

Prints, per run: save -> last card on Plex (the figure a person sees), and beside it the floor
measured in the same run: the sync-and-render job's own run time (from its JobRun), which is the
work itself; the difference is the wait for the worker (the embedded broker's polling, and the
schedule's first runs, which beat starts 10 s after it starts).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.fakes.plex import FakePlex  # noqa: E402
from tests.support import plex_admin_form  # noqa: E402

PASSWORD = "bench-first-run-pw-31415"


def tcm_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TCM_", "REDIS_", "DATABASE_"))}
    env.update(
        TCM_DATA_DIR=str(data_dir),
        TCM_ENV_FILE=os.devnull,
        TCM_VENV=sys.prefix,
        TCM_ADMIN_PASSWORD=PASSWORD,
        PYTHONUNBUFFERED="1",
    )
    return env


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30).text
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def one_run(args: argparse.Namespace) -> tuple[float, float, int]:
    with FakePlex() as plex, tempfile.TemporaryDirectory() as tmp:
        for n in range(args.shows):
            plex.add_series(f"Show {n + 1}", seasons=args.seasons, episodes=args.episodes)
        episodes = plex.episodes()
        data_dir = Path(tmp) / "data"
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = Path(tmp) / "run.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [str(ROOT / "tcm"), "run", "--listen", f"127.0.0.1:{port}"],
                env=tcm_env(data_dir),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + 300
            while "tcm is running" not in log_path.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"./tcm run did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
            session = requests.Session()
            login = f"{url}/admin/login/"
            token = csrf(session, login)
            session.post(
                login,
                {"csrfmiddlewaretoken": token, "username": "admin", "password": PASSWORD},
                headers={"Referer": login},
                timeout=30,
            )
            add = f"{url}/admin/connections/plexconnection/add/"
            form = {
                **plex_admin_form(plex.url, plex.token),
                "csrfmiddlewaretoken": csrf(session, add),
                "_save": "Save",
            }
            saved = time.monotonic()
            answer = session.post(add, form, headers={"Referer": add}, timeout=60)
            assert "renders and uploads" in answer.text, answer.text[-2000:]
            while not all(plex.uploads(key) for key in episodes):
                if time.monotonic() - saved > 300:
                    raise SystemExit("not every card reached Plex within 5 minutes")
                time.sleep(0.05)
            took = time.monotonic() - saved
            # The job records its end a moment after its last upload.
            database = sqlite3.connect(data_dir / "tcm.sqlite3")
            query = (
                "SELECT started_at, finished_at FROM cards_jobrun WHERE kind = 'sync_and_render'"
                " AND finished_at IS NOT NULL ORDER BY id LIMIT 1"
            )
            while (row := database.execute(query).fetchone()) is None:
                time.sleep(0.1)
            database.close()
            started, finished = (datetime.fromisoformat(t) for t in row)
            job = (finished - started).total_seconds()
            return took, job, len(episodes)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shows", type=int, default=2)
    parser.add_argument("--seasons", type=int, default=1)
    parser.add_argument("--episodes", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    for n in range(args.runs):
        took, job, cards = one_run(args)
        print(
            f"run {n + 1}: {cards} cards on Plex {took:.1f} s after saving the connection; "
            f"floor (the job's own run time): {job:.1f} s; waiting for the worker: "
            f"{took - job:.1f} s  (load {os.getloadavg()[0]:.2f})"
        )


if __name__ == "__main__":
    main()
