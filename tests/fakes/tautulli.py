"""A fake Tautulli: API v2 and the Webhook notification agent, as a real v2.17 behaves.

A small stateful HTTP server on loopback (a ThreadingHTTPServer on port 0, in a thread) that
keeps notification agents and answers the commands tcm uses the way the real one does
(/work/shared/reference/tautulli-api.md): form or query parameters only, 400 for every error,
`set_notifier_config` resetting what it is not given, `notify` really posting the body to the
agent's hook with requests, synchronously and without a timeout (a hook that never answers keeps
`notify` from answering until the hook's server goes away).

Test controls: `api_key` (Tautulli's configured key: empty answers "API key not generated", one
that is not 32 characters "API key not generated correctly"), `api_enabled`, `html` (answer like
a server that is not Tautulli), `other_api` (answer like another service's JSON API), `delay`,
`fail(cmd, ...)` / `recover(cmd)`, `add_agent` / `edit_agent` / `delete_agent` (changes behind
tcm's back),
`fire(action, **parameters)` (a real event: conditions checked, {parameters} substituted, posted),
`add_user` / `play` (the users table and the watch history that get_users / get_history read),
`calls` / `count(cmd)`, and `deliveries` (every post the agents made).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from tests.fakes import reply

API_KEY = "0123456789abcdef0123456789abcdef"  # Tautulli's keys are 32 hex characters

# Tautulli's triggers. Written out here rather than imported from connections/agents.py on
# purpose: the fake stands for Tautulli, and must not agree with tcm merely by sharing its code.
ACTIONS = (
    "on_play",
    "on_stop",
    "on_pause",
    "on_resume",
    "on_error",
    "on_change",
    "on_intro",
    "on_commercial",
    "on_credits",
    "on_watched",
    "on_buffer",
    "on_concurrent",
    "on_newdevice",
    "on_created",
    "on_intdown",
    "on_intup",
    "on_extdown",
    "on_extup",
    "on_pmsupdate",
    "on_plexpyupdate",
    "on_plexpydbcorrupt",
    "on_tokenexpired",
)
COMMANDS = (
    "status",
    "get_notifiers",
    "get_notifier_config",
    "add_notifier_config",
    "set_notifier_config",
    "delete_notifier",
    "notify",
    "get_users",
    "get_history",
)
# agent_id -> (agent_name, agent_label, default config). Webhook is what tcm uses; the others let
# a test give Tautulli agents of the user's own.
AGENTS = {
    25: ("webhook", "Webhook", {"hook": "", "method": "POST"}),
    13: ("telegram", "Telegram", {"bot_token": "", "chat_id": ""}),
    15: ("scripts", "Script", {"script_folder": "", "script": ""}),
}
PARAMETER_TYPES = {
    "media_type": "str",
    "username": "str",
    "user": "str",
    "library_name": "str",
    "title": "str",
    "show_name": "str",
    "season_num": "int",
    "episode_num": "int",
    "rating_key": "int",
    "parent_rating_key": "int",
    "grandparent_rating_key": "int",
}
OPERATORS = {
    "str": (
        "contains",
        "does not contain",
        "is",
        "is not",
        "begins with",
        "does not begin with",
        "ends with",
        "does not end with",
    ),
    "int": ("is", "is not", "is greater than", "is less than"),
}
BLANK_CONDITIONS: list[dict[str, Any]] = [
    {"parameter": "", "operator": "", "value": [], "type": None}
]

HTML_PAGE = b"<!DOCTYPE html><html><head><title>Router</title></head><body>Login</body></html>"
NOT_FOUND = b"<html><body><h2>404 Not Found</h2><p>The path was not found.</p></body></html>"
# What another service's JSON API answers on the port (an app refusing a request without its key).
OTHER_API = b'{"error": "Unauthorized"}'


class Refused(Exception):
    """A command answers Tautulli's error envelope (400, or 500 when the command raised)."""

    def __init__(self, message: str | None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Delivery:
    """One post an agent made: what it sent and how the target answered."""

    url: str
    method: str
    headers: dict[str, str]
    body: bytes
    status: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


class FakeTautulli:
    def __init__(self, api_key: str = API_KEY, http_root: str = "") -> None:
        self.api_key = api_key
        self.http_root = "/" + http_root.strip("/") if http_root.strip("/") else ""
        self.api_enabled = True
        self.html = False
        self.other_api = False
        self.delay = 0.0
        self.notifiers: dict[int, dict[str, Any]] = {}
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.deliveries: list[Delivery] = []
        self._failing: dict[str, tuple[int, str, int]] = {}
        self._next_id = 1
        self._notification_id = 0
        self.users: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None

    # --- life cycle

    def start(self) -> FakeTautulli:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # TCP_NODELAY: headers and body are two writes; were a client to keep the connection
            # alive, Nagle would hold the body back until its delayed ACK (~40 ms a response).
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                fake._handle(self)

            do_POST = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: request lines carry the API key

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeTautulli:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server, "start() the fake first"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The address a user copies from the browser (http root included)."""
        return f"http://127.0.0.1:{self.port}{self.http_root}/"

    # --- test controls

    def fail(
        self,
        cmd: str,
        message: str = "Check the logs for errors",
        status: int = 500,
        after: int = 0,
    ) -> None:
        """Make `cmd` answer an error (as when Tautulli's database write fails), once it has
        succeeded `after` more times."""
        self._failing[cmd] = (status, message, self.count(cmd) + after)

    def recover(self, cmd: str) -> None:
        """Make `cmd` work again."""
        self._failing.pop(cmd, None)

    def add_agent(
        self,
        friendly_name: str = "",
        agent_id: int = 25,
        hook: str = "",
        actions: tuple[str, ...] = (),
        body: str = "",
        conditions: list[dict[str, Any]] | None = None,
    ) -> int:
        """An agent made in Tautulli's UI (by the user, not tcm)."""
        with self._lock:
            notifier_id = self._new_agent(agent_id)
            agent = self.notifiers[notifier_id]
            agent["friendly_name"] = friendly_name
            if agent_id == 25:
                agent["config"]["hook"] = hook
            for action in actions:
                agent["actions"][action] = 1
                agent["notify_text"][action]["body"] = body
            if conditions is not None:
                agent["custom_conditions"] = conditions
            return notifier_id

    def edit_agent(self, notifier_id: int, **changes: Any) -> None:
        """Change an agent behind tcm's back: friendly_name, hook, method, on_* flags."""
        with self._lock:
            agent = self.notifiers[notifier_id]
            for key, value in changes.items():
                if key in ("hook", "method"):
                    agent["config"][key] = value
                elif key in ACTIONS:
                    agent["actions"][key] = int(value)
                else:
                    agent[key] = value

    def delete_agent(self, notifier_id: int) -> None:
        """Delete an agent behind tcm's back (in Tautulli's UI)."""
        with self._lock:
            self.notifiers.pop(notifier_id, None)

    def agent(self, notifier_id: int) -> dict[str, Any]:
        with self._lock:
            return json.loads(json.dumps(self.notifiers[notifier_id]))

    def agents_named(self, friendly_name: str) -> list[int]:
        with self._lock:
            return [i for i, a in self.notifiers.items() if a["friendly_name"] == friendly_name]

    def add_user(self, user_id: int, username: str, *, is_admin: bool = False) -> None:
        """A Plex account Tautulli knows (its users table; the owner is the admin)."""
        with self._lock:
            self.users.append(
                {
                    "user_id": user_id,
                    "username": username,
                    "friendly_name": "",
                    "is_admin": int(is_admin),
                }
            )

    def play(
        self,
        user_id: int,
        rating_key: int,
        *,
        show: int = 0,
        section_id: int = 1,
        percent: int = 100,
        started: int | None = None,
    ) -> None:
        """A finished play in the history: `percent` of the episode, watched from Tautulli's
        threshold (85 %) on."""
        with self._lock:
            user = next((u for u in self.users if u["user_id"] == user_id), None)
            started = started or int(time.time()) - 3600
            self.history.append(
                {
                    "row_id": len(self.history) + 1,
                    "user_id": user_id,
                    "user": user["username"] if user else "",
                    "friendly_name": user["username"] if user else "",
                    "rating_key": rating_key,
                    "grandparent_rating_key": show,
                    "section_id": section_id,
                    "media_type": "episode",
                    "date": started,
                    "started": started,
                    "stopped": started + 1800,
                    "percent_complete": percent,
                }
            )

    def count(self, cmd: str | None = None) -> int:
        with self._lock:
            return sum(1 for c, _ in self.calls if cmd is None or c == cmd)

    def fire(self, action: str, **parameters: Any) -> list[Delivery]:
        """A real event (e.g. on_watched with rating_key=5151, media_type=episode): every agent
        with the trigger on whose conditions hold posts its texts, {parameters} substituted."""
        with self._lock:
            agents = [
                self.agent(i)
                for i, a in sorted(self.notifiers.items())
                if a["actions"].get(action) and a["agent_id"] == 25
            ]
        sent = []
        for agent in agents:
            if not _conditions_hold(agent, parameters):
                continue
            text = agent["notify_text"][action]
            sent.append(
                self._send(
                    agent,
                    _substituted(text["subject"], parameters),
                    _substituted(text["body"], parameters),
                )
            )
        return sent

    # --- HTTP

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        if self.delay:
            time.sleep(self.delay)
        if self.html:
            return reply(request, 200, HTML_PAGE, "text/html;charset=utf-8")
        if self.other_api:
            return reply(request, 401, OTHER_API, "application/json; charset=utf-8")
        parts = urlsplit(request.path)
        path = parts.path.rstrip("/")
        if path == f"{self.http_root}/api/v1":
            return _envelope(request, 200, "error", "Please use the /api/v2 endpoint.", {})
        if path != f"{self.http_root}/api/v2":
            return reply(request, 404, NOT_FOUND, "text/html;charset=utf-8")
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        # Tautulli (CherryPy) reads form bodies; a JSON body is ignored.
        if (request.headers.get("Content-Type") or "").startswith(
            "application/x-www-form-urlencoded"
        ):
            params.update(parse_qsl(raw.decode(), keep_blank_values=True))
        try:
            data, message = self._api(params)
        except Refused as exc:
            return _envelope(request, exc.status, "error", exc.message, {})
        return _envelope(request, 200, "success", message, data)

    def _api(self, params: dict[str, str]) -> tuple[Any, str | None]:
        # In Tautulli's order (api2.py, _api_validate): its own configuration first, then the
        # request. Every one of these is a 400 like any other error.
        if not self.api_enabled:
            raise Refused("API not enabled")
        if not self.api_key:
            raise Refused("API key not generated")
        if len(self.api_key) != 32:
            raise Refused("API key not generated correctly")
        if "apikey" not in params:
            raise Refused("Parameter apikey is required")
        cmd = params.pop("cmd", None)
        if cmd is None:
            raise Refused(
                f"Parameter cmd is required. Possible commands are: {', '.join(COMMANDS)}"
            )
        if cmd not in COMMANDS:
            raise Refused(f"Unknown command: {cmd}. Possible commands are: {', '.join(COMMANDS)}")
        if params.pop("apikey") != self.api_key:
            raise Refused("Invalid apikey")
        with self._lock:
            self.calls.append((cmd, dict(params)))
            if cmd in self._failing:
                status, message, after = self._failing[cmd]
                if self.count(cmd) > after:
                    raise Refused(message, status)
        if cmd == "notify":  # posts to the hook: not under the lock, the hook may call back
            return self._notify(params)
        with self._lock:
            return getattr(self, f"_cmd_{cmd}")(params)

    # --- commands (each returns data and message, or raises Refused)

    def _cmd_status(self, params: dict[str, str]) -> tuple[Any, str]:
        return {}, "Ok"

    def _cmd_get_notifiers(self, params: dict[str, str]) -> tuple[Any, str | None]:
        action = params.get("notify_action")
        return [
            {
                "id": a["id"],
                "agent_id": a["agent_id"],
                "agent_name": a["agent_name"],
                "agent_label": a["agent_label"],
                "friendly_name": a["friendly_name"],
                "last_triggered": None,
                "last_success": None,
                "active": int(any(a["actions"].values())),
            }
            for a in sorted(self.notifiers.values(), key=lambda a: a["id"])
            if action not in ACTIONS or a["actions"].get(action)
        ], None

    def _cmd_get_users(self, params: dict[str, str]) -> tuple[Any, str | None]:
        # users.py get_users: the columns as stored (user_id an integer), the friendly name
        # falling back to the username.
        return [
            {
                "row_id": i + 1,
                "user_id": u["user_id"],
                "username": u["username"],
                "friendly_name": u["friendly_name"] or u["username"],
                "is_admin": u["is_admin"],
                "is_active": 1,
                "is_home_user": 0,
                "shared_libraries": ("1",),
            }
            for i, u in enumerate(self.users)
        ], None

    def _cmd_get_history(self, params: dict[str, str]) -> tuple[Any, str | None]:
        # webserve.py get_history and datafactory.py get_datatables_history: comma-separated id
        # filters, `after` compared strictly on the start's date, newest first, start/length
        # paging (length 25 by default), watched_status 1 from the watched threshold on and
        # quarters of it below.
        rows = list(self.history)
        for name in ("user_id", "rating_key", "grandparent_rating_key", "section_id"):
            if params.get(name):
                wanted = {int(v) for v in params[name].split(",") if v.strip()}
                rows = [r for r in rows if r[name] in wanted]
        if params.get("media_type"):
            rows = [r for r in rows if r["media_type"] in params["media_type"].split(",")]
        if params.get("after"):
            day = params["after"]
            rows = [
                r for r in rows if time.strftime("%Y-%m-%d", time.localtime(r["started"])) > day
            ]
        rows.sort(key=lambda r: r["date"], reverse=params.get("order_dir", "desc") != "asc")
        start, length = int(params.get("start", 0)), int(params.get("length", 25))
        page = rows[start : start + length]
        data = [
            {
                **{k: r[k] for k in r if k not in ("percent_complete", "section_id")},
                "id": r["row_id"],
                "percent_complete": r["percent_complete"],
                "watched_status": _watched_status(r["percent_complete"]),
                "full_title": f"Show - Episode {r['rating_key']}",
                "state": None,
                "session_key": None,
            }
            for r in page
        ]
        return {
            "recordsFiltered": len(rows),
            "recordsTotal": len(self.history),
            "data": data,
            "draw": 1,
            "filter_duration": "0 mins",
            "total_duration": "0 mins",
        }, None

    def _cmd_get_notifier_config(self, params: dict[str, str]) -> tuple[Any, str | None]:
        notifier_id = params.get("notifier_id", "")
        if not notifier_id.isdigit() or int(notifier_id) not in self.notifiers:
            raise Refused(None)
        agent = self.agent(int(notifier_id))
        agent["config_options"] = [
            {"label": k, "value": v, "name": f"{agent['agent_name']}_{k}"}
            for k, v in agent["config"].items()
        ]
        return agent, None

    def _cmd_add_notifier_config(self, params: dict[str, str]) -> tuple[Any, str]:
        agent_id = params.get("agent_id", "")
        if not agent_id.isdigit() or int(agent_id) not in AGENTS:
            raise Refused("Failed to add notification agent.")
        return {"notifier_id": self._new_agent(int(agent_id))}, "Added notification agent."

    def _cmd_set_notifier_config(self, params: dict[str, str]) -> tuple[Any, str]:
        agent_id = params.get("agent_id", "")
        if not agent_id.isdigit() or int(agent_id) not in AGENTS:
            raise Refused("Failed to save notification agent.")
        conditions = _validated_conditions(params.get("custom_conditions"))
        if conditions is None:
            raise Refused("Failed to save notification agent.")
        notifier_id = params.get("notifier_id", "")
        if notifier_id.isdigit() and int(notifier_id) in self.notifiers:
            agent = self.notifiers[int(notifier_id)]
        else:
            # An id that does not exist (or none) creates a new agent.
            new_id = int(notifier_id) if notifier_id.isdigit() else None
            agent = self.notifiers[self._new_agent(int(agent_id), new_id)]
        name, label, defaults = AGENTS[int(agent_id)]
        prefix = name + "_"
        # Replaced on every call (reset to defaults when omitted) ...
        agent.update(
            agent_id=int(agent_id),
            agent_name=name,
            agent_label=label,
            friendly_name=params.get("friendly_name", ""),
            custom_conditions=conditions,
            custom_conditions_logic=params.get("custom_conditions_logic", ""),
            config={k: params.get(prefix + k, v) for k, v in defaults.items()},
        )
        # ... merged (kept when omitted).
        for action in ACTIONS:
            if action in params:
                agent["actions"][action] = int(params[action] or 0)
            for part in ("subject", "body"):
                if f"{action}_{part}" in params:
                    agent["notify_text"][action][part] = params[f"{action}_{part}"]
        return {}, "Saved notification agent."

    def _cmd_delete_notifier(self, params: dict[str, str]) -> tuple[Any, str]:
        notifier_id = params.get("notifier_id", "")
        if not notifier_id.isdigit():
            raise Refused("Failed to delete notifier.")
        self.notifiers.pop(int(notifier_id), None)
        return {}, "Notifier deleted successfully."

    def _notify(self, params: dict[str, str]) -> tuple[Any, str]:
        notifier_id = params.get("notifier_id", "")
        if not notifier_id:
            raise Refused("Notification failed: no notifier id provided.")
        with self._lock:
            if not notifier_id.isdigit() or int(notifier_id) not in self.notifiers:
                raise Refused(f"Notification failed: invalid notifier_id provided {notifier_id}.")
            agent = self.agent(int(notifier_id))
        # Sent as given: no substitution for API (and UI test) notifications.
        try:
            headers = _parsed(params.get("headers", params.get("subject", "")))
            body = _parsed(params.get("body", ""))
        except ValueError:  # the agent logs "Invalid Webhook json ... data" and gives up
            raise Refused("Notification failed.") from None
        delivery = self._send(agent, headers, body)
        if not delivery.ok:
            raise Refused("Notification failed.")
        with self._lock:
            self._notification_id += 1
            return {"notification_id": self._notification_id}, "Notification sent."

    # --- internals

    def _new_agent(self, agent_id: int, notifier_id: int | None = None) -> int:
        name, label, defaults = AGENTS[agent_id]
        notifier_id = notifier_id or self._next_id
        self._next_id = max(self._next_id, notifier_id + 1)
        self.notifiers[notifier_id] = {
            "id": notifier_id,
            "agent_id": agent_id,
            "agent_name": name,
            "agent_label": label,
            "friendly_name": "",
            "custom_conditions": BLANK_CONDITIONS,
            "custom_conditions_logic": "",
            "config": dict(defaults),
            "actions": dict.fromkeys(ACTIONS, 0),
            "notify_text": {a: {"subject": "", "body": ""} for a in ACTIONS},
        }
        return notifier_id

    def _send(self, agent: dict[str, Any], extra_headers: Any, payload: Any) -> Delivery:
        """Post like Tautulli's Webhook agent: requests with json=, headers from the subject."""
        headers = {"Content-Type": "application/json"}
        if isinstance(extra_headers, dict):
            headers.update({str(k): str(v) for k, v in extra_headers.items()})
        method = agent["config"].get("method", "POST")
        delivery = Delivery(agent["config"].get("hook", ""), method, headers, b"")
        try:
            kwargs = {"json": payload} if headers["Content-Type"] == "application/json" else {}
            # No timeout, as in Tautulli: a hook that takes the connection and never answers
            # blocks this post (and the notify call waiting on it) until the connection drops.
            response = requests.request(
                method, delivery.url, headers=headers, timeout=None, **kwargs
            )
            body = response.request.body or b""
            delivery.body = body.encode() if isinstance(body, str) else body
            delivery.status = response.status_code
        except requests.RequestException as exc:
            delivery.error = type(exc).__name__
        with self._lock:
            self.deliveries.append(delivery)
        return delivery


def _watched_status(percent: int) -> float:
    """datafactory.py: 1 from the TV watched percent (85 by default) on, then quarters of it."""
    threshold = 85
    for status, part in ((1, 4), (0.75, 3), (0.5, 2), (0.25, 1)):
        if percent >= threshold * part / 4:
            return status
    return 0


def _parsed(text: str) -> Any:
    """A text field as the Webhook agent reads it: JSON, or None when empty."""
    return json.loads(text) if text else None


def _substituted(text: str, parameters: dict[str, Any]) -> Any:
    """Tautulli's formatting of a webhook text: every string value in the JSON gets its
    {parameters} filled in as strings; unknown ones stay literal. Invalid JSON: an empty body."""
    try:
        value = _parsed(text)
    except ValueError:
        return None

    def fill(v: Any) -> Any:
        if isinstance(v, str):
            return re.sub(
                r"\{(\w+)\}",
                lambda m: str(parameters[m[1]]) if m[1] in parameters else m[0],
                v,
            )
        if isinstance(v, list):
            return [fill(x) for x in v]
        if isinstance(v, dict):
            return {k: fill(x) for k, x in v.items()}
        return v

    return fill(value)


def _validated_conditions(raw: str | None) -> list[dict[str, Any]] | None:
    """Tautulli's validate_conditions: the stored form, or None when invalid."""
    if raw is None:
        return BLANK_CONDITIONS
    try:
        conditions = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(conditions, list):
        return None
    result = []
    for condition in conditions:
        if not isinstance(condition, dict):
            return None
        checked = dict(BLANK_CONDITIONS[0])
        parameter = str(condition.get("parameter", "")).lower()
        operator = str(condition.get("operator", "")).lower()
        values = condition.get("value", [])
        if parameter:
            kind = PARAMETER_TYPES.get(parameter)
            if not kind:
                return None
            checked.update(parameter=parameter, type=kind)
            if operator:
                if operator not in OPERATORS[kind]:
                    return None
                checked["operator"] = operator
        if values:
            values = values if isinstance(values, list) else [values]
            if not all(isinstance(v, (str, int, float)) for v in values):
                return None
            checked["value"] = values
        result.append(checked)
    return result


_OPERATIONS = {
    "is": lambda v, w: v in w,
    "is not": lambda v, w: v not in w,
    "contains": lambda v, w: any(x in v for x in w),
    "does not contain": lambda v, w: all(x not in v for x in w),
    "begins with": lambda v, w: v.startswith(tuple(w)),
    "does not begin with": lambda v, w: not v.startswith(tuple(w)),
    "ends with": lambda v, w: v.endswith(tuple(w)),
    "does not end with": lambda v, w: not v.endswith(tuple(w)),
    "is greater than": lambda v, w: any(v > x for x in w),
    "is less than": lambda v, w: any(v < x for x in w),
}


def _conditions_hold(agent: dict[str, Any], parameters: dict[str, Any]) -> bool:
    """All conditions (blank logic) as Tautulli evaluates text and number conditions."""
    for c in agent["custom_conditions"]:
        if not (c["parameter"] and c["operator"] and c["value"]):
            continue
        value = parameters.get(c["parameter"], "")
        wanted: list[Any]
        if c["type"] == "int":
            wanted = [int(v) for v in c["value"]]
            value = int(value or 0)
        else:
            wanted = [str(v).strip().lower() for v in c["value"]]
            value = str(value).strip().lower()
        holds = _OPERATIONS[c["operator"]](value, wanted)
        if not holds:
            return False
    return True


def _envelope(
    request: BaseHTTPRequestHandler, status: int, result: str, message: str | None, data: Any
) -> None:
    body = json.dumps(
        {"response": {"result": result, "message": message, "data": data}}, ensure_ascii=False
    ).encode()
    reply(request, status, body, "application/json;charset=UTF-8")
