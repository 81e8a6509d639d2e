"""GET /healthz: is the database up, does the broker answer, is a worker alive?"""

from __future__ import annotations

import logging
import time

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app

log = logging.getLogger(__name__)

# Short on purpose: a monitoring probe (Docker's healthcheck) must get its answer quickly.
PING_TIMEOUT = 1.5


def _check(fn: object) -> dict[str, object]:
    started = time.monotonic()
    try:
        detail = fn()  # type: ignore[operator]
        ok = True
    except Exception as exc:  # any failure is a finding here, never a 500
        log.warning("health check %s failed: %s", getattr(fn, "__name__", fn), exc)
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    result: dict[str, object] = {"ok": ok, "ms": round((time.monotonic() - started) * 1000, 1)}
    if detail:
        result["detail"] = detail
    return result


def database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def broker() -> None:
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=PING_TIMEOUT)


def worker() -> str:
    # limit=1: answer as soon as one worker replied instead of waiting out the timeout.
    replies = app.control.ping(timeout=PING_TIMEOUT, limit=1)
    if not replies:
        raise RuntimeError("no worker answered a ping")
    return ", ".join(sorted(name for reply in replies for name in reply))


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check(database), "broker": _check(broker)}
    # A worker cannot answer through a broker that is down; don't wait for it then.
    checks["worker"] = (
        _check(worker) if checks["broker"]["ok"] else {"ok": False, "detail": "broker down"}
    )
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse({"ok": healthy, "checks": checks}, status=200 if healthy else 503)
