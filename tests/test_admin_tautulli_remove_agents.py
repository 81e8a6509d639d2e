""" "Remove notification agents" deletes the agents tcm created, and nothing else."""

from __future__ import annotations

from django.test import Client

from connections.models import TautulliConnection
from tests.fakes.tautulli import FakeTautulli
from tests.support import admin_action


def test_it_deletes_only_the_agents_tcm_created(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    phone = fake_tautulli.add_agent("my phone", agent_id=13, actions=("on_play",))
    # Named like ours, but made by hand: tcm did not create it, so it stays.
    lookalike = fake_tautulli.add_agent("tcm - Something", hook="http://example.lan/")
    admin_action(admin_client, tautulli_connection, "create_agents")
    tautulli_connection.refresh_from_db()
    assert len(fake_tautulli.notifiers) == 4

    messages = admin_action(admin_client, tautulli_connection, "remove_agents")

    assert messages == [
        (
            "success",
            "home tautulli: notification agents removed “tcm - Recently Added”, “tcm - Watched”.",
        )
    ]
    assert sorted(fake_tautulli.notifiers) == [phone, lookalike]
    tautulli_connection.refresh_from_db()
    assert tautulli_connection.created_agent_id is None
    assert tautulli_connection.watched_agent_id is None


def test_it_does_not_delete_an_agent_that_took_over_a_stored_id(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    phone = fake_tautulli.add_agent("my phone", agent_id=13, actions=("on_play",))
    TautulliConnection.objects.update(created_agent_id=phone)

    messages = admin_action(admin_client, tautulli_connection, "remove_agents")

    assert messages == [("success", "home tautulli: no notification agents to remove.")]
    assert list(fake_tautulli.notifiers) == [phone]
    tautulli_connection.refresh_from_db()
    assert tautulli_connection.created_agent_id is None


def test_removing_twice_is_harmless(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    admin_action(admin_client, tautulli_connection, "create_agents")
    admin_action(admin_client, tautulli_connection, "remove_agents")
    deletes = fake_tautulli.count("delete_notifier")

    messages = admin_action(admin_client, tautulli_connection, "remove_agents")

    assert messages == [("success", "home tautulli: no notification agents to remove.")]
    assert fake_tautulli.count("delete_notifier") == deletes
    assert fake_tautulli.notifiers == {}
