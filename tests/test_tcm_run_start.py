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
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support import PYTHON, ROOT, Running, fresh_env, tcm_env, tcm_run

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

WARNING = "TCM_PUBLIC_URL is not set"


def finish(command: list[str], env: dict[str, str], timeout: float) -> tuple[int, str]:
    """Run `command` until it exits; its exit code and all it said. One that is still running
    after `timeout` seconds is stopped as Ctrl-C or `docker stop` would (serve and the web
    server then stop their own children: a kill would leave them running) and fails the test."""
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        said, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
        said, _ = process.communicate(timeout=60)
        raise AssertionError(f"still running after {timeout} s:\n{said[-3000:]}") from None
    return process.returncode, said


@pytest.fixture(scope="module")
def running_tcm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """`./tcm run --listen 127.0.0.1:<port>` on a fresh data dir, until it says it is running."""
    with tcm_run(tmp_path_factory.mktemp("first-install")) as running:
        yield running


def test_the_public_url_warning_is_shown_once_per_start(running_tcm: Running) -> None:
    assert running_tcm.log().count(WARNING) == 1, running_tcm.log()[-3000:]


def test_a_second_run_on_the_same_port_stops_at_once(running_tcm: Running, tmp_path: Path) -> None:
    # A migration of its fresh database first; then it must stop, not serve.
    code, said = finish(
        [str(ROOT / "tcm"), "run", "--listen", running_tcm.listen], tcm_env(tmp_path), 180
    )

    assert code != 0
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
        code, said = finish(
            [PYTHON, "-m", "tcm_site.webserver"],
            {**fresh_env(tmp_path), "TCM_LISTEN": listen, "TCM_WEB_WORKERS": "1"},
            60,
        )
    finally:
        other.close()

    assert code != 0
    assert f"error: {listen}: address already in use" in said, said[-2000:]
    assert "Traceback" not in said
