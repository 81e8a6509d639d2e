"""A test notification (Tautulli sends its texts unsubstituted, so "{rating_key}" arrives
literally) is answered 200 and recorded as the connection's last test; nothing is queued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cards.models import WebhookEvent
from connections.models import TautulliConnection
from tests.support import broker_messages


def _url(connection: TautulliConnection) -> str:
    return f"/webhooks/tautulli/{connection.webhook_secret}/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        '{"rating_key": "{rating_key}", "event": "created"}',
        '{"rating_key": "{rating_key}", "event": "watched"}',
        '"{rating_key}"',
        '{"event": "test"}',
    ],
)
def test_it_records_a_test_notification(
    client: Client,
    tautulli_connection: TautulliConnection,
    body: str,
    empty_broker_queue: None,
) -> None:
    response = client.post(_url(tautulli_connection), body, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["test"] is True
    assert broker_messages() == []
    assert WebhookEvent.objects.count() == 0
    tautulli_connection.refresh_from_db()
    assert tautulli_connection.last_test_at is not None
    assert tautulli_connection.last_webhook_at is None


@pytest.mark.django_db
def test_it_measures_how_long_a_requested_test_took(
    client: Client, tautulli_connection: TautulliConnection
) -> None:
    TautulliConnection.objects.update(test_requested_at=timezone.now() - timedelta(seconds=2))

    response = client.post(_url(tautulli_connection), '"{rating_key}"', content_type="text/json")

    tautulli_connection.refresh_from_db()
    assert 2000 <= tautulli_connection.last_test_latency_ms < 60_000
    assert response.json()["latency_ms"] == tautulli_connection.last_test_latency_ms

    # A second arrival for the same request (Tautulli's UI test button) has no latency.
    client.post(_url(tautulli_connection), '"{rating_key}"', content_type="text/json")
    tautulli_connection.refresh_from_db()
    assert tautulli_connection.last_test_latency_ms is None
