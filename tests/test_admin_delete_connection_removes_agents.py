"""Deleting a connection in the admin takes the agents tcm created off Tautulli first: left there,
they would post to a webhook URL that answers 404, and tcm would no longer know their ids."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from connections.models import PlexConnection, TautulliConnection
from tests.fakes.tautulli import FakeTautulli
from tests.support import admin_action

REMOVED = "home tautulli: notification agents removed “tcm - Recently Added”, “tcm - Watched”."


def messages_of(response: object) -> list[tuple[str, str]]:
    assert response.status_code == 200
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def delete_page(client: Client, obj: object) -> list[tuple[str, str]]:
    """Confirm the delete page of `obj`, as the admin's "Yes, I'm sure" button does."""
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk])
    return messages_of(client.post(url, {"post": "yes"}, follow=True))


def delete_selected(client: Client, obj: object) -> list[tuple[str, str]]:
    """Confirm the changelist's "Delete selected" action for `obj`."""
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    data = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    return messages_of(client.post(url, data, follow=True))


@pytest.fixture
def with_agents(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> int:
    """The connection's two agents on Tautulli, beside one of the user's own; returns its id."""
    phone = fake_tautulli.add_agent("my phone", agent_id=13, actions=("on_play",))
    admin_action(admin_client, tautulli_connection, "create_agents")
    assert len(fake_tautulli.notifiers) == 3
    return phone


@pytest.mark.parametrize("how", [delete_page, delete_selected])
@pytest.mark.parametrize("what", ["the Tautulli connection", "its Plex connection"])
def test_deleting_the_connection_removes_its_agents_and_only_those(
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
    with_agents: int,
    how: object,
    what: str,
) -> None:
    # Deleting the Plex connection deletes its Tautulli connections with it (CASCADE).
    doomed = tautulli_connection if what == "the Tautulli connection" else tautulli_connection.plex

    messages = how(admin_client, doomed)

    assert messages[0] == ("success", REMOVED)
    assert "deleted" in messages[-1][1].lower()
    assert list(fake_tautulli.notifiers) == [with_agents]  # the user's own agent stays
    assert not TautulliConnection.objects.exists()
    assert PlexConnection.objects.exists() == (what == "the Tautulli connection")


def test_when_tautulli_cannot_be_reached_it_deletes_and_names_the_agents_to_remove_by_hand(
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
    with_agents: int,
) -> None:
    fake_tautulli.stop()

    messages = delete_page(admin_client, tautulli_connection)

    level, text = messages[0]
    assert level == "warning"
    assert text.startswith(
        "home tautulli: its notification agents “tcm - Recently Added”, “tcm - Watched” could "
        "not be removed from Tautulli ("
    )
    assert "Delete them in Tautulli under Settings → Notification Agents" in text
    assert fake_tautulli.api_key not in text
    assert not TautulliConnection.objects.exists()


def test_a_connection_without_agents_is_deleted_without_asking_tautulli(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    messages = delete_page(admin_client, tautulli_connection)

    assert len(messages) == 1 and "deleted successfully" in messages[0][1]
    assert fake_tautulli.count() == 0
    assert not TautulliConnection.objects.exists()
