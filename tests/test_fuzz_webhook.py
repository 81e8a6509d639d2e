"""Thousands of random posts to the webhook, through tcm's real WSGI entry point: whatever the
body, content type, method or secret, the answer is never a 5xx; a refused post stores and
queues nothing; a wrong secret never stores an event; an accepted post stores exactly what a
Tautulli agent could have meant (an ASCII rating key, a known event). JSON text json.dumps
would not write (1e999, NaN, huge integers, escaped NUL and lone surrogates, deep nesting) is
refused with a 400 or stored in a form every database keeps. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.db.models import Max
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cards.models import WebhookEvent
from connections.models import PlexConnection, TautulliConnection
from tests.support import wsgi_request

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The properties whose answer the request's method, secret or key decides, not the whole body's
# shape: a few hundred examples there repeat the same check (every body takes the same branch).
NARROW = settings(FUZZ, max_examples=150)
STATUSES = {200, 202, 400, 404, 405, 413}
METHODS = ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND"]
ASCII_KEY = re.compile(r"[0-9]{1,20}")

# Anything JSON can carry; Tautulli sends strings, a careless template anything.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=8,
)
# Rating keys as templates might fill them in: numbers, digit strings (including digits that
# are not ASCII: Arabic-Indic, fullwidth), padded, signed, huge, or anything at all.
rating_keys = st.one_of(
    st.integers(),
    st.from_regex(r"[0-9]{1,25}", fullmatch=True),
    st.from_regex(r"\s*[0-9]{1,6}\s*", fullmatch=True),
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=8),
    st.sampled_from(
        [
            "{rating_key}",
            "",
            " ",
            "-1",
            "+1",
            "0x10",
            "1e3",
            "\u0661\u0662\u0663",
            "\uff11\uff12\uff13",
        ]
    ),
    json_values,
)
events = st.one_of(
    st.sampled_from(["created", "watched", "test", "CREATED", " Watched ", "", "played"]),
    json_values,
)
objects = st.fixed_dictionaries(
    {"rating_key": rating_keys},
    optional={"event": events, "extra": json_values, "\u0000": st.text()},
)
json_bodies = st.one_of(objects, rating_keys, json_values).map(
    lambda value: json.dumps(value).encode()
)
# What json.dumps never writes but a sender may: numbers out of a float's range (Python reads
# 1e999 as infinity), NaN and Infinity literals, huge integers, escapes of NUL and of lone
# surrogates (neither fits a database's text), nesting deep enough to exhaust a parser.
number_literals = st.one_of(
    st.sampled_from(["1e999", "-1e999", "1E400", "1e-999", "-0", "1.7976931348623157e308"]),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "nan", "inf"]),
    st.from_regex(r"-?[0-9]{1,30}(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,4})?", fullmatch=True),
    st.integers(15, 5000).map(lambda n: "9" * n),
)
string_literals = st.lists(
    st.sampled_from(["\\u0000", "\\ud800", "\\udfff", "\\ud83d\\ude00", "a", "\\\\", "1"]),
    max_size=6,
).map(lambda parts: '"' + "".join(parts) + '"')
literals = number_literals | string_literals


@st.composite
def raw_json_bodies(draw: st.DrawFn) -> bytes:
    """An object with a rating key, an event and one more field, each written as JSON text that
    json.dumps would not produce, the extra one nested in arrays and objects."""
    key = draw(st.from_regex(r'"[0-9]{1,6}"', fullmatch=True) | literals)
    event = draw(st.sampled_from(['"created"', '"watched"']) | string_literals)
    value = draw(literals)
    for wrap in draw(st.lists(st.sampled_from(["array", "object"]), max_size=4)):
        value = f"[1, {value}]" if wrap == "array" else f"{{{draw(string_literals)}: {value}}}"
    if draw(st.booleans()):
        depth = draw(st.integers(1, 3000))
        value = "[" * depth + value + "]" * depth
    name = draw(string_literals)
    return f'{{"rating_key": {key}, "event": {event}, {name}: {value}}}'.encode()


form_bodies = st.dictionaries(
    st.sampled_from(["rating_key", "event", "x", ""]) | st.text(max_size=5),
    st.text(max_size=12),
    max_size=4,
).map(lambda data: urlencode(data).encode())
raw_bodies = st.binary(max_size=300)


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    """A valid post cut short, with bytes flipped, or padded past the size limit."""
    body = draw(json_bodies)
    how = draw(st.sampled_from(["cut", "flip", "pad", "bom", "utf16"]))
    if how == "cut":
        return body[: draw(st.integers(0, max(0, len(body) - 1)))]
    if how == "flip" and body:
        i = draw(st.integers(0, len(body) - 1))
        return body[:i] + bytes([body[i] ^ draw(st.integers(1, 255))]) + body[i + 1 :]
    if how == "pad":
        return body + b" " * (64 * 1024)
    if how == "bom":
        return b"\xef\xbb\xbf" + body
    return body.decode().encode("utf-16")


bodies = st.one_of(json_bodies, raw_json_bodies(), form_bodies, raw_bodies, mangled())
content_types = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "application/json; charset=no-such-charset",
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-1",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "text/plain",
            "text/html; charset=*",
            "application/json; a*=no-such-charset''x",  # RFC 2231 with an unknown charset
            "application/json; a*=x",
            ";;;",
            "",
        ]
    ),
    st.none(),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)


@pytest.fixture
def connection(db: None) -> TautulliConnection:
    plex = PlexConnection.objects.create(name="plex", url="http://127.0.0.1:9", token="t" * 20)
    return TautulliConnection.objects.create(
        name="tautulli", url="http://127.0.0.1:9", api_key="k" * 32, plex=plex
    )


def post(
    secret: str,
    body: bytes,
    content_type: str | None,
    method: str = "POST",
) -> tuple[int, bytes, list, list[WebhookEvent]]:
    """Send one request; the status, the answer, the events it left waiting for the relay (to
    be queued) and all the events it stored."""
    # The events stored so far pile up over a test's examples: a new one has a higher key than
    # all of them (one cheap query, instead of reading every key and excluding them).
    last = WebhookEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    # A savepoint per request, as each request has its own transaction in production: a
    # request that broke the database must fail alone, not every example after it.
    with transaction.atomic():
        status, headers, answer = wsgi_request(
            method, f"/webhooks/tautulli/{quote(secret, safe='')}/", body, content_type
        )
    new = list(WebhookEvent.objects.filter(pk__gt=last).order_by("pk"))
    waiting = [e for e in new if e.status == "pending" and e.dispatched_at is None]
    event(f"HTTP {status}")  # --hypothesis-show-statistics tells the answers apart
    assert status in STATUSES, (status, answer[:300])
    if method != "HEAD":
        assert headers["Content-Type"] == "application/json"
        payload = json.loads(answer)
        if status >= 400:
            assert payload["error"], payload
    return status, answer, waiting, new


def check_outcome(status: int, waiting: list, new: list[WebhookEvent]) -> None:
    if status == 202:
        [event] = new
        assert ASCII_KEY.fullmatch(event.rating_key), event.rating_key
        assert event.event in ("", "created", "watched")
        assert len(waiting) == (0 if event.duplicate_of_id else 1)
    else:
        assert new == [] and waiting == []


@FUZZ
@given(body=bodies, content_type=content_types)
def test_random_bodies_never_make_a_5xx_or_a_task_for_a_bad_post(
    connection: TautulliConnection,
    body: bytes,
    content_type: str | None,
) -> None:
    status, _, waiting, new = post(connection.webhook_secret, body, content_type)
    check_outcome(status, waiting, new)


@FUZZ
@given(body=raw_json_bodies())
def test_json_no_database_can_store_is_refused_or_stored_safely(
    connection: TautulliConnection, body: bytes
) -> None:
    status, answer, waiting, new = post(connection.webhook_secret, body, "application/json")
    check_outcome(status, waiting, new)
    assert status in (202, 400), answer
    if status == 202:
        json.dumps(new[0].payload, allow_nan=False)  # read back: finite, and text any DB keeps


@NARROW
@given(body=json_bodies, method=st.sampled_from(METHODS))
def test_other_methods_are_refused_and_store_nothing(
    connection: TautulliConnection,
    body: bytes,
    method: str,
) -> None:
    status, _, waiting, new = post(
        connection.webhook_secret,
        body,
        "application/json",
        method,
    )
    assert status == 405
    assert new == [] and waiting == []


def near_misses(secret: str) -> st.SearchStrategy[str]:
    """The secret with one character changed, cut, extended, re-cased, or padded."""

    def change(i: int, c: str) -> str:
        return secret[:i] + c + secret[i + 1 :] if secret[i] != c else secret[:i] + "!"

    return st.one_of(
        st.builds(change, st.integers(0, len(secret) - 1), st.characters()),
        st.integers(1, len(secret) - 1).map(lambda n: secret[:n]),
        st.text(min_size=1, max_size=3).map(lambda t: secret + t),
        st.just(secret.swapcase()),
        st.just(f" {secret}"),
        st.just(secret.encode().hex()),
    )


@NARROW
@given(data=st.data(), body=bodies, content_type=content_types)
def test_a_wrong_secret_never_stores_an_event(
    connection: TautulliConnection,
    data: st.DataObject,
    body: bytes,
    content_type: str | None,
) -> None:
    secret = data.draw(
        st.one_of(st.text(min_size=1), near_misses(connection.webhook_secret)).filter(
            lambda s: s != connection.webhook_secret and "/" not in s
        )
    )
    method = data.draw(st.sampled_from(["POST", "POST", "POST", *METHODS]))
    status, _, waiting, new = post(secret, body, content_type, method)
    assert status == (404 if method == "POST" else 405)
    assert new == [] and waiting == []


@FUZZ
@given(key=rating_keys, event=events, content_type=st.sampled_from(["json", "form"]))
def test_an_accepted_post_stores_the_key_it_was_given(
    connection: TautulliConnection,
    key: object,
    event: object,
    content_type: str,
) -> None:
    if content_type == "json":
        body = json.dumps({"rating_key": key, "event": event}).encode()
        mime = "application/json"
    else:
        body = urlencode({"rating_key": str(key), "event": str(event)}).encode()
        mime = "application/x-www-form-urlencoded"
    status, _, waiting, new = post(connection.webhook_secret, body, mime)
    check_outcome(status, waiting, new)
    if status == 202:
        assert new[0].rating_key == str(key).strip()
