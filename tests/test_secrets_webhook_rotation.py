"""The webhook secret: the secret itself decides (compared in constant time after the look-up by
digest), and the admin action "Rotate webhook secret" replaces it everywhere at once: the agents
on Tautulli post to the new URL, the old one is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from cards.models import WebhookEvent
from connections.models import PlexConnection, TautulliConnection
from tcm_site import crypto
from tests.fakes.tautulli import FakeTautulli
from tests.support import admin_action, run_queued, wait_until


@pytest.mark.django_db
def test_a_matching_digest_alone_does_not_open_the_door(
    tautulli_connection: TautulliConnection,
) -> None:
    secret = tautulli_connection.webhook_secret
    assert TautulliConnection.for_secret(secret) == tautulli_connection
    # A row whose digest matches a guess but whose secret is another: the secret decides.
    TautulliConnection.objects.update(webhook_secret_digest=crypto.digest("a guess"))
    assert TautulliConnection.for_secret("a guess") is None
    assert TautulliConnection.for_secret(secret) is None


def test_rotating_the_secret_moves_the_agents_to_the_new_url(
    live_server: object,
    transactional_db: None,
    empty_broker_queue: None,
    admin_client: Client,
    client: Client,
    fake_tautulli: FakeTautulli,
) -> None:
    # A disabled Plex connection: the events the posts store finish at once, as failed.
    plex = PlexConnection.objects.create(
        name="plex", url="http://127.0.0.1:9", token="t" * 20, enabled=False
    )
    tautulli = TautulliConnection.objects.create(
        name="home tautulli",
        url=fake_tautulli.url,
        api_key=fake_tautulli.api_key,
        plex=plex,
        tcm_url=live_server.url,
    )
    admin_action(admin_client, tautulli, "create_agents")
    old = tautulli.webhook_secret
    [before] = fake_tautulli.fire("on_created", rating_key=1001, media_type="episode")
    assert before.status == 202

    messages = admin_action(admin_client, tautulli, "rotate_webhook_secret")

    tautulli.refresh_from_db()
    new = tautulli.webhook_secret
    assert new != old
    [(level, text)] = messages
    assert level == "success"
    assert "new webhook secret" in text and "The old webhook URL no longer works" in text
    assert "updated" in text and "webhook secret" in text
    assert old not in text and new not in text
    for agent_id in (tautulli.created_agent_id, tautulli.watched_agent_id):
        assert fake_tautulli.agent(agent_id)["config"]["hook"].endswith(f"/{new}/")

    [after] = fake_tautulli.fire("on_watched", rating_key=1002, media_type="episode")
    assert after.status == 202
    refused = client.post(
        f"/webhooks/tautulli/{old}/", {"rating_key": "1003"}, content_type="application/json"
    )
    assert refused.status_code == 404
    assert sorted(WebhookEvent.objects.values_list("rating_key", flat=True)) == ["1001", "1002"]
    run_queued()
    wait_until(
        lambda: not WebhookEvent.objects.filter(status__in=["pending", "running"]).exists(),
        what="the two events to be finished",
    )


@pytest.mark.django_db
def test_when_tautulli_cannot_be_updated_the_old_secret_stays(
    admin_client: Client, tautulli_connection: TautulliConnection, fake_tautulli: FakeTautulli
) -> None:
    old = tautulli_connection.webhook_secret
    fake_tautulli.stop()

    [(level, text)] = admin_action(admin_client, tautulli_connection, "rotate_webhook_secret")

    assert level == "error"
    assert text.startswith("home tautulli: the webhook secret was not changed")
    assert "could not connect" in text.lower() or "refused" in text.lower()
    assert old not in text
    tautulli_connection.refresh_from_db()
    assert tautulli_connection.webhook_secret == old
    assert TautulliConnection.for_secret(old) == tautulli_connection
