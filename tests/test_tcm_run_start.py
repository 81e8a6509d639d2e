"""`./tcm run` as a person starts it, for real: on a fresh data dir it migrates, starts web,
worker and beat, and says once that TCM_PUBLIC_URL is not set. A second `./tcm run` on the
same port (another checkout, another data dir) stops at once with a clear "address already in
use" naming the address, before it starts a worker or beat, and leaves the first one alone: the
web server never shares its port with another process (Granian's own default on Linux,
SO_REUSEPORT, would have the kernel split the requests between the two)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.redis import free_port
from tests.support import PYTHON, ROOT, fresh_env, wait_until

pytestmark = pytest.mark.slow

WARNING = "TCM_PUBLIC_URL is not set"


def tcm_env(data_dir: Path) -> dict[str, str]:
    """A fresh installation's environment, run with this test run's venv (already installed)."""
    return fresh_env(
        data_dir,
        TCM_VENV=sys.prefix,
        TCM_WEB_WORKERS="1",
        TCM_WORKER_CONCURRENCY="1",
        TCM_ADMIN_PASSWORD="first-run-pw-2718",
        PYTHONUNBUFFERED="1",
    )


@dataclass
class Running:
    url: str
    listen: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="module")
def running_tcm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """`./tcm run --listen 127.0.0.1:<port>` on a fresh data dir, until it says it is running."""
    data_dir = tmp_path_factory.mktemp("first-install")
    listen = f"127.0.0.1:{free_port()}"
    running = Running(f"http://{listen}", listen, data_dir / "run.log")
    with open(running.log_path, "wb") as log:
        process = subprocess.Popen(
            [str(ROOT / "tcm"), "run", "--listen", listen],
            env=tcm_env(data_dir),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:

        def started() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"./tcm run exited:\n{running.log()[-3000:]}")
            return "tcm is running" in running.log()

        wait_until(started, timeout=240, what="./tcm run to say it is running")
        yield running
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C: serve stops web, worker and beat
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def test_the_public_url_warning_is_shown_once_per_start(running_tcm: Running) -> None:
    assert running_tcm.log().count(WARNING) == 1, running_tcm.log()[-3000:]


def test_a_second_run_on_the_same_port_stops_at_once(running_tcm: Running, tmp_path: Path) -> None:
    second = subprocess.run(
        [str(ROOT / "tcm"), "run", "--listen", running_tcm.listen],
        env=tcm_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,  # a migration of its fresh database; it must not start serving
    )
    said = second.stdout + second.stderr

    assert second.returncode != 0
    assert f"{running_tcm.listen}: address already in use" in said, said[-3000:]
    # It stopped before it started anything: no web server, no worker, no beat of its own.
    for started in ("Listening at", "celery@", "beat: Starting", "tcm is running"):
        assert started not in said, said[-3000:]
    # The first one still answers every request alone.
    for _ in range(10):
        assert requests.get(f"{running_tcm.url}/healthz", timeout=10).status_code == 200


def test_the_running_server_has_a_favicon(running_tcm: Running) -> None:
    answer = requests.get(f"{running_tcm.url}/favicon.ico", timeout=10)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("image/")


def test_the_web_server_refuses_a_port_another_program_shares_out(tmp_path: Path) -> None:
    # Another program listening with SO_REUSEPORT, as a web server started with Granian's own
    # defaults does: a server that sets the same option would be let in beside it.
    other = socket.socket()
    other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    other.bind(("127.0.0.1", 0))
    other.listen(8)
    listen = f"127.0.0.1:{other.getsockname()[1]}"
    try:
        done = subprocess.run(
            [PYTHON, "-m", "tcm_site.webserver"],
            env={**fresh_env(tmp_path), "TCM_LISTEN": listen, "TCM_WEB_WORKERS": "1"},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        other.close()

    assert done.returncode != 0
    assert f"error: {listen}: address already in use" in done.stderr, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
