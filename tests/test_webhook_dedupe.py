"""An identical post while an earlier one still waits is stored as its duplicate and not queued
(a season added at once, or Tautulli firing twice, is one piece of work)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from cards.models import WebhookEvent
from connections.models import TautulliConnection
from tests.support import post_webhook


def _waiting_for_the_relay() -> list[int]:
    """The events the relay would queue (cards/relay.py)."""
    return list(WebhookEvent.waiting_for_relay().order_by("pk").values_list("pk", flat=True))


def _post(client: Client, connection: TautulliConnection, key: str, event: str) -> dict:
    response = post_webhook(client, connection, key, event)
    assert response.status_code == 202
    return response.json()


@pytest.mark.django_db
def test_it_collapses_an_identical_post_while_the_first_is_pending(
    client: Client, tautulli_connection: TautulliConnection
) -> None:
    first = _post(client, tautulli_connection, "100", "created")
    second = _post(client, tautulli_connection, "100", "created")
    third = _post(client, tautulli_connection, "100", "created")

    assert first["status"] == "pending"
    assert second == {"id": second["id"], "status": "duplicate", "duplicate_of": first["id"]}
    assert third["duplicate_of"] == first["id"]
    assert _waiting_for_the_relay() == [first["id"]]
    assert WebhookEvent.objects.filter(status="duplicate").count() == 2


@pytest.mark.django_db
def test_other_keys_events_and_connections_are_not_duplicates(
    client: Client, tautulli_connection: TautulliConnection
) -> None:
    other = TautulliConnection.objects.create(
        name="other", url="http://127.0.0.1:1", api_key="k", plex=tautulli_connection.plex
    )
    _post(client, tautulli_connection, "100", "created")
    _post(client, tautulli_connection, "101", "created")
    _post(client, tautulli_connection, "100", "watched")
    _post(client, other, "100", "created")

    assert len(_waiting_for_the_relay()) == 4
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"pending"}


@pytest.mark.django_db
def test_a_post_after_the_window_or_after_the_work_started_is_new_work(
    client: Client,
    tautulli_connection: TautulliConnection,
    settings: object,
) -> None:
    first = _post(client, tautulli_connection, "100", "watched")
    WebhookEvent.objects.filter(pk=first["id"]).update(
        received_at=WebhookEvent.objects.get().received_at
        - timedelta(seconds=settings.TCM_WEBHOOK_DEDUPE_SECONDS + 1)
    )
    assert _post(client, tautulli_connection, "100", "watched")["status"] == "pending"

    WebhookEvent.objects.update(status=WebhookEvent.Status.RUNNING)
    assert _post(client, tautulli_connection, "100", "watched")["status"] == "pending"
