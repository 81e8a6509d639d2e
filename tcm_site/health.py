"""GET /healthz: is the database up, does the broker answer, is a worker alive, and are stored
webhook events being queued?"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app

log = logging.getLogger(__name__)

# Short on purpose: a monitoring probe (Docker's healthcheck) must get its answer quickly.
PING_TIMEOUT = 1.5
# A stored webhook event waits a fraction of a second for a worker's relay (cards/relay.py) to
# queue it; this long means no relay gets it to the broker.
RELAY_LATE = 60


def _check(fn: object, *, broker_connection: bool = False) -> dict[str, object]:
    started = time.monotonic()
    try:
        detail = _run(fn, broker_connection)
        ok = True
    except Exception as exc:  # any failure is a finding here, never a 500
        log.warning("health check %s failed: %s", getattr(fn, "__name__", fn), exc)
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    result: dict[str, object] = {"ok": ok, "ms": round((time.monotonic() - started) * 1000, 1)}
    if detail:
        result["detail"] = detail
    return result


def _run(fn: object, broker_connection: bool) -> object:
    if broker_connection:
        # A connection pooled before Redis restarted is dead, and its first use finds out (and
        # drops it): one more try, on a fresh connection, tells a restart that is over from a
        # broker that is down.
        try:
            return fn()  # type: ignore[operator]
        except app.connection_for_write().connection_errors as exc:  # a lazy Connection
            name = getattr(fn, "__name__", fn)
            log.info("health check %s: %s; once more on a fresh connection", name, exc)
    return fn()  # type: ignore[operator]


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


def events() -> str:
    """Stored webhook events wait for the relay only briefly. A worker that answers pings while
    its relay is stuck would otherwise look healthy while Tautulli's posts pile up."""
    from django.db.models import Count, Min
    from django.utils import timezone

    from cards.models import WebhookEvent

    now = timezone.now()
    late = WebhookEvent.waiting_for_relay().filter(
        received_at__lt=now - timedelta(seconds=RELAY_LATE)
    )
    found = late.aggregate(count=Count("pk"), oldest=Min("received_at"))
    if found["count"]:
        waited = (now - found["oldest"]).total_seconds()
        raise RuntimeError(
            f"{found['count']} webhook event(s) not queued yet, the oldest for {waited:.0f} s: "
            "is a worker running, and can it reach the broker?"
        )
    return ""


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check(database), "broker": _check(broker, broker_connection=True)}
    checks["events"] = (
        _check(events) if checks["database"]["ok"] else {"ok": False, "detail": "database down"}
    )
    # A worker cannot answer through a broker that is down; don't wait for it then.
    checks["worker"] = (
        _check(worker, broker_connection=True)
        if checks["broker"]["ok"]
        else {"ok": False, "detail": "broker down"}
    )
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse({"ok": healthy, "checks": checks}, status=200 if healthy else 503)
