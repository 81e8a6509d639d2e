"""tcm's web server: Granian serving tcm_site.wsgi (`python -m tcm_site.webserver`).

Granian (Rust, HTTP handled outside the GIL) rather than gunicorn: it spends less CPU per webhook
post than gunicorn's gthread worker, with the same answers (bench/README.md, "Webhook intake").
It reads each connection asynchronously, so a slow or stalled client holds no Python thread; the
WSGI app runs on `TCM_WEB_THREADS` threads in each of `TCM_WEB_WORKERS` processes. paperless-ngx
made the same move.

The access log goes through the same secret-redacting filter as the app's logs: the webhook URL
carries the connection's secret in its path.

The listening socket is tcm's own (bind()): Granian on Linux gives each worker a socket of its own
with SO_REUSEPORT, which lets a second server (a second `./tcm run`, with another database) bind
the same port and have the kernel split the requests between the two. Bound once here, without
SO_REUSEPORT, and inherited by the workers, a port that is taken is an error at start, and nobody
can join ours.

Settings (environment): TCM_LISTEN (host:port, default 0.0.0.0:8000), TCM_WEB_WORKERS (2),
TCM_WEB_THREADS (4), TCM_ACCESS_LOG (1: on).
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from typing import Any

ACCESS_FORMAT = '%(addr)s "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).0fms'


def listen_address(listen: str) -> tuple[str, int]:
    """`host:port` (IPv6 as `[::]:8000`) as Granian takes it."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"TCM_LISTEN must be host:port, e.g. 0.0.0.0:8000, not {listen!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


class ListenError(Exception):
    """The web server cannot listen where it was told to; the message says where and why."""


def bind(host: str, port: int, backlog: int = 1024) -> socket.socket:
    """A listening TCP socket on host:port that no other process can share. Raises ListenError
    (e.g. "127.0.0.1:8000: address already in use ...")."""
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise ListenError(f"{shown}: cannot listen there ({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    # SO_REUSEADDR (not SO_REUSEPORT): a restart need not wait for the last connections'
    # TIME_WAIT, and on Linux it still refuses a port another socket listens on.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ListenError(
                f"{shown}: address already in use. Another program (another tcm?) listens "
                "there; stop it, or choose another address with TCM_LISTEN (./tcm run --listen)."
            ) from None
        raise ListenError(f"{shown}: cannot listen there ({exc.strerror})") from None
    return sock


def check_free(listen: str) -> None:
    """Raise ListenError (or ValueError for a malformed address) unless the web server can
    listen at `listen` (host:port) now."""
    bind(*listen_address(listen)).close()


def access_log_on() -> bool:
    return os.environ.get("TCM_ACCESS_LOG", "1") not in ("0", "false", "no")


def logging_config(loggers: tuple[str, ...] = ("_granian", "granian.access")) -> dict[str, Any]:
    """The server's own loggers (its messages and the access log; Granian's unless `loggers`
    names others), redacted, one line format."""
    console = {
        "class": "logging.StreamHandler",
        "formatter": "generic",
        "filters": ["redact"],
        "stream": "ext://sys.stdout",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "tcm_site.logs.RedactSecrets"}},
        "formatters": {"generic": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {"console": console},
        "loggers": {
            name: {"level": "INFO", "handlers": ["console"], "propagate": False} for name in loggers
        },
    }


def server(listener: socket.socket) -> Any:
    """The Granian server as tcm runs it, configured from the environment, serving on
    `listener` (from bind())."""
    from granian.constants import HTTPModes, Interfaces
    from granian.net import SocketHolder
    from granian.server import MPServer

    class OwnSocketServer(MPServer):
        # Granian's shared-socket path (what it does where there is no SO_REUSEPORT): the
        # workers inherit one bound socket. Granian is pinned; tests/test_tcm_run_start.py
        # catches a release that changes this hook.
        def _init_shared_socket(self) -> None:
            listener.set_inheritable(True)
            # Granian's own attributes (typed as their initial None) and its socket holder (its
            # stub leaves out the constructor: fd, is-a-Unix-socket, backlog).
            server: Any = self
            server._sso, server._sfd = listener, listener.fileno()
            holder: Any = SocketHolder
            server._shd = holder(listener.fileno(), False, self.backlog)
            server._ssp = None

    env = os.environ
    host, port = listener.getsockname()[:2]
    return OwnSocketServer(
        "tcm_site.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=int(env.get("TCM_WEB_WORKERS", "2")),
        blocking_threads=int(env.get("TCM_WEB_THREADS", "4")),
        # Plain HTTP/1.1 on a LAN (behind a TLS proxy when exposed); no websockets to serve.
        http=HTTPModes.http1,
        websockets=False,
        log_dictconfig=logging_config(),
        log_access=access_log_on(),
        log_access_format=ACCESS_FORMAT,
        # A worker that dies (a crash in a C extension) comes back instead of leaving the
        # server a worker short.
        respawn_failed_workers=True,
        workers_kill_timeout=10,
    )


def main() -> None:
    try:
        listener = bind(*listen_address(os.environ.get("TCM_LISTEN", "0.0.0.0:8000")))
    except (ValueError, ListenError) as exc:
        sys.exit(f"error: {exc}")
    server(listener).serve()


if __name__ == "__main__":
    main()
