"""tcm's web server: Granian serving tcm_site.wsgi (`python -m tcm_site.webserver`).

Granian (Rust, HTTP handled outside the GIL) rather than gunicorn: it spends less CPU per webhook
post than gunicorn's gthread worker, with the same answers (bench/README.md, "Webhook intake").
It reads each connection asynchronously, so a slow or stalled client holds no Python thread; the
WSGI app runs on `TCM_WEB_THREADS` threads in each of `TCM_WEB_WORKERS` processes. paperless-ngx
made the same move.

The access log goes through the same secret-redacting filter as the app's logs: the webhook URL
carries the connection's secret in its path.

Settings (environment): TCM_LISTEN (host:port, default 0.0.0.0:8000), TCM_WEB_WORKERS (2),
TCM_WEB_THREADS (4), TCM_ACCESS_LOG (1: on).
"""

from __future__ import annotations

import os
import sys
from typing import Any

ACCESS_FORMAT = '%(addr)s "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).0fms'


def listen_address(listen: str) -> tuple[str, int]:
    """`host:port` (IPv6 as `[::]:8000`) as Granian takes it."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"TCM_LISTEN must be host:port, e.g. 0.0.0.0:8000, not {listen!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


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


def server() -> Any:
    """The Granian server as tcm runs it, configured from the environment."""
    from granian.constants import HTTPModes, Interfaces
    from granian.server import Server

    env = os.environ
    host, port = listen_address(env.get("TCM_LISTEN", "0.0.0.0:8000"))
    return Server(
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
        web = server()
    except ValueError as exc:
        sys.exit(f"error: {exc}")
    web.serve()


if __name__ == "__main__":
    main()
