"""The webhook refuses what it cannot use with a 4xx and a JSON reason, and stores and queues
nothing for it."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from cards.models import WebhookEvent
from connections.models import TautulliConnection
from tests.support import broker_messages


def _url(connection: TautulliConnection) -> str:
    return f"/webhooks/tautulli/{connection.webhook_secret}/"


@pytest.fixture
def nothing_queued(empty_broker_queue: None, caplog: pytest.LogCaptureFixture) -> object:
    caplog.set_level(logging.DEBUG)
    yield
    assert broker_messages() == []
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db
def test_it_rejects_unknown_secret(
    client: Client, tautulli_connection: TautulliConnection, nothing_queued: None
) -> None:
    response = client.post(
        "/webhooks/tautulli/not-the-secret/", '"1"', content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json() == {"error": "unknown webhook URL"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        ("{not json", "application/json", "malformed JSON"),
        (b"\xff\xfe\x00", "application/json", "malformed JSON"),
        ("", "application/json", "empty body"),
        ("   ", "application/json", "empty body"),
        ("{}", "application/json", "missing rating_key"),
        ('{"event": "watched"}', "application/json", "missing rating_key"),
        ('{"rating_key": ""}', "application/json", "missing rating_key"),
        ('{"rating_key": "abc"}', "application/json", "rating_key must be a number"),
        ('"12a"', "application/json", "rating_key must be a number"),
        ('{"rating_key": "-5"}', "application/json", "rating_key must be a number"),
        ('{"rating_key": "1" }', "application/json", None),
        ('{"rating_key": 1.5}', "application/json", "rating_key must be a number"),
        ('{"rating_key": true}', "application/json", "rating_key must be a number"),
        ('{"rating_key": ["1"]}', "application/json", "rating_key must be a number"),
        ('{"rating_key": "' + "1" * 21 + '"}', "application/json", "must be a number"),
        ('{"rating_key": "1", "event": "played"}', "application/json", "unknown event"),
        ('{"rating_key": "1", "event": 3}', "application/json", "event must be a string"),
        ("[1, 2]", "application/json", "expected a rating key or an object"),
        ("null", "application/json", "expected a rating key or an object"),
        ("true", "application/json", "expected a rating key or an object"),
        ("event=watched", "application/x-www-form-urlencoded", "missing rating_key"),
        ("rating_key=x1", "application/x-www-form-urlencoded", "rating_key must be a number"),
        ("[" * 100_000 + "]" * 100_000, "application/json", "body larger than"),
        ("[" * 20_000 + "]" * 20_000, "application/json", "malformed JSON"),
        # Numbers too big for a float: Python reads them as infinity, no database stores that.
        ('{"rating_key": "12345", "event": "created", "x": 1e999}', "application/json", "1e999"),
        ('{"rating_key": "1", "x": {"y": [-1E400]}}', "application/json", "out of range"),
        ('{"rating_key": 1e999}', "application/json", "out of range"),
        ('{"rating_key": "1", "x": NaN}', "application/json", "NaN is not a JSON value"),
        ('{"rating_key": "1", "x": -Infinity}', "application/json", "not a JSON value"),
        ('{"rating_key": "1", "x": ' + "9" * 5000 + "}", "application/json", "malformed JSON"),
    ],
)
def test_it_rejects_bodies_it_cannot_use(
    client: Client,
    tautulli_connection: TautulliConnection,
    body: str | bytes,
    content_type: str,
    reason: str | None,
    empty_broker_queue: None,
) -> None:
    response = client.post(_url(tautulli_connection), body, content_type=content_type)
    if reason is None:  # the control case: a good body is taken
        assert response.status_code == 202
        return
    assert response.status_code in (400, 413), response.content
    assert reason in response.json()["error"]
    assert response["Content-Type"] == "application/json"
    assert broker_messages() == []
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db
def test_it_rejects_a_body_over_64_kb(
    client: Client, tautulli_connection: TautulliConnection, nothing_queued: None
) -> None:
    body = '{"rating_key": "1", "pad": "' + "x" * 64 * 1024 + '"}'
    response = client.post(_url(tautulli_connection), body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"error": "body larger than 65536 bytes"}


@pytest.mark.django_db
def test_it_takes_a_body_of_exactly_64_kb(
    client: Client, tautulli_connection: TautulliConnection
) -> None:
    head = '{"rating_key": "1", "pad": "'
    body = head + "x" * (64 * 1024 - len(head) - 2) + '"}'
    assert len(body) == 64 * 1024
    response = client.post(_url(tautulli_connection), body, content_type="application/json")
    assert response.status_code == 202


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "head", "options"])
def test_it_rejects_other_methods(
    client: Client, tautulli_connection: TautulliConnection, method: str, nothing_queued: None
) -> None:
    response = getattr(client, method)(_url(tautulli_connection))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    if method != "head":
        assert response.json() == {"error": "use POST"}


@pytest.mark.django_db
def test_no_log_line_carries_the_secret(
    client: Client, tautulli_connection: TautulliConnection, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = _url(tautulli_connection)
    client.post(url, "{bad", content_type="application/json")
    client.get(url)
    client.post(url, '"1"', content_type="application/json")
    client.post(url, '"{rating_key}"', content_type="application/json")
    assert caplog.records
    assert tautulli_connection.webhook_secret not in caplog.text
