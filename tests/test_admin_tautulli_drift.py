"""Running "Create notification agents" again repairs agents that drifted from what tcm needs:
a new tcm URL, a new secret, an agent deleted or edited in Tautulli."""

from __future__ import annotations

import pytest
from django.test import Client

from connections.models import TautulliConnection
from tests.fakes.tautulli import FakeTautulli
from tests.support import admin_action


@pytest.fixture
def agents(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> tuple[int, int]:
    admin_action(admin_client, tautulli_connection, "create_agents")
    tautulli_connection.refresh_from_db()
    return tautulli_connection.created_agent_id, tautulli_connection.watched_agent_id


def _repair(client: Client, connection: TautulliConnection) -> str:
    [(level, text)] = admin_action(client, connection, "create_agents")
    assert level == "success"
    connection.refresh_from_db()
    return text


def _hooks(fake: FakeTautulli, ids: tuple[int, int]) -> set[str]:
    return {fake.agent(i)["config"]["hook"] for i in ids}


def test_it_updates_the_agents_when_the_tcm_url_changed(
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
    agents: tuple[int, int],
) -> None:
    tautulli_connection.tcm_url = "http://10.0.0.5:8123"
    tautulli_connection.save()

    text = _repair(admin_client, tautulli_connection)

    assert text == (
        "home tautulli: notification agents updated “tcm - Recently Added” (URL), "
        "“tcm - Watched” (URL)."
    )
    assert _hooks(fake_tautulli, agents) == {tautulli_connection.webhook_url()}
    assert tautulli_connection.webhook_url().startswith("http://10.0.0.5:8123/webhooks/")
    assert len(fake_tautulli.notifiers) == 2


def test_it_updates_the_agents_when_the_secret_changed(
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
    agents: tuple[int, int],
) -> None:
    old_secret = tautulli_connection.webhook_secret
    tautulli_connection.rotate_webhook_secret()

    text = _repair(admin_client, tautulli_connection)

    assert "(webhook secret)" in text
    assert old_secret not in text and tautulli_connection.webhook_secret not in text
    assert _hooks(fake_tautulli, agents) == {tautulli_connection.webhook_url()}


def test_it_recreates_an_agent_deleted_in_tautulli(
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
    agents: tuple[int, int],
) -> None:
    created_id, watched_id = agents
    fake_tautulli.delete_agent(watched_id)

    text = _repair(admin_client, tautulli_connection)

    assert text == (
        "home tautulli: notification agents created “tcm - Watched”; "
        "already up to date: “tcm - Recently Added”."
    )
    assert tautulli_connection.created_agent_id == created_id
    new_id = tautulli_connection.watched_agent_id
    assert new_id not in (None, watched_id)
    assert fake_tautulli.agent(new_id)["actions"]["on_watched"] == 1
    assert fake_tautulli.agent(new_id)["config"]["hook"] == tautulli_connection.webhook_url()


def test_it_repairs_an_agent_edited_in_tautulli(
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
    agents: tuple[int, int],
) -> None:
    created_id, _ = agents
    # Renamed, a trigger added, conditions cleared, method changed: found by its stored id.
    fake_tautulli.edit_agent(
        created_id,
        friendly_name="renamed by hand",
        on_play=1,
        method="PUT",
        custom_conditions=[{"parameter": "", "operator": "", "value": [], "type": None}],
    )

    text = _repair(admin_client, tautulli_connection)

    assert text == (
        "home tautulli: notification agents updated “tcm - Recently Added” "
        "(name, method, triggers, conditions); already up to date: “tcm - Watched”."
    )
    agent = fake_tautulli.agent(created_id)
    assert agent["friendly_name"] == "tcm - Recently Added"
    assert agent["config"]["method"] == "POST"
    assert [a for a, on in agent["actions"].items() if on] == ["on_created"]
    assert agent["custom_conditions"][0]["value"] == ["show", "season", "episode"]
    assert len(fake_tautulli.notifiers) == 2


def test_it_updates_the_conditions_when_the_username_changed(
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
    agents: tuple[int, int],
) -> None:
    tautulli_connection.username = "alice"
    tautulli_connection.save()

    text = _repair(admin_client, tautulli_connection)

    assert "updated “tcm - Watched” (conditions)" in text
    conditions = fake_tautulli.agent(agents[1])["custom_conditions"]
    assert conditions[-1]["value"] == ["alice"]


def test_it_does_not_take_over_a_stored_id_that_now_belongs_to_someone_else(
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
    agents: tuple[int, int],
) -> None:
    # The agent was deleted and Tautulli gave its id to an agent of the user's.
    created_id, _ = agents
    fake_tautulli.delete_agent(created_id)
    fake_tautulli.notifiers.clear()
    fake_tautulli.add_agent("my phone", agent_id=13, actions=("on_play",))  # gets id 3
    TautulliConnection.objects.update(created_agent_id=3, watched_agent_id=None)
    tautulli_connection.refresh_from_db()

    _repair(admin_client, tautulli_connection)

    assert fake_tautulli.agent(3)["friendly_name"] == "my phone"
    assert tautulli_connection.created_agent_id not in (None, 3)
    assert len(fake_tautulli.notifiers) == 3
