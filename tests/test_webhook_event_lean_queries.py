"""The webhook's hot path skips the ORM's query compiler: hand-written SQL for the secret lookup,
and one INSERT that also finds the post's waiting twin. What it stores and finds must be exactly
what the ORM would store and find, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cards.models import WebhookEvent
from connections.models import TautulliConnection
from tests.support import near_miss

FIELDS = [f.name for f in WebhookEvent._meta.concrete_fields if not f.primary_key]


@pytest.mark.django_db
def test_it_inserts_the_same_row_as_the_orm(tautulli_connection: TautulliConnection) -> None:
    now = timezone.now()
    values = {
        "connection": tautulli_connection,
        "rating_key": "5151",
        "event": "watched",
        "payload": {"rating_key": "5151", "title": "Señor Ñandú — 日本語", "n": [1, None]},
        "received_at": now,
        "status": WebhookEvent.Status.PENDING,
        "dispatched_at": now,
    }
    lean = WebhookEvent(**values)
    lean.insert(twin_since=now)  # nothing to be the twin of: stored as it came
    assert lean.pk is not None and not lean._state.adding
    orm = WebhookEvent.objects.create(**values)

    a, b = WebhookEvent.objects.get(pk=lean.pk), WebhookEvent.objects.get(pk=orm.pk)
    assert {f: getattr(a, f) for f in FIELDS} == {f: getattr(b, f) for f in FIELDS}
    assert a.received_at == now and a.payload == values["payload"]
    # Defaults came along: nothing the model fills in is left NULL.
    assert (a.attempts, a.last_error, a.task_id, a.duplicate_of_id) == (0, "", "", None)


@pytest.mark.django_db
def test_it_stores_a_post_as_the_duplicate_of_its_earliest_waiting_twin(
    tautulli_connection: TautulliConnection,
) -> None:
    now = timezone.now()

    def event(key: str, age: float, status: str = "pending", kind: str = "created") -> int:
        row = WebhookEvent.objects.create(
            connection=tautulli_connection,
            rating_key=key,
            event=kind,
            received_at=now - timedelta(seconds=age),
            status=status,
        )
        return row.pk

    older, newer = event("7", 20), event("7", 5)
    event("7", 1, status="done")
    event("7", 2, kind="watched")
    event("7", 400)  # outside the window
    event("8", 3, status="running")

    def post(key: str, kind: str = "created", window: float = 60) -> WebhookEvent:
        new = WebhookEvent(
            connection=tautulli_connection,
            rating_key=key,
            event=kind,
            payload={"rating_key": key},
            received_at=now,
        )
        new.insert(twin_since=now - timedelta(seconds=window))
        assert WebhookEvent.objects.get(pk=new.pk).duplicate_of_id == new.duplicate_of_id
        return new

    twin = post("7")
    assert (twin.status, twin.duplicate_of_id, twin.dispatched_at) == ("duplicate", older, None)
    stored = WebhookEvent.objects.get(pk=twin.pk)
    assert (stored.status, stored.dispatched_at) == ("duplicate", None)
    assert post("7", window=10).duplicate_of_id == newer
    assert post("7", kind="watched").duplicate_of_id is not None

    # No waiting twin (only a running one): stored as new work, waiting for the relay.
    alone = post("8")
    assert (alone.status, alone.duplicate_of_id, alone.dispatched_at) == ("pending", None, None)
    stored = WebhookEvent.objects.get(pk=alone.pk)
    assert (stored.status, stored.duplicate_of_id, stored.dispatched_at) == ("pending", None, None)
    # ... and is the twin of the next one.
    assert post("8").duplicate_of_id == alone.pk


@pytest.mark.django_db
def test_it_finds_a_connection_by_secret_without_loading_its_api_key(
    tautulli_connection: TautulliConnection,
) -> None:
    found = TautulliConnection.for_secret(tautulli_connection.webhook_secret)
    assert found is not None and found.pk == tautulli_connection.pk
    assert "api_key" in found.get_deferred_fields()
    assert found.name == tautulli_connection.name
    assert found.plex_id == tautulli_connection.plex_id
    assert TautulliConnection.for_secret(near_miss(tautulli_connection.webhook_secret)) is None
    assert TautulliConnection.for_secret("") is None
