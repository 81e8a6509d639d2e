"""The client's commands against the fake Tautulli, which keeps the real one's semantics
(reference: tautulli-api.md). These pin down what the agent code relies on."""

from __future__ import annotations

import json

import pytest
import requests

from connections.tautulli import CommandFailed, TautulliClient
from tests.fakes.tautulli import FakeTautulli

CONDITION = {"parameter": "media_type", "operator": "is", "value": ["episode"], "type": "str"}


@pytest.fixture
def client(fake_tautulli: FakeTautulli) -> TautulliClient:
    return TautulliClient(fake_tautulli.url, fake_tautulli.api_key)


def test_set_notifier_config_resets_what_it_is_not_given_and_merges_flags(
    client: TautulliClient,
) -> None:
    agent = client.add_notifier_config()
    client.set_notifier_config(
        agent,
        25,
        friendly_name="tcm",
        webhook_hook="http://tcm.lan/hook/",
        webhook_method="PUT",
        custom_conditions=[CONDITION],
        on_created=1,
        on_created_body='{"a": 1}',
    )
    client.set_notifier_config(agent, 25, on_watched=1)

    config = client.get_notifier_config(agent)
    assert config is not None
    assert config["friendly_name"] == ""
    assert config["config"] == {"hook": "", "method": "POST"}
    assert config["custom_conditions"] == [
        {"parameter": "", "operator": "", "value": [], "type": None}
    ]
    assert config["actions"]["on_created"] == 1
    assert config["actions"]["on_watched"] == 1
    assert config["notify_text"]["on_created"]["body"] == '{"a": 1}'


def test_set_notifier_config_with_an_unknown_id_creates_an_agent(
    client: TautulliClient, fake_tautulli: FakeTautulli
) -> None:
    client.set_notifier_config(41, 25, friendly_name="new")
    assert [n["id"] for n in client.get_notifiers()] == [41]
    assert fake_tautulli.agent(41)["friendly_name"] == "new"


def test_invalid_conditions_are_refused_and_nothing_is_saved(
    client: TautulliClient, fake_tautulli: FakeTautulli
) -> None:
    agent = client.add_notifier_config()
    client.set_notifier_config(agent, 25, friendly_name="kept")
    bad = {**CONDITION, "operator": "is greater than"}
    with pytest.raises(CommandFailed) as info:
        client.set_notifier_config(agent, 25, friendly_name="lost", custom_conditions=[bad])
    assert info.value.tautulli_message == "Failed to save notification agent."
    assert fake_tautulli.agent(agent)["friendly_name"] == "kept"


def test_unknown_agents_and_ids(client: TautulliClient) -> None:
    assert client.get_notifier_config(99) is None
    client.delete_notifier(99)  # success, as Tautulli answers for ids it does not have
    with pytest.raises(CommandFailed) as info:
        client.add_notifier_config(agent_id=999)
    assert info.value.tautulli_message == "Failed to add notification agent."
    with pytest.raises(CommandFailed) as info:
        client.notify(99, body="{}")
    assert info.value.tautulli_message == "Notification failed: invalid notifier_id provided 99."


def test_notify_posts_the_body_unsubstituted_with_the_subjects_headers(
    client: TautulliClient, fake_tautulli: FakeTautulli
) -> None:
    received: list[tuple[dict[str, str], bytes]] = []
    with _Target(received) as target:
        agent = client.add_notifier_config()
        client.set_notifier_config(agent, 25, webhook_hook=target.url, webhook_method="POST")
        client.notify(agent, subject='{"X-Test":"yes"}', body='{"rating_key":"{rating_key}"}')
    headers, body = received[0]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Test"] == "yes"
    assert headers["User-Agent"].startswith("python-requests/")
    assert json.loads(body) == {"rating_key": "{rating_key}"}
    assert body == b'{"rating_key": "{rating_key}"}'  # re-serialised by json.dumps


def test_notify_fails_when_the_target_refuses_or_errs(
    client: TautulliClient, fake_tautulli: FakeTautulli
) -> None:
    agent = client.add_notifier_config()
    for hook in ("http://127.0.0.1:1/", fake_tautulli.url + "no-such-page"):
        client.set_notifier_config(agent, 25, webhook_hook=hook)
        with pytest.raises(CommandFailed) as info:
            client.notify(agent, body="{}")
        assert info.value.tautulli_message == "Notification failed."


def test_a_real_event_is_substituted_as_strings_and_filtered_by_conditions(
    client: TautulliClient, fake_tautulli: FakeTautulli
) -> None:
    received: list[tuple[dict[str, str], bytes]] = []
    with _Target(received) as target:
        agent = client.add_notifier_config()
        client.set_notifier_config(
            agent,
            25,
            webhook_hook=target.url,
            custom_conditions=[CONDITION],
            on_watched=1,
            on_watched_body='{"rating_key": "{rating_key}", "who": "{nobody}"}',
        )
        assert fake_tautulli.fire("on_watched", rating_key=5151, media_type="movie") == []
        [delivery] = fake_tautulli.fire("on_watched", rating_key=5151, media_type="episode")
    assert delivery.ok
    assert json.loads(received[0][1]) == {"rating_key": "5151", "who": "{nobody}"}


class _Target:
    """A tiny HTTP server recording what it receives."""

    def __init__(self, received: list[tuple[dict[str, str], bytes]]) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from threading import Thread

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # as the fakes: no ~40 ms wait for a delayed ACK

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"] or 0))
                received.append((dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> _Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_api_v1_points_to_v2(fake_tautulli: FakeTautulli) -> None:
    answer = requests.get(fake_tautulli.url + "api/v1", timeout=5)
    assert answer.status_code == 200
    assert answer.json()["response"]["message"] == "Please use the /api/v2 endpoint."


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"cmd": "status"}, "Parameter apikey is required"),
        ({"apikey": "x"}, "Parameter cmd is required. Possible commands are: status, "),
        ({"apikey": "x", "cmd": "nope"}, "Unknown command: nope. Possible commands are: "),
        ({"apikey": "x", "cmd": "status"}, "Invalid apikey"),
    ],
)
def test_every_error_is_a_400_envelope(
    fake_tautulli: FakeTautulli, params: dict[str, str], message: str
) -> None:
    # As the real one answers: the envelope, HTTP 400, whatever went wrong; a JSON body is not
    # read at all.
    answer = requests.get(fake_tautulli.url + "api/v2", params=params, timeout=5)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/json;charset=UTF-8"
    envelope = answer.json()["response"]
    assert envelope["result"] == "error"
    assert envelope["message"].startswith(message)
    ignored = requests.post(
        fake_tautulli.url + "api/v2",
        json={"apikey": fake_tautulli.api_key, "cmd": "status"},
        timeout=5,
    )
    assert ignored.json()["response"]["message"] == "Parameter apikey is required"
