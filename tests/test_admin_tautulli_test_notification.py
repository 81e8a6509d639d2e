""" "Send test notification" has Tautulli post through tcm's agent and shows whether tcm received
it and how long it took, or why not."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.test import Client

from cards.models import WebhookEvent
from connections.models import TautulliConnection
from tests.fakes.tautulli import FakeTautulli
from tests.support import admin_action, wait_until


def _with_agents(client: Client, connection: TautulliConnection, tcm_url: str) -> None:
    TautulliConnection.objects.filter(pk=connection.pk).update(tcm_url=tcm_url)
    admin_action(client, connection, "create_agents")
    connection.refresh_from_db()


def _test(client: Client, connection: TautulliConnection) -> tuple[str, str]:
    [message] = admin_action(client, connection, "send_test_notification")
    connection.refresh_from_db()
    return message


def test_tcm_receives_the_test_and_shows_how_long_it_took(
    transactional_db: None,
    live_server: object,
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
) -> None:
    _with_agents(admin_client, tautulli_connection, live_server.url)

    level, text = _test(admin_client, tautulli_connection)

    assert level == "success"
    assert text.startswith("home tautulli: tcm received Tautulli's test notification after ")
    assert text.endswith(" ms.")
    assert tautulli_connection.last_test_at is not None
    assert tautulli_connection.last_test_latency_ms is not None
    assert f"after {tautulli_connection.last_test_latency_ms} ms" in text
    assert tautulli_connection.last_error == ""
    # Tautulli sent the agent's text unsubstituted, to the agent's URL; no work was queued.
    delivery = fake_tautulli.deliveries[-1]
    assert delivery.url == tautulli_connection.webhook_url()
    assert json.loads(delivery.body) == {"rating_key": "{rating_key}", "event": "created"}
    assert delivery.status == 200
    assert WebhookEvent.objects.count() == 0


def test_it_says_when_tautulli_cannot_reach_tcm(
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
    closed_port: int,
) -> None:
    _with_agents(admin_client, tautulli_connection, f"http://127.0.0.1:{closed_port}")

    level, text = _test(admin_client, tautulli_connection)

    assert level == "error"
    assert text == (
        "home tautulli: Tautulli could not deliver the test to tcm at "
        f"http://127.0.0.1:{closed_port}/webhooks/tautulli/***/: Tautulli cannot reach that "
        "address, or tcm refused the post (an agent carrying an old URL or secret: run “Create "
        "notification agents”). Check 'tcm URL as Tautulli sees it'."
    )
    assert tautulli_connection.webhook_secret not in text
    assert tautulli_connection.last_error in text
    assert tautulli_connection.last_test_at is None


@contextlib.contextmanager
def _tcm_url_that_never_answers() -> Iterator[int]:
    """A loopback port that takes connections and never answers them: a tcm URL that leads to a
    firewall, or to a Docker address that swallows the packets. Closing it at the end resets the
    connections it holds, so a post still waiting on it fails instead of waiting forever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # the kernel completes the handshakes; nobody ever reads or answers
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def test_it_says_when_tautulli_is_stuck_posting_to_a_tcm_url_that_never_answers(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    threads_before = set(threading.enumerate())
    with _tcm_url_that_never_answers() as port:
        _with_agents(admin_client, tautulli_connection, f"http://127.0.0.1:{port}")
        TautulliConnection.objects.filter(pk=tautulli_connection.pk).update(timeout=1)

        started = time.monotonic()
        level, text = _test(admin_client, tautulli_connection)
        took = time.monotonic() - started

        # tcm gave up while Tautulli's post (which has no timeout) was still waiting.
        assert fake_tautulli.count("notify") == 1
        assert fake_tautulli.deliveries == []
        assert set(threading.enumerate()) - threads_before, "the fake's post is not waiting"
    # The listener is gone: the post fails, and the fake's thread that waited on it ends.
    wait_until(lambda: fake_tautulli.deliveries, 10, "Tautulli's post to fail")
    wait_until(lambda: set(threading.enumerate()) <= threads_before, 10, "the fake's threads")

    # Bounded by the connection's timeout (1 s), not by Tautulli's post.
    assert 1 <= took < 3
    assert level == "error"
    assert text == (
        "home tautulli: Tautulli answered get_notifier_config, but did not answer notify within "
        "1 s. Tautulli's webhook agent posts without a timeout and notify waits for that post, "
        "so Tautulli is most likely stuck posting to the tcm URL "
        f"http://127.0.0.1:{port}/webhooks/tautulli/***/, which does not answer. Check that "
        "Tautulli can reach that address (from Tautulli's own host or container), and set 'tcm "
        "URL as Tautulli sees it' to one it can."
    )
    assert tautulli_connection.webhook_secret not in text
    assert tautulli_connection.api_key not in text
    assert tautulli_connection.last_error in text
    assert tautulli_connection.last_test_at is None
    assert fake_tautulli.deliveries[0].error == "ConnectionError"


def test_it_says_when_the_agent_carries_an_old_secret(
    transactional_db: None,
    live_server: object,
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
) -> None:
    _with_agents(admin_client, tautulli_connection, live_server.url)
    tautulli_connection.rotate_webhook_secret()

    level, text = _test(admin_client, tautulli_connection)

    assert level == "error"
    assert "tcm refused the post (an agent carrying an old URL or secret" in text
    assert fake_tautulli.deliveries[-1].status == 404

    # Repairing the agents makes the test pass.
    admin_action(admin_client, tautulli_connection, "create_agents")
    assert _test(admin_client, tautulli_connection)[0] == "success"


def test_it_says_when_the_test_went_somewhere_else(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    # The URL leads to a server that answers 200 to anything, but is not this tcm.
    with FakeTautulli() as elsewhere:
        elsewhere.html = True
        _with_agents(admin_client, tautulli_connection, elsewhere.url.rstrip("/"))

        level, text = _test(admin_client, tautulli_connection)

    assert level == "error"
    assert "Tautulli answered that it sent the test notification, but it did not reach" in text
    assert tautulli_connection.webhook_secret not in text


@pytest.mark.django_db
def test_it_says_when_there_is_no_agent_yet_or_it_was_deleted(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    level, text = _test(admin_client, tautulli_connection)
    assert (level, text) == (
        "error",
        "home tautulli: there is no notification agent yet: run “Create notification agents”.",
    )

    _with_agents(admin_client, tautulli_connection, "http://192.168.1.20:8000")
    fake_tautulli.delete_agent(tautulli_connection.created_agent_id)
    level, text = _test(admin_client, tautulli_connection)
    assert (level, text) == (
        "error",
        "home tautulli: the agent “tcm - Recently Added” no longer exists on Tautulli: run "
        "“Create notification agents” again.",
    )


@pytest.mark.django_db
def test_it_sends_no_test_through_an_agent_that_is_no_longer_tcms(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    # The user turned tcm's agent into one of their own in Tautulli's UI: it must not post ours.
    _with_agents(admin_client, tautulli_connection, "http://192.168.1.20:8000")
    fake_tautulli.edit_agent(
        tautulli_connection.created_agent_id,
        friendly_name="my own hook",
        hook="http://192.168.1.30:9000/hook",
    )

    level, text = _test(admin_client, tautulli_connection)

    assert (level, text) == (
        "error",
        "home tautulli: the agent “tcm - Recently Added” no longer exists on Tautulli: run "
        "“Create notification agents” again.",
    )
    assert fake_tautulli.count("notify") == 0
