"""Tautulli's webhook: store the post and answer at once.

Tautulli waits for the answer without a timeout (a slow answer blocks its notifier thread), so
the view talks to neither Plex nor the broker: it validates and stores a WebhookEvent, and the
relay in the worker queues its task (cards/relay.py). Whatever arrives, the answer is JSON: 202
with the event, 200 for a test notification, or 4xx with {"error": reason}, and nothing is
stored for a post that is refused.

The URL carries the connection's secret, so no log line written here contains the path, and the
refusals are not handed to Django's request logger either (it would log the path).
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, JsonResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from connections.models import TautulliConnection

from .models import WebhookEvent

log = logging.getLogger(__name__)

# "intup": Tautulli's "Plex server back up", about no item.
EVENTS = ("created", "watched", "intup")
# ASCII digits only: \d also matches other scripts' digits ("١٢٣"), which int() and Plex's
# client would read as a different item's key.
_RATING_KEY = re.compile(r"[0-9]{1,20}")
# A template Tautulli did not fill in: what its test notifications send ("{rating_key}").
_PLACEHOLDER = re.compile(r"\{\w*\}")
# How stale last_webhook_at may be: writing it on every post would add a write to each.
_SEEN_EVERY = timedelta(seconds=1)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_EXAMPLE = 'e.g. {"rating_key": "12345", "event": "watched"}'


class BadPost(Exception):
    """The body cannot be used; the message is the reason given back to the sender."""


@dataclass(frozen=True)
class Post:
    rating_key: str
    event: str
    payload: Any
    is_test: bool = False
    user: str = ""
    user_id: int | None = None


@csrf_exempt
def tautulli_webhook(request: HttpRequest, secret: str) -> JsonResponse:
    if request.method != "POST":
        response = _refuse(405, "use POST")
        response["Allow"] = "POST"
        return response
    connection = TautulliConnection.for_secret(secret)
    if connection is None:
        log.warning("webhook: post to an unknown webhook URL from %s", _client(request))
        return _refuse(404, "unknown webhook URL")

    limit = settings.TCM_WEBHOOK_MAX_BYTES
    try:
        body = read_body(request, limit)
    except RequestDataTooBig:
        log.warning("webhook %s: body over %s bytes refused", connection, limit)
        return _refuse(413, f"body larger than {limit} bytes")
    except BadPost as exc:
        log.warning("webhook %s: post refused: %s", connection, exc)
        return _refuse(400, str(exc))

    try:
        post = parse(request.content_type, body)
    except BadPost as exc:
        log.warning("webhook %s: post refused: %s", connection, exc)
        return _refuse(400, str(exc))

    if post.is_test:
        connection.record_test_arrival()
        log.info("webhook %s: test notification received", connection)
        return JsonResponse(
            {"test": True, "latency_ms": connection.last_test_latency_ms}, status=200
        )

    event = store(connection, post)
    # DEBUG: the access log has every post already, and the admin lists the events.
    log.debug(
        "webhook %s: %s %s stored as event %s%s",
        connection,
        post.event or "post",
        post.rating_key,
        event.pk,
        f" (duplicate of {event.duplicate_of_id})" if event.duplicate_of_id else "",
    )
    return JsonResponse(
        {"id": event.pk, "status": event.status, "duplicate_of": event.duplicate_of_id},
        status=202,
    )


def read_body(request: HttpRequest, limit: int) -> bytes:
    """The body, or RequestDataTooBig when it is over `limit` bytes (never reading much more).

    Django reads CONTENT_LENGTH bytes, and none of a body sent with `Transfer-Encoding: chunked`
    and no length; the web server (Granian) decodes the chunks as they arrive, so that body is
    read from its stream instead, as far as the limit."""
    meta = request.META
    if (
        not meta.get("CONTENT_LENGTH")
        and "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
    ):
        return _read_chunked(meta["wsgi.input"], limit)
    try:
        declared = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    # Django reads no more than CONTENT_LENGTH; checked first, a huge declared body is not read
    # at all.
    if declared > limit or len(body := request.body) > limit:
        raise RequestDataTooBig
    return body


def _read_chunked(stream: Any, limit: int) -> bytes:
    data = bytearray()
    while len(data) <= limit:
        try:
            part = stream.read(limit + 1 - len(data))
        except Exception as exc:  # the sender broke off or sent bad chunk framing
            raise BadPost(f"the chunked body could not be read ({type(exc).__name__})") from None
        if not part:
            return bytes(data)
        data += part
    raise RequestDataTooBig


def parse(content_type: str, body: bytes) -> Post:
    """The rating key and event of a post: JSON (a bare key, or an object) or form-encoded."""
    if content_type == "application/x-www-form-urlencoded":
        try:
            form = QueryDict(body)
        except SuspiciousOperation as exc:  # too many fields
            raise BadPost(f"unreadable form data: {exc}") from None
        payload: Any = storable({k: form.get(k) for k in form})
        return _with_user(
            _interpret(form.get("rating_key"), form.get("event"), payload),
            form.get("user"),
            form.get("user_id"),
        )
    if content_type == "multipart/form-data":
        raise BadPost(f"send JSON ({_EXAMPLE}) or form-encoded data")
    if not body.strip():
        raise BadPost(f"empty body: expected JSON, {_EXAMPLE}")
    try:
        payload = storable(json.loads(body, parse_constant=_no_constant, parse_float=_finite))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise BadPost(f"malformed JSON: {str(exc)[:120]}") from None
    if isinstance(payload, dict):
        post = _interpret(payload.get("rating_key"), payload.get("event"), payload)
        return _with_user(post, payload.get("user"), payload.get("user_id"))
    if isinstance(payload, str | int) and not isinstance(payload, bool):
        return _interpret(payload, None, payload)
    raise BadPost(f"expected a rating key or an object with rating_key, {_EXAMPLE}")


def _no_constant(name: str) -> Any:
    # Python reads NaN and Infinity, but they are not JSON: no database would store the payload.
    raise ValueError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    # 1e999 is valid JSON, but too big for a float: Python reads it as infinity, which no
    # database column stores (json.dumps writes it as Infinity, which is not JSON).
    value = float(text)
    if not math.isfinite(value):
        raise BadPost(f"number {text[:40]} is out of range (larger than a float can hold)")
    return value


def storable(value: Any) -> Any:
    """The payload with what no database column can hold replaced by U+FFFD: NUL characters
    (PostgreSQL's text and jsonb refuse them) and unpaired surrogates (valid as JSON escapes,
    not as UTF-8). The post is still good: these end up in fields tcm does not read."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


def _interpret(raw_key: Any, raw_event: Any, payload: Any) -> Post:
    if raw_event is not None and not isinstance(raw_event, str):
        raise BadPost("event must be a string")
    event = (raw_event or "").strip().lower()
    if isinstance(raw_key, bool) or not isinstance(raw_key, str | int | None):
        raise BadPost('rating_key must be a number such as 12345 or a string such as "12345"')
    key = str(raw_key).strip() if raw_key is not None else ""

    # A test notification: Tautulli sends the texts without filling in {rating_key}.
    if event == "test" or _PLACEHOLDER.fullmatch(key):
        return Post("", "test", payload, is_test=True)
    if event == "intup":
        return Post("", "intup", payload)
    if not key:
        raise BadPost(f"missing rating_key, {_EXAMPLE}")
    if not _RATING_KEY.fullmatch(key):
        raise BadPost(f"rating_key must be a number, not {key[:40]!r}")
    if event and event not in EVENTS:
        raise BadPost(f"unknown event {event[:40]!r}: expected one of {', '.join(EVENTS)}")
    return Post(key, event, payload)


def _with_user(post: Post, raw_user: Any, raw_id: Any) -> Post:
    """Who watched (Tautulli's {user} and {user_id}), when the post says. Left out when not
    filled in (a test, an agent made by hand)."""
    if post.is_test:
        return post
    if raw_user is not None and not isinstance(raw_user, str):
        raise BadPost("user must be a string")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int | None):
        raise BadPost('user_id must be a number such as 12345 or a string such as "12345"')
    user = (raw_user or "").strip()
    user = "" if _PLACEHOLDER.fullmatch(user) else user[:150]
    text = str(raw_id).strip() if raw_id is not None else ""
    if not text or _PLACEHOLDER.fullmatch(text):
        return replace(post, user=user)
    if not _RATING_KEY.fullmatch(text) or len(text) > 18:
        raise BadPost(f"user_id must be a number, not {text[:40]!r}")
    return replace(post, user=user, user_id=int(text))


def store(connection: TautulliConnection, post: Post) -> WebhookEvent:
    """Store the post. Stored pending with `dispatched_at` empty, it waits for the relay, which
    queues its task once the row is committed (cards/relay.py).

    An identical post (same key and event) while an earlier one still waits is stored as its
    duplicate and not queued: a season added at once, or Tautulli firing twice, is one piece of
    work. The look-up and the insert are one statement; the worker collapses further per
    episode.

    Built for many posts a second, on SQLite too, where every write takes the one database
    lock: the only write on the way is that one statement, so the lock is held for a moment;
    last_webhook_at is written at most once a second.
    """
    now = timezone.now()
    event = WebhookEvent(
        connection=connection,
        rating_key=post.rating_key,
        event=post.event,
        user=post.user,
        user_id=post.user_id,
        payload=post.payload,
        received_at=now,
        status=WebhookEvent.Status.PENDING,
    )
    event.insert(twin_since=now - timedelta(seconds=settings.TCM_WEBHOOK_DEDUPE_SECONDS))
    if not connection.last_webhook_at or now - connection.last_webhook_at >= _SEEN_EVERY:
        TautulliConnection.objects.filter(pk=connection.pk).update(last_webhook_at=now)
        connection.last_webhook_at = now
    return event


def _refuse(status: int, reason: str) -> JsonResponse:
    response = JsonResponse({"error": reason}, status=status)
    # Django's request logger would log "Not Found: <path>", and the path holds the secret; the
    # view logs the refusal itself, without it.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown address"
