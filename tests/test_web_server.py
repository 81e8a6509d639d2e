"""tcm's real web server (`python -m tcm_site.webserver`, what `./tcm run` and the Docker image
start) answers Tautulli's posts over HTTP: 202 and the event stored, 413 for a body declared too
large without reading it, 405 for a GET, a body sent chunked read as far as the size limit; its
access log names each request with the webhook secret redacted; SIGTERM stops it. A bad
TCM_LISTEN is a clear error."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
import requests

from cards.models import WebhookEvent
from connections.models import TautulliConnection
from tcm_site.webserver import listen_address
from tests.support import ROOT, WebServer, child_env


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_serves_the_webhook_and_redacts_its_access_log(
    tautulli_connection: TautulliConnection,
) -> None:
    with WebServer() as server:
        url = f"{server.url}/webhooks/tautulli/{tautulli_connection.webhook_secret}/"
        posted = requests.post(url, json={"rating_key": "5151", "event": "watched"}, timeout=10)
        assert posted.status_code == 202, posted.text
        event = WebhookEvent.objects.get(pk=posted.json()["id"])
        assert (event.rating_key, event.event, event.status) == ("5151", "watched", "pending")

        # Declared far too large, never sent: refused at once, not waited for.
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            path = f"/webhooks/tautulli/{tautulli_connection.webhook_secret}/"
            raw.sendall(
                f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {10**9}\r\n\r\n".encode()
            )
            assert raw.recv(100).startswith(b"HTTP/1.1 413")
        assert requests.get(url, timeout=10).status_code == 405
    assert server.returncode == 0  # SIGTERM stops it cleanly
    written = server.log()

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


def chunked(body: bytes, size: int = 7) -> bytes:
    """`body` in the chunked transfer coding, `size` bytes a chunk."""
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"


def post_chunked(port: int, path: str, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode()
            + data
        )
        answer = b""
        while part := raw.recv(65536):
            answer += part
    return answer


@pytest.mark.django_db(transaction=True)
def test_it_reads_a_chunked_body_as_far_as_the_limit(
    tautulli_connection: TautulliConnection,
) -> None:
    """A post sent with Transfer-Encoding: chunked (no Content-Length) is read like any other;
    one over the size limit is refused with a 413 once the limit is passed, without waiting for
    the rest."""
    path = f"/webhooks/tautulli/{tautulli_connection.webhook_secret}/"
    with WebServer() as server:
        answer = post_chunked(server.port, path, chunked(b'{"rating_key": "5151"}'))
        assert answer.startswith(b"HTTP/1.1 202"), answer
        event = WebhookEvent.objects.get()
        assert (event.rating_key, event.status) == ("5151", "pending")

        big = b'{"rating_key": "1", "pad": "' + b"x" * 70_000 + b'"}'
        answer = post_chunked(server.port, path, chunked(big, 4096))
        assert answer.startswith(b"HTTP/1.1 413"), answer
        assert b"body larger than 65536 bytes" in answer

        # The limit passed, the rest never sent: the answer comes at once.
        answer = post_chunked(server.port, path, b"%x\r\n" % 100_000 + b"x" * 70_000)
        assert answer.startswith(b"HTTP/1.1 413"), answer

        answer = post_chunked(server.port, path, b"0\r\n\r\n")  # chunked, and empty
        assert answer.startswith(b"HTTP/1.1 400") and b"empty body" in answer
    assert WebhookEvent.objects.count() == 1
