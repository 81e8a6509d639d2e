"""No log line carries a stored secret, whatever path or query a client sends: near misses of
the webhook URL (a doubled slash, another case, an extra segment, a leading space, the secret
percent-encoded or with garbage after it), the secret in the query string or on another path.
Checked through the real web server (its access log and Django's warnings, as the process writes
them) and through Django's test client (what the log records and tcm's console handler hold).

A line "carries" the secret when the secret appears in it in any letter case, also once or twice
percent-decoded: a re-cased or encoded secret is the secret to whoever reads the log."""

from __future__ import annotations

import io
import logging
import socket
from urllib.parse import unquote

import pytest
from django.test import Client

from connections.models import TautulliConnection
from tests.support import WebServer


def encoded(text: str, *, lower: bool = False) -> str:
    """Every character percent-encoded."""
    return "".join((f"%{ord(c):02x}" if lower else f"%{ord(c):02X}") for c in text)


def variants(secret: str) -> list[str]:
    """Request targets (path and query) a client may send that hold the secret."""
    half = len(secret) // 2
    return [
        f"/webhooks/tautulli/{secret}/",  # the right URL
        f"/webhooks/tautulli/{secret}",
        f"/webhooks//tautulli/{secret}/",
        f"//webhooks/tautulli/{secret}/",
        f"/WEBHOOKS/TAUTULLI/{secret}/",
        f"/Webhooks/Tautulli/{secret}/",
        f"/webhooks/tautulli/{secret.swapcase()}/",
        f"/webhooks/tautulli/{secret}/extra/",
        f"/webhooks/tautulli/extra/{secret}/",
        f"/webhooks/{secret}/",
        f"/webhook/tautulli/{secret}/",
        f"/webhooks/tautulli/{secret}garbage/",
        f"/webhooks/tautulli/{secret}%00/",
        f"/webhooks/tautulli/{secret};x=1/",
        f"/webhooks/tautulli/{secret}/%ZZ",
        f"/webhooks/tautulli/{secret}/..",
        f"/webhooks/tautulli/%20{secret}/",
        f"/webhooks/tautulli/{encoded(secret)}/",
        f"/webhooks/tautulli/{encoded(secret, lower=True)}/",
        f"/webhooks/tautulli/{secret[:half]}{encoded(secret[half:])}/",
        f"/webhooks/tautulli/{encoded(secret).replace('%', '%25')}/",  # encoded twice
        f"/%77ebhooks/tautulli/{secret}/",
        f"/webhooks%2Ftautulli%2F{secret}/",
        f"/webhooks\\tautulli\\{secret}\\",
        f"/webhooks/tautulli/{secret}/?{secret}",
        f"/webhooks/tautulli/x/?secret={secret}",
        f"/nothing?{secret}",
        f"/admin/login/?next=/{secret}",
        f"/?token={secret}&x=1",
        f"/admin/?q={secret}",
        f"/{secret}",
        f"/admin/{secret}/",
        f"/static/{encoded(secret)}",
    ]


def carries(line: str, secrets: list[str]) -> bool:
    forms = {line, unquote(line), unquote(unquote(line))}
    return any(s.lower() in f.lower() for s in secrets for f in forms)


def leaks(text: str, secrets: list[str]) -> list[str]:
    return [line for line in text.splitlines() if carries(line, secrets)]


@pytest.fixture
def connection(db: None) -> TautulliConnection:
    from connections.models import PlexConnection

    plex = PlexConnection.objects.create(
        name="plex", url="http://127.0.0.1:9", token="plex-token-0123456789"
    )
    return TautulliConnection.objects.create(
        name="tautulli", url="http://127.0.0.1:9", api_key="0123456789abcdef" * 2, plex=plex
    )


def secrets_of(connection: TautulliConnection) -> list[str]:
    return [connection.webhook_secret, connection.api_key, connection.plex.token]


def targets(connection: TautulliConnection) -> list[str]:
    return [target for secret in secrets_of(connection) for target in variants(secret)]


def request_line(method: str, target: str) -> bytes:
    return (
        f"{method} {target} HTTP/1.1\r\nHost: tcm\r\nContent-Type: application/json\r\n"
        f'Content-Length: 19\r\nConnection: close\r\n\r\n{{"rating_key": "1"}}'
    ).encode()


def send_raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(data)
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    return answer


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_web_server_logs_no_secret_for_any_path(connection: TautulliConnection) -> None:
    secrets = secrets_of(connection)
    sent = 0
    with WebServer(TCM_LOG_LEVEL="DEBUG") as server:
        for target in targets(connection):
            for method in ("POST", "GET"):
                answer = send_raw(server.port, request_line(method, target))
                assert answer.startswith(b"HTTP/1.1 "), answer[:200]
                assert not answer.startswith(b"HTTP/1.1 5"), (target, answer[:300])
                sent += 1
        # A leading space and a tab: not a valid request line, whatever the server makes of it.
        for secret in secrets:
            for target in (f" /webhooks/tautulli/{secret}/", f"/webhooks/tautulli/\t{secret}/"):
                send_raw(server.port, request_line("POST", target))
    written = server.log()

    access = [line for line in written.splitlines() if "granian.access" in line]
    assert len(access) >= sent, written[-3000:]  # every request was logged, redacted
    assert "Not Found" in written  # Django's warnings are in there too
    found = leaks(written, secrets)
    print(
        f"\nmalformed paths: {sent} requests, {len(written.splitlines())} log lines, "
        f"{len(found)} carrying a secret"
    )
    assert found == [], f"{len(found)} log lines carry a secret:\n" + "\n".join(found[:20])


@pytest.mark.django_db
def test_django_logs_no_secret_for_any_path(
    connection: TautulliConnection,
    client: Client,
    caplog: pytest.LogCaptureFixture,
    console: io.StringIO,
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = secrets_of(connection)
    for target in [*targets(connection), *(f" /webhooks/tautulli/{s}/" for s in secrets)]:
        path, _, query = target.partition("?")
        for method in ("POST", "GET"):
            response = client.generic(
                method, path, b'{"rating_key": "1"}', "application/json", QUERY_STRING=query
            )
            assert response.status_code < 500, (target, response.content[:300])
    assert "Not Found" in console.getvalue()
    found = leaks(caplog.text, secrets) + leaks(console.getvalue(), secrets)
    assert found == [], f"{len(found)} log lines carry a secret:\n" + "\n".join(found[:20])
