"""Helpers for tests that start real processes (worker, web server) beside the test process."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a tcm process that must share this test's database, data dir and Redis."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


PYTHON = sys.executable


def admin_action(client: object, obj: object, action: str) -> list[tuple[str, str]]:
    """Run a changelist action of the admin on `obj` as a logged-in user, the way the admin page
    posts it; returns the messages the page then shows, as (level tag, text)."""
    from django.urls import reverse

    meta = obj._meta  # type: ignore[attr-defined]
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    data = {"action": action, "_selected_action": [obj.pk]}  # type: ignore[attr-defined]
    response = client.post(url, data, follow=True)  # type: ignore[attr-defined]
    assert response.status_code == 200, response.content[:500]
    assert response.redirect_chain, "the action did not run"
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def wait_until(condition: Callable[[], object], timeout: float = 20, what: str = "") -> object:
    """Poll `condition` until it returns something true (work done by a worker); fail after
    `timeout` seconds, saying what was awaited."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.05)
