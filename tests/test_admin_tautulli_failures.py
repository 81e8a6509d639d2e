"""Every failure of "Create notification agents" is one clear admin message naming the
connection, is kept as the connection's last error, and never shows the API key."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from django.test import Client

from connections.models import TautulliConnection
from tests.fakes.tautulli import FakeTautulli
from tests.support import admin_action


def _fails(client: Client, connection: TautulliConnection) -> str:
    [(level, text)] = admin_action(client, connection, "create_agents")
    assert level == "error"
    assert text.startswith("home tautulli: ")
    connection.refresh_from_db()
    assert connection.last_error
    assert connection.last_error in text
    return text


def _point_at(url: str, **fields: object) -> Callable[[TautulliConnection], None]:
    def change(connection: TautulliConnection) -> None:
        TautulliConnection.objects.filter(pk=connection.pk).update(url=url, **fields)

    return change


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (
            lambda c, fake, ports: _point_at(f"http://127.0.0.1:{ports[0]}")(c),
            "connection refused. Is Tautulli running, and is the port right? "
            "This can be temporary: try again in a moment.",
        ),
        (
            lambda c, fake, ports: _point_at("http://nonexistent.invalid:8181")(c),
            "cannot connect to Tautulli at http://nonexistent.invalid:8181/api/v2: "
            "the host name does not resolve.",
        ),
        (
            lambda c, fake, ports: _point_at(f"http://127.0.0.1:{ports[1]}/", timeout=1)(c),
            "no answer within 1 s.",
        ),
        (
            lambda c, fake, ports: setattr(fake, "html", True),
            "is not Tautulli's API (it answered HTTP 200 with text/html). Check the URL",
        ),
        (
            lambda c, fake, ports: setattr(fake, "other_api", True),
            "is not Tautulli's API (it answered HTTP 401 with JSON of another kind). Check the URL",
        ),
        (
            lambda c, fake, ports: setattr(fake, "api_key", "f" * 32),
            "rejected the API key. Copy it again from Tautulli",
        ),
        (
            lambda c, fake, ports: setattr(fake, "api_enabled", False),
            "has its API switched off. Turn on Settings → Web Interface → Enable API",
        ),
        (
            # Tautulli has no key configured at all ...
            lambda c, fake, ports: setattr(fake, "api_key", ""),
            "has no API key yet. Generate one in Tautulli → Settings → Web Interface.",
        ),
        (
            # ... or one that is not 32 characters (a config.ini edited by hand).
            lambda c, fake, ports: setattr(fake, "api_key", "0123456789abcdef"),
            "has no API key yet. Generate one in Tautulli → Settings → Web Interface.",
        ),
        (
            lambda c, fake, ports: fake.fail(
                "add_notifier_config", "Failed to add notification agent.", status=400
            ),
            "creating or updating the agent “tcm - Recently Added” failed: Tautulli at ",
        ),
        (
            lambda c, fake, ports: fake.fail(
                "set_notifier_config", "Failed to save notification agent.", status=400
            ),
            "refused set_notifier_config: Failed to save notification agent.",
        ),
        (
            lambda c, fake, ports: fake.fail("get_notifiers"),
            "failed running get_notifiers (HTTP 500: Check the logs for errors)",
        ),
    ],
    ids=[
        "refused",
        "dns",
        "timeout",
        "html",
        "other-json",
        "wrong-key",
        "api-disabled",
        "key-not-generated",
        "key-not-generated-correctly",
        "add-failed",
        "set-failed",
        "tautulli-error",
    ],
)
def test_it_reports_each_failure_in_one_message(
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
    closed_port: int,
    silent_port: int,
    caplog: pytest.LogCaptureFixture,
    break_it: Callable[..., None],
    expected: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    key = tautulli_connection.api_key
    break_it(tautulli_connection, fake_tautulli, (closed_port, silent_port))

    text = _fails(admin_client, tautulli_connection)

    assert expected in text
    assert key not in text
    assert key not in tautulli_connection.last_error
    assert key not in caplog.text


def test_a_failure_half_way_keeps_what_was_created(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    # The first agent is made, the second cannot be: a second run must not duplicate the first.
    fake_tautulli.fail("add_notifier_config", "Failed to add notification agent.", 400, after=1)
    text = _fails(admin_client, tautulli_connection)
    assert "“tcm - Watched” failed" in text
    assert tautulli_connection.created_agent_id is not None

    fake_tautulli.recover("add_notifier_config")
    [(level, text)] = admin_action(admin_client, tautulli_connection, "create_agents")
    assert level == "success"
    assert text == (
        "home tautulli: notification agents created “tcm - Watched”; "
        "already up to date: “tcm - Recently Added”."
    )
    assert len(fake_tautulli.notifiers) == 2
    tautulli_connection.refresh_from_db()
    assert tautulli_connection.last_error == ""


def test_it_refuses_without_a_tcm_url(
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
    settings: object,
) -> None:
    settings.TCM_PUBLIC_URL = ""
    TautulliConnection.objects.update(tcm_url="")

    text = _fails(admin_client, tautulli_connection)

    assert "set 'tcm URL as Tautulli sees it'" in text
    assert fake_tautulli.notifiers == {}


def test_it_warns_when_tautulli_would_post_to_localhost(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    TautulliConnection.objects.update(tcm_url="http://localhost:8000")

    messages = admin_action(admin_client, tautulli_connection, "create_agents")

    assert [level for level, _ in messages] == ["success", "warning"]
    warning = messages[1][1]
    assert warning.startswith(
        "home tautulli: Tautulli will post to http://localhost:8000/webhooks/tautulli/***/"
    )
    assert tautulli_connection.webhook_secret not in warning
    assert len(fake_tautulli.notifiers) == 2
