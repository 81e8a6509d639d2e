"""The only code that talks to Tautulli: its API v2, one method per command.

Every request goes through `TautulliClient._call`, which
- posts the parameters form-encoded (Tautulli reads query or form parameters, never a JSON body
  or a header). A POST keeps the API key out of the URL, so it cannot leak through a URL that
  requests puts into an exception, a proxy log or Tautulli's own access log;
- turns every way a call can go wrong into one `TautulliError` subclass whose message says what
  happened in words a user can act on, and whether trying again later can help (`transient`);
- never lets the API key into a message: messages are built by us, and scrubbed once more.

Answers as a real Tautulli v2.17 gives them: 200 on success, 400 for every error (a wrong API
key included, told apart by the message), 500 when a command raised.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from tcm_site.logs import redact

log = logging.getLogger(__name__)

WEBHOOK_AGENT_ID = 25  # Tautulli's "Webhook" notification agent

# Pages of Tautulli's web interface: what the browser shows when a user copies the address.
# Dropping them (and /api/v2) leaves the root, http root included (`/tautulli`).
_UI_PAGES = {
    "home",
    "library",
    "libraries",
    "user",
    "users",
    "history",
    "graphs",
    "sync",
    "logs",
    "settings",
    "info",
    "newsletters",
    "welcome",
    "login",
    "auth",
    "index",
}


def api_url(url: str) -> str:
    """The API v2 endpoint for a Tautulli address as a user pastes it from the browser.

    `http://192.168.0.29:8181/`, `…:8181`, `…:8181/api/v2`, `…:8181/tautulli/home`,
    `…:8181/tautulli/auth/login?redirect_uri=…` all give `…:8181[/tautulli]/api/v2`.
    """
    parts = urlsplit(url.strip())
    segments = [s for s in parts.path.split("/") if s]
    if segments[-2:] in (["api", "v2"], ["api", "v1"]):
        segments = segments[:-2]
    elif segments[-1:] == ["api"]:
        segments = segments[:-1]
    while segments and segments[-1].lower() in _UI_PAGES:
        segments = segments[:-1]
    path = "/".join([*segments, "api", "v2"])
    return urlunsplit((parts.scheme.lower(), parts.netloc, "/" + path, "", ""))


class TautulliError(Exception):
    """A call to Tautulli failed. `str(exc)` is a sentence for the user, free of secrets."""

    transient = False  # whether the same call can succeed later without anyone changing anything

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CannotConnect(TautulliError):
    """Nothing answered: connection refused, unknown host, timeout. Often passes by itself."""

    transient = True


class NoAnswer(CannotConnect):
    """The connection was made and the request sent, but no answer came within the timeout.

    Told apart from other connection failures because Tautulli answers some commands only when
    something else has answered it: `notify` waits for the agent's post, which has no timeout.
    """


class NotTautulli(TautulliError):
    """Something answered, but not Tautulli's API (a web page, another JSON API, a 404)."""


class InvalidApiKey(TautulliError):
    """Tautulli rejected the API key."""


class ApiDisabled(TautulliError):
    """Tautulli's API is switched off (or has no key yet)."""


class CommandFailed(TautulliError):
    """Tautulli understood the call and answered with an error."""

    def __init__(
        self, message: str, *, tautulli_message: str | None = None, transient: bool = False
    ):
        super().__init__(message)
        self.tautulli_message = tautulli_message
        self.transient = transient


@dataclass(frozen=True)
class TautulliUser:
    """One account with access to the Plex server, as Tautulli lists it (get_users)."""

    user_id: int
    name: str  # the friendly name Tautulli shows, else the username
    is_admin: bool  # the server's owner


@dataclass(frozen=True)
class Play:
    """One row of Tautulli's history (get_history): a user played an item."""

    user_id: int
    user: str
    rating_key: str
    watched: bool  # Tautulli's watched_status is 1: the play passed its "watched" threshold
    stopped: int  # Unix time


class TautulliClient:
    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        timeout: float = 15,
        verify_tls: bool = True,
        session: requests.Session | None = None,
    ) -> None:
        self.endpoint = api_url(url)
        self.api_key = api_key
        self.timeout = timeout
        self.verify_tls = verify_tls
        self.session = session or requests.Session()
        self.requests = 0  # calls made, for a run's summary and the benchmarks

    # --- commands

    def status(self) -> None:
        """Succeeds when the URL is Tautulli's and the API key is accepted."""
        self._call("status")

    def get_notifiers(self) -> list[dict[str, Any]]:
        data = self._call("get_notifiers")
        if not isinstance(data, list):
            raise self._not_tautulli("get_notifiers did not answer with a list")
        return data

    def get_notifier_config(self, notifier_id: int) -> dict[str, Any] | None:
        """The agent's full configuration, or None when Tautulli has no agent with this id."""
        try:
            data = self._call("get_notifier_config", notifier_id=notifier_id)
        except CommandFailed as exc:
            # An unknown id is an error with no message at all.
            if exc.tautulli_message is None:
                return None
            raise
        if not isinstance(data, dict) or "config" not in data:
            return None
        return data

    def add_notifier_config(self, agent_id: int = WEBHOOK_AGENT_ID) -> int:
        """Create an empty agent and return its id."""
        data = self._call("add_notifier_config", agent_id=agent_id)
        try:
            return int(data["notifier_id"])
        except (TypeError, KeyError, ValueError):
            raise self._not_tautulli("add_notifier_config answered without an id") from None

    def set_notifier_config(self, notifier_id: int, agent_id: int, **config: Any) -> None:
        """Replace an agent's configuration.

        Tautulli resets the name, hook, method and conditions that are left out, so callers pass
        the whole configuration every time.
        """
        self._call("set_notifier_config", notifier_id=notifier_id, agent_id=agent_id, **config)

    def delete_notifier(self, notifier_id: int) -> None:
        """Delete an agent. Tautulli also answers success for an id it does not have."""
        self._call("delete_notifier", notifier_id=notifier_id)

    def notify(self, notifier_id: int, *, subject: str = "", body: str = "") -> int:
        """Have the agent send `subject`/`body` now (synchronously, without substitution)."""
        data = self._call("notify", notifier_id=notifier_id, subject=subject, body=body)
        return int(data.get("notification_id") or 0) if isinstance(data, dict) else 0

    def get_users(self) -> list[TautulliUser]:
        """Everyone with access to the server (Tautulli's users table; its "Local" user too)."""
        data = self._call("get_users")
        if not isinstance(data, list):
            raise self._not_tautulli("get_users did not answer with a list")
        users = []
        for row in data:
            try:
                user_id = int(row["user_id"])  # an integer column, documented as a string
            except (TypeError, KeyError, ValueError):
                continue
            name = str(row.get("friendly_name") or row.get("username") or user_id)
            users.append(TautulliUser(user_id, name, bool(int(row.get("is_admin") or 0))))
        return users

    def history(
        self,
        *,
        page_size: int = 1000,
        after: date | None = None,
        **filters: Any,
    ) -> Iterator[Play]:
        """Every history row matching `filters` (get_history's: user_id, rating_key,
        grandparent_rating_key, section_id, media_type), newest first, `page_size` rows a
        request (paged with start/length; Tautulli's default length is 25).

        `after`: only plays started after that day (Tautulli compares the start's date in its
        own time zone, strictly). Sessions are not grouped (grouping=0: a resumed play is two
        rows; either can be the watched one) and current activity is left out."""
        start = 0
        params = dict(filters, grouping=0, include_activity=0, order_column="date")
        if after is not None:
            params["after"] = after.isoformat()
        while True:
            data = self._call(
                "get_history", **params, order_dir="desc", start=start, length=page_size
            )
            rows = data.get("data") if isinstance(data, dict) else None
            if not isinstance(rows, list):
                raise self._not_tautulli("get_history did not answer with its table")
            for row in rows:
                play = _play(row)
                if play is not None:
                    yield play
            start += len(rows)
            if len(rows) < page_size or start >= int(data.get("recordsFiltered") or 0):
                return

    # --- the choke point

    def _call(self, cmd: str, **params: Any) -> Any:
        """Run one API command and return its `data`, or raise a TautulliError."""
        form = {k: json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in params.items()}
        form.update(apikey=self.api_key, cmd=cmd)
        started = time.monotonic()
        self.requests += 1
        try:
            response = self.session.post(
                self.endpoint, data=form, timeout=self.timeout, verify=self.verify_tls
            )
        except requests.RequestException as exc:
            raise self._connection_error(exc) from None
        elapsed_ms = (time.monotonic() - started) * 1000
        log.debug(
            "tautulli %s: %s -> HTTP %s in %.0f ms",
            self.endpoint,
            cmd,
            response.status_code,
            elapsed_ms,
        )
        return self._data(cmd, response)

    def _data(self, cmd: str, response: requests.Response) -> Any:
        try:
            envelope = response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            raise self._not_tautulli(
                f"it answered HTTP {response.status_code} with {kind}"
            ) from None
        body = envelope.get("response") if isinstance(envelope, dict) else None
        if not isinstance(body, dict) or body.get("result") not in ("success", "error"):
            raise self._not_tautulli(
                f"it answered HTTP {response.status_code} with JSON of another kind"
            )
        message = body.get("message")
        if body["result"] == "success" and response.status_code == 200:
            return body.get("data")

        text = self._clean(str(message)) if message is not None else None
        where = f"Tautulli at {self.endpoint}"
        if text in ("Invalid apikey", "Parameter apikey is required"):
            raise InvalidApiKey(
                f"{where} rejected the API key. Copy it again from Tautulli → Settings → "
                "Web Interface → API key."
            )
        if text == "API not enabled":
            raise ApiDisabled(
                f"{where} has its API switched off. Turn on Settings → Web Interface → "
                "Enable API in Tautulli."
            )
        if text and text.startswith("API key not generated"):
            raise ApiDisabled(
                f"{where} has no API key yet. Generate one in Tautulli → Settings → Web Interface."
            )
        if response.status_code >= 500:
            raise CommandFailed(
                f"{where} failed running {cmd} (HTTP {response.status_code}: "
                f"{text or 'no message'}); Tautulli's log has the details.",
                tautulli_message=text,
                transient=True,
            )
        raise CommandFailed(
            f"{where} refused {cmd}: {text or 'no message'}",
            tautulli_message=text,
        )

    def _connection_error(self, exc: requests.RequestException) -> TautulliError:
        where = f"cannot connect to Tautulli at {self.endpoint}"
        detail = str(exc)
        if isinstance(exc, requests.exceptions.SSLError):
            return TautulliError(
                f"{where}: the TLS certificate was not accepted. Fix the certificate or turn "
                "off 'verify TLS certificates'."
            )
        if isinstance(exc, requests.ReadTimeout):
            return NoAnswer(f"{where}: no answer within {self.timeout} s.")
        if isinstance(exc, requests.Timeout):
            return CannotConnect(f"{where}: no answer within {self.timeout} s.")
        if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
            return TautulliError(f"{where}: the URL is not valid.")
        if any(
            s in detail
            for s in (
                "NameResolutionError",
                "Name or service not known",
                "nodename nor servname",
                "getaddrinfo failed",
                "Temporary failure in name resolution",
                "No address associated",
            )
        ):
            return CannotConnect(f"{where}: the host name does not resolve.")
        if "refused" in detail.lower():
            return CannotConnect(
                f"{where}: connection refused. Is Tautulli running, and is the port right?"
            )
        return CannotConnect(f"{where}: {type(exc).__name__}.")

    def _not_tautulli(self, detail: str) -> NotTautulli:
        return NotTautulli(
            f"{self.endpoint} is not Tautulli's API ({detail}). Check the URL: use the address "
            "your browser shows for Tautulli's web interface."
        )

    def _clean(self, text: str) -> str:
        """Text from the other side, without our API key (a proxy could echo the request)."""
        if self.api_key:
            text = text.replace(self.api_key, "***")
        return redact(text)[:300]


def _play(row: Any) -> Play | None:
    if not isinstance(row, dict):
        return None
    try:
        user_id, key = int(row["user_id"]), int(row["rating_key"])
        # 1 when watched; 0.25, 0.5, 0.75 for a play that got a quarter, half, three quarters
        # of the way to the threshold; 0 below.
        watched = float(row.get("watched_status") or 0) >= 1
        stopped = int(row.get("stopped") or row.get("date") or 0)
    except (TypeError, KeyError, ValueError):
        return None
    return Play(user_id, str(row.get("user") or ""), str(key), watched, stopped)
