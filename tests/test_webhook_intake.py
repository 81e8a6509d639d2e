"""A valid post from Tautulli is stored as a pending WebhookEvent and answered 202 at once; the
view queues nothing itself: the stored row waits for the relay (cards/relay.py)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cards.models import WebhookEvent
from connections.models import TautulliConnection
from tests.support import broker_messages


def _url(connection: TautulliConnection) -> str:
    return f"/webhooks/tautulli/{connection.webhook_secret}/"


@pytest.mark.django_db
def test_it_stores_the_post_for_the_relay_and_queues_nothing_itself(
    client: Client,
    tautulli_connection: TautulliConnection,
    empty_broker_queue: None,
) -> None:
    body = {"rating_key": "5151", "event": "watched", "title": "Ünïcode ☂ ok"}
    response = client.post(_url(tautulli_connection), body, content_type="application/json")
    event = WebhookEvent.objects.get()

    assert response.status_code == 202
    assert response.json() == {"id": event.pk, "status": "pending", "duplicate_of": None}
    assert broker_messages() == []
    # Pending and never queued: what the relay looks for.
    assert (event.status, event.dispatched_at) == (WebhookEvent.Status.PENDING, None)
    assert (event.connection, event.rating_key, event.event) == (
        tautulli_connection,
        "5151",
        "watched",
    )
    assert event.payload == body
    tautulli_connection.refresh_from_db()
    assert tautulli_connection.last_webhook_at == event.received_at


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "key", "event"),
    [
        ('"12345"', "application/json", "12345", ""),
        ("12345", "application/json", "12345", ""),
        (' " 777 " ', "application/json", "777", ""),
        ('{"rating_key": 42}', "application/json", "42", ""),
        ('{"rating_key": "9", "event": "Created"}', "application/json", "9", "created"),
        # Tautulli always says application/json; other senders may say nothing useful.
        ('{"rating_key": "9"}', "text/plain", "9", ""),
        ("rating_key=31&event=watched", "application/x-www-form-urlencoded", "31", "watched"),
        ("rating_key=32", "application/x-www-form-urlencoded", "32", ""),
    ],
)
def test_it_accepts_bare_keys_objects_and_forms(
    client: Client,
    tautulli_connection: TautulliConnection,
    body: str,
    content_type: str,
    key: str,
    event: str,
) -> None:
    response = client.post(_url(tautulli_connection), body, content_type=content_type)

    assert response.status_code == 202, response.content
    stored = WebhookEvent.objects.get()
    assert (stored.rating_key, stored.event) == (key, event)


@pytest.mark.django_db
def test_it_accepts_the_url_without_its_trailing_slash(
    client: Client, tautulli_connection: TautulliConnection
) -> None:
    url = _url(tautulli_connection).rstrip("/")
    response = client.post(url, '"1"', content_type="application/json")
    assert response.status_code == 202
    assert WebhookEvent.objects.count() == 1


@pytest.mark.django_db
def test_it_needs_no_login_and_no_csrf_token(tautulli_connection: TautulliConnection) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        _url(tautulli_connection), json.dumps({"rating_key": "1"}), content_type="application/json"
    )
    assert response.status_code == 202


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "stored"),
    [
        ("9" * 4000, int("9" * 4000)),  # a huge integer: JSON has no limit, the databases none
        ("-0.0", -0.0),
        ("1e-999", 0.0),
        ('"a\\u0000b"', "a\ufffdb"),  # NUL: PostgreSQL's text and jsonb refuse it
        ('"\\ud800 \\udfff"', "\ufffd \ufffd"),  # lone surrogates: not UTF-8
        ('{"\\u0000": "\\ud83d\\ude00"}', {"\ufffd": "\U0001f600"}),  # a pair is a character
    ],
)
def test_it_stores_what_a_database_can_hold_of_any_json_value(
    client: Client, tautulli_connection: TautulliConnection, extra: str, stored: object
) -> None:
    body = '{"rating_key": "12345", "event": "created", "x": ' + extra + "}"
    response = client.post(
        f"/webhooks/tautulli/{tautulli_connection.webhook_secret}/",
        body,
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    event = WebhookEvent.objects.get(pk=response.json()["id"])  # read back from the database
    assert event.payload["x"] == stored
