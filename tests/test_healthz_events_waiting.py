"""/healthz fails when stored webhook events have waited over a minute for a worker's relay to
queue them (a worker that answers pings while its relay is stuck), and names how many and how
long; events that just arrived, or were queued, do not count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cards.models import WebhookEvent
from connections.models import TautulliConnection

pytestmark = pytest.mark.django_db


def _event(connection: TautulliConnection, age: float, **fields: object) -> WebhookEvent:
    return WebhookEvent.objects.create(
        connection=connection,
        rating_key="5151",
        event="created",
        received_at=timezone.now() - timedelta(seconds=age),
        **fields,
    )


def test_it_fails_when_events_have_waited_long_for_the_relay(
    tautulli_connection: TautulliConnection,
) -> None:
    _event(tautulli_connection, age=120)
    _event(tautulli_connection, age=90)
    _event(tautulli_connection, age=1)

    response = Client().get("/healthz")

    assert response.status_code == 503
    check = response.json()["checks"]["events"]
    assert check["ok"] is False
    assert check["detail"].startswith("RuntimeError: 2 webhook event(s) not queued yet, the oldest")
    assert "is a worker running" in check["detail"]
    assert tautulli_connection.webhook_secret not in response.content.decode()


def test_events_that_just_arrived_or_were_queued_do_not_count(
    tautulli_connection: TautulliConnection,
) -> None:
    _event(tautulli_connection, age=1)
    _event(tautulli_connection, age=600, dispatched_at=timezone.now())
    _event(tautulli_connection, age=600, status=WebhookEvent.Status.DUPLICATE)
    _event(tautulli_connection, age=600, status=WebhookEvent.Status.DONE)

    check = Client().get("/healthz").json()["checks"]["events"]

    assert check["ok"] is True
