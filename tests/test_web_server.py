"""tcm's real web server (`python -m tcm_site.webserver`, what `./tcm run` and the Docker image
start) answers Tautulli's posts over HTTP: 202 and the event stored, 413 for a body declared too
large without reading it, 405 for a GET; its access log names each request with the webhook
secret redacted; SIGTERM stops it. A bad TCM_LISTEN is a clear error."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import tempfile

import pytest
import requests

from cards.models import WebhookEvent
from connections.models import TautulliConnection
from tcm_site.webserver import listen_address
from tests.redis import free_port
from tests.support import ROOT, child_env, wait_until


def _answers(url: str) -> bool:
    try:
        requests.get(url, timeout=1)
    except (requests.ConnectionError, requests.Timeout):
        # Refused before the server listens; from then on a connection waits in its backlog
        # until a worker has started.
        return False
    return True


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_serves_the_webhook_and_redacts_its_access_log(
    tautulli_connection: TautulliConnection,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/webhooks/tautulli/{tautulli_connection.webhook_secret}/"
    env = child_env(TCM_LISTEN=f"127.0.0.1:{port}", TCM_WEB_WORKERS="1", TCM_WEB_THREADS="2")
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "tcm_site.webserver"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(lambda: server.poll() is not None or _answers(base), timeout=60)
            assert server.poll() is None, "the web server exited"

            posted = requests.post(url, json={"rating_key": "5151", "event": "watched"}, timeout=10)
            assert posted.status_code == 202, posted.text
            event = WebhookEvent.objects.get(pk=posted.json()["id"])
            assert (event.rating_key, event.event, event.status) == ("5151", "watched", "pending")

            # Declared far too large, never sent: refused at once, not waited for.
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                path = f"/webhooks/tautulli/{tautulli_connection.webhook_secret}/"
                raw.sendall(
                    f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {10**9}\r\n\r\n".encode()
                )
                assert raw.recv(100).startswith(b"HTTP/1.1 413")
            assert requests.get(url, timeout=10).status_code == 405
        finally:
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=20) == 0
        log.seek(0)
        written = log.read().decode(errors="replace")

    assert '"POST /webhooks/tautulli/***/ HTTP/1.1" 202' in written, written[-2000:]
    assert '"GET /webhooks/tautulli/***/ HTTP/1.1" 405' in written
    assert tautulli_connection.webhook_secret not in written


@pytest.mark.parametrize(
    ("listen", "address"),
    [
        ("0.0.0.0:8000", ("0.0.0.0", 8000)),
        ("127.0.0.1:9001", ("127.0.0.1", 9001)),
        ("[::]:8000", ("::", 8000)),
        (":8000", ("0.0.0.0", 8000)),
    ],
)
def test_it_reads_the_listen_address(listen: str, address: tuple[str, int]) -> None:
    assert listen_address(listen) == address


@pytest.mark.slow
def test_a_bad_listen_address_is_a_clear_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tcm_site.webserver"],
        env=child_env(TCM_LISTEN="localhost"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "TCM_LISTEN must be host:port, e.g. 0.0.0.0:8000, not 'localhost'" in done.stderr
