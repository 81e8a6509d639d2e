"""The admin action "Create notification agents" sets up the two Webhook agents on Tautulli,
and running it again creates nothing new."""

from __future__ import annotations

import json

from django.test import Client

from connections.models import TautulliConnection
from tests.fakes.tautulli import FakeTautulli
from tests.support import admin_action

MEDIA_TYPES = {"parameter": "media_type", "operator": "is", "type": "str"}


def _create(client: Client, connection: TautulliConnection) -> list[tuple[str, str]]:
    messages = admin_action(client, connection, "create_agents")
    connection.refresh_from_db()
    return messages


def test_it_creates_the_two_agents(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    messages = _create(admin_client, tautulli_connection)

    assert messages == [
        (
            "success",
            "home tautulli: notification agents created “tcm - Recently Added”, “tcm - Watched”.",
        )
    ]
    added = fake_tautulli.agent(tautulli_connection.created_agent_id)
    watched = fake_tautulli.agent(tautulli_connection.watched_agent_id)
    hook = tautulli_connection.webhook_url()
    assert hook.startswith("http://192.168.1.20:8000/webhooks/tautulli/")

    assert added["agent_id"] == 25
    assert added["friendly_name"] == "tcm - Recently Added"
    assert added["config"] == {"hook": hook, "method": "POST"}
    assert [a for a, on in added["actions"].items() if on] == ["on_created"]
    assert json.loads(added["notify_text"]["on_created"]["body"]) == {
        "rating_key": "{rating_key}",
        "event": "created",
    }
    assert added["custom_conditions"] == [{**MEDIA_TYPES, "value": ["show", "season", "episode"]}]

    assert watched["friendly_name"] == "tcm - Watched"
    assert watched["config"] == {"hook": hook, "method": "POST"}
    assert [a for a, on in watched["actions"].items() if on] == ["on_watched"]
    assert json.loads(watched["notify_text"]["on_watched"]["body"]) == {
        "rating_key": "{rating_key}",
        "event": "watched",
        "user": "{user}",
        "user_id": "{user_id}",
    }
    assert watched["custom_conditions"] == [{**MEDIA_TYPES, "value": ["episode"]}]
    assert tautulli_connection.last_error == ""


def test_running_it_again_creates_nothing(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    _create(admin_client, tautulli_connection)
    ids = (tautulli_connection.created_agent_id, tautulli_connection.watched_agent_id)
    writes = fake_tautulli.count("set_notifier_config")

    messages = _create(admin_client, tautulli_connection)

    assert messages == [
        (
            "success",
            "home tautulli: notification agents already up to date: “tcm - Recently Added”, "
            "“tcm - Watched”.",
        )
    ]
    assert (tautulli_connection.created_agent_id, tautulli_connection.watched_agent_id) == ids
    assert sorted(fake_tautulli.notifiers) == sorted(ids)
    assert fake_tautulli.count("add_notifier_config") == 2
    assert fake_tautulli.count("set_notifier_config") == writes


def test_it_limits_watched_posts_to_one_user(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    tautulli_connection.username = "alice"
    tautulli_connection.agent_name = "cards"
    tautulli_connection.save()
    _create(admin_client, tautulli_connection)

    watched = fake_tautulli.agent(tautulli_connection.watched_agent_id)
    assert watched["friendly_name"] == "cards - Watched"
    assert watched["custom_conditions"] == [
        {**MEDIA_TYPES, "value": ["episode"]},
        {"parameter": "username", "operator": "is", "value": ["alice"], "type": "str"},
    ]
    # The conditions work in Tautulli: bob's watching posts nothing, alice's posts.
    assert (
        fake_tautulli.fire("on_watched", rating_key=1, media_type="episode", username="bob") == []
    )
    [delivery] = fake_tautulli.fire(
        "on_watched", rating_key=1, media_type="episode", username="alice"
    )
    assert delivery.url == tautulli_connection.webhook_url()


def test_without_watched_trigger_it_creates_one_agent_and_removes_the_other(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    _create(admin_client, tautulli_connection)
    tautulli_connection.trigger_on_watched = False
    tautulli_connection.save()

    messages = _create(admin_client, tautulli_connection)

    assert messages == [
        (
            "success",
            "home tautulli: notification agents already up to date: “tcm - Recently Added”; "
            "removed “tcm - Watched”.",
        )
    ]
    assert tautulli_connection.watched_agent_id is None
    assert list(fake_tautulli.notifiers) == [tautulli_connection.created_agent_id]


def test_it_finds_its_agents_by_name_when_it_lost_their_ids(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    _create(admin_client, tautulli_connection)
    ids = (tautulli_connection.created_agent_id, tautulli_connection.watched_agent_id)
    TautulliConnection.objects.update(created_agent_id=None, watched_agent_id=None)

    messages = _create(admin_client, tautulli_connection)

    assert "already up to date" in messages[0][1]
    assert (tautulli_connection.created_agent_id, tautulli_connection.watched_agent_id) == ids
    assert len(fake_tautulli.notifiers) == 2


def test_it_leaves_the_users_own_agents_alone(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    telegram = fake_tautulli.add_agent("my phone", agent_id=13, actions=("on_play",))
    hook = fake_tautulli.add_agent(
        "my other webhook", hook="http://example.lan/x", actions=("on_created",), body="{}"
    )
    before = {i: fake_tautulli.agent(i) for i in (telegram, hook)}

    _create(admin_client, tautulli_connection)

    assert {i: fake_tautulli.agent(i) for i in (telegram, hook)} == before
    assert len(fake_tautulli.notifiers) == 4
