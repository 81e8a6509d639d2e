"""The notification agents tcm keeps on Tautulli: what they must look like, and making Tautulli
match (create, repair, remove, test).

Webhook agents per connection: "<name> - Recently Added" (on_created, shows/seasons/episodes),
"<name> - Watched" (on_watched, episodes, optionally one user) and "<name> - Plex back up"
(on_intup, Tautulli's "Plex server back up"). They POST `{"rating_key": "{rating_key}", "event":
"..."}` to the connection's webhook URL; the watched one adds `"user": "{user}", "user_id":
"{user_id}"` (who watched, for the watched policy); Plex back up sends `{"event": "intup"}`.

Tautulli's set_notifier_config resets the name, hook, method and conditions it is not given, and
merges the on_* flags and texts; so every write sends the complete configuration, every flag
included (a flag a user switched on by hand would otherwise stay on).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from tcm_site.checks import is_local_url
from tcm_site.logs import redact

from .tautulli import WEBHOOK_AGENT_ID, CommandFailed, NoAnswer, TautulliClient, TautulliError

# Every trigger Tautulli v2.17 has. Ours is 1, all others are sent as 0.
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

WEBHOOK_PATH = "/webhooks/tautulli/"


class Connection(Protocol):
    """What the agents need of the Tautulli connection they belong to
    (connections.models.TautulliConnection, which imports this module: a protocol, so that this
    module need not import it back). The connection stores what is learnt about Tautulli
    through its own methods."""

    @property
    def agent_name(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def tcm_url(self) -> str: ...
    @property
    def trigger_on_watched(self) -> bool: ...
    @property
    def trigger_on_plex_up(self) -> bool: ...
    @property
    def created_agent_id(self) -> int | None: ...
    @property
    def watched_agent_id(self) -> int | None: ...
    @property
    def plex_up_agent_id(self) -> int | None: ...
    @property
    def last_test_latency_ms(self) -> int | None: ...

    def webhook_url(self) -> str: ...
    def masked_webhook_url(self) -> str: ...
    def effective_tcm_url(self) -> str: ...
    def store_agent_id(self, field: str, agent_id: int | None) -> None: ...
    def request_test(self) -> datetime: ...
    def test_arrived_since(self, requested: datetime) -> bool: ...


class AgentError(TautulliError):
    """Tautulli answered, but the agents could not be brought into shape."""


@dataclass(frozen=True)
class AgentSpec:
    """One agent as it must be on Tautulli."""

    field: str  # the TautulliConnection field that stores its id
    friendly_name: str
    action: str
    event: str
    hook: str
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...]
    # More of Tautulli's parameters the post carries: (key in the body, template).
    extra: tuple[tuple[str, str], ...] = ()
    keyed: bool = True  # about an item (a rating key); a server notification is not

    @property
    def body(self) -> str:
        # Tautulli substitutes {rating_key} inside string values and always sends strings.
        key = {"rating_key": "{rating_key}"} if self.keyed else {}
        return json.dumps({**key, "event": self.event, **dict(self.extra)})

    def params(self, known_actions: set[str]) -> dict[str, Any]:
        """The complete set_notifier_config parameters (besides notifier_id and agent_id)."""
        params: dict[str, Any] = {
            "friendly_name": self.friendly_name,
            "webhook_hook": self.hook,
            "webhook_method": "POST",
            "custom_conditions": [
                {"parameter": p, "operator": op, "value": list(values), "type": "str"}
                for p, op, values in self.conditions
            ],
            # Blank logic: all conditions must hold.
            "custom_conditions_logic": "",
        }
        for action in sorted(known_actions | set(ACTIONS)):
            params[action] = int(action == self.action)
        params[f"{self.action}_subject"] = ""  # the subject is the POST's extra headers: none
        params[f"{self.action}_body"] = self.body
        return params

    def differences(self, current: dict[str, Any]) -> list[str]:
        """What about the agent on Tautulli differs from this spec, in words for a message."""
        found = []
        if current.get("friendly_name") != self.friendly_name:
            found.append("name")
        config = current.get("config") or {}
        hook = str(config.get("hook") or "")
        if hook != self.hook:
            same_place = hook.split(WEBHOOK_PATH)[0] == self.hook.split(WEBHOOK_PATH)[0]
            found.append("webhook secret" if same_place and WEBHOOK_PATH in hook else "URL")
        if str(config.get("method") or "").upper() != "POST":
            found.append("method")
        actions = current.get("actions") or {}
        if any(int(on or 0) != int(a == self.action) for a, on in actions.items()) or not int(
            actions.get(self.action) or 0
        ):
            found.append("triggers")
        text = (current.get("notify_text") or {}).get(self.action) or {}
        if text.get("body") != self.body or (text.get("subject") or "") != "":
            found.append("body")
        if (
            _conditions(current.get("custom_conditions")) != set(self.conditions)
            or (current.get("custom_conditions_logic") or "").strip()
        ):
            found.append("conditions")
        return found


def _conditions(raw: Any) -> set[tuple[str, str, tuple[str, ...]]]:
    """Tautulli's stored conditions in a comparable form; blank conditions mean nothing."""
    result = set()
    for c in raw if isinstance(raw, list) else []:
        if isinstance(c, dict) and c.get("parameter") and c.get("operator") and c.get("value"):
            values = c["value"] if isinstance(c["value"], list) else [c["value"]]
            result.add((str(c["parameter"]), str(c["operator"]), tuple(str(v) for v in values)))
    return result


def specs(connection: Connection) -> tuple[AgentSpec, AgentSpec, AgentSpec]:
    """The agents of a connection: Recently Added always, Watched with trigger_on_watched,
    Plex back up with trigger_on_plex_up."""
    hook = connection.webhook_url()
    created = AgentSpec(
        field="created_agent_id",
        friendly_name=f"{connection.agent_name} - Recently Added",
        action="on_created",
        event="created",
        hook=hook,
        conditions=(("media_type", "is", ("show", "season", "episode")),),
    )
    watched_conditions = [("media_type", "is", ("episode",))]
    if connection.username:
        watched_conditions.append(("username", "is", (connection.username,)))
    watched = AgentSpec(
        field="watched_agent_id",
        friendly_name=f"{connection.agent_name} - Watched",
        action="on_watched",
        event="watched",
        hook=hook,
        conditions=tuple(watched_conditions),
        # Who watched: the watched policy may count someone other than the owner.
        extra=(("user", "{user}"), ("user_id", "{user_id}")),
    )
    # Tautulli's "Plex Server Back Up" (its websocket to Plex reconnected): a server
    # notification, no item, no conditions.
    plex_up = AgentSpec(
        field="plex_up_agent_id",
        friendly_name=f"{connection.agent_name} - Plex back up",
        action="on_intup",
        event="intup",
        hook=hook,
        conditions=(),
        keyed=False,
    )
    return created, watched, plex_up


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{verb} {', '.join(names)}"
            for verb, names in (
                ("created", self.created),
                ("updated", self.updated),
                ("already up to date:", self.unchanged),
                ("removed", self.removed),
            )
            if names
        ]
        return "notification agents " + "; ".join(parts) + "."


NO_TCM_URL = (
    "tcm does not know at which address Tautulli reaches it: set 'tcm URL as Tautulli sees it' "
    "on this connection (or TCM_PUBLIC_URL), e.g. http://192.168.1.20:8000."
)


def url_warnings(connection: Connection) -> list[str]:
    """Reasons the URL Tautulli posts to is probably wrong (it is never shown with its secret)."""
    base = connection.effective_tcm_url()
    if not base:
        return [NO_TCM_URL]
    if is_local_url(base):
        # Say where the address comes from: with the field empty it is TCM_PUBLIC_URL, which
        # the connection's page does not show.
        origin = "" if connection.tcm_url else " (TCM_PUBLIC_URL: the connection has no tcm URL)"
        return [
            f"Tautulli will post to {connection.masked_webhook_url()}{origin}, which points at "
            "the machine Tautulli itself runs on. Unless Tautulli runs on this machine outside "
            "any container, set 'tcm URL as Tautulli sees it' to an address Tautulli can reach."
        ]
    return []


def _ensure_tcm_url(connection: Connection) -> None:
    if not connection.effective_tcm_url():
        raise AgentError(NO_TCM_URL)


def _is_ours(config: dict[str, Any] | None, spec: AgentSpec) -> bool:
    """Whether an agent is one tcm made: a Webhook agent with our name or posting to tcm."""
    if not config or int(config.get("agent_id") or 0) != WEBHOOK_AGENT_ID:
        return False
    hook = str((config.get("config") or {}).get("hook") or "")
    return config.get("friendly_name") == spec.friendly_name or WEBHOOK_PATH in hook


def sync_agents(connection: Connection, client: TautulliClient) -> SyncResult:
    """Create the agents that are missing on Tautulli and repair those that drifted.

    Running it again changes nothing. Agent ids are stored as soon as they are known, so a
    failure half-way never leaves an agent tcm would not find again.
    """
    _ensure_tcm_url(connection)
    result = SyncResult(warnings=url_warnings(connection))
    client.status()
    notifiers = {int(n["id"]): n for n in client.get_notifiers() if "id" in n}
    claimed: set[int] = set()
    created, watched, plex_up = specs(connection)
    switches = ((watched, connection.trigger_on_watched), (plex_up, connection.trigger_on_plex_up))
    wanted = [created, *(spec for spec, on in switches if on)]

    for spec in wanted:
        current = _find(client, connection, spec, notifiers, claimed)
        try:
            if current is None:
                agent_id = client.add_notifier_config(WEBHOOK_AGENT_ID)
                connection.store_agent_id(spec.field, agent_id)
                client.set_notifier_config(agent_id, WEBHOOK_AGENT_ID, **spec.params(set()))
                result.created.append(f"“{spec.friendly_name}”")
            else:
                agent_id = int(current["id"])
                connection.store_agent_id(spec.field, agent_id)
                changed = spec.differences(current)
                if changed:
                    known = set((current.get("actions") or {}).keys())
                    client.set_notifier_config(agent_id, WEBHOOK_AGENT_ID, **spec.params(known))
                    result.updated.append(f"“{spec.friendly_name}” ({', '.join(changed)})")
                else:
                    result.unchanged.append(f"“{spec.friendly_name}”")
            claimed.add(agent_id)
        except CommandFailed as exc:
            raise AgentError(
                f"creating or updating the agent “{spec.friendly_name}” failed: {exc}"
            ) from None

    for spec, on in switches:
        agent_id = getattr(connection, spec.field)
        if not on and agent_id:
            if _delete_if_ours(client, spec, agent_id):
                result.removed.append(f"“{spec.friendly_name}”")
            connection.store_agent_id(spec.field, None)
    return result


def _find(
    client: TautulliClient,
    connection: Connection,
    spec: AgentSpec,
    notifiers: dict[int, dict[str, Any]],
    claimed: set[int],
) -> dict[str, Any] | None:
    """The agent on Tautulli that is this spec's: by stored id, else by name."""
    stored = getattr(connection, spec.field)
    if stored and stored in notifiers and stored not in claimed:
        config = client.get_notifier_config(stored)
        if _is_ours(config, spec):
            return config
    for notifier_id, notifier in sorted(notifiers.items()):
        if (
            notifier_id not in claimed
            and notifier.get("friendly_name") == spec.friendly_name
            and int(notifier.get("agent_id") or 0) == WEBHOOK_AGENT_ID
        ):
            return client.get_notifier_config(notifier_id)
    return None


def _delete_if_ours(client: TautulliClient, spec: AgentSpec, agent_id: int) -> bool:
    """Delete the agent with this id if it is still one tcm made (ids can be reused)."""
    if not _is_ours(client.get_notifier_config(agent_id), spec):
        return False
    client.delete_notifier(agent_id)
    return True


def remove_agents(connection: Connection, client: TautulliClient) -> SyncResult:
    """Delete the agents tcm created for this connection (by stored id), and nothing else."""
    result = SyncResult()
    client.status()
    for spec in specs(connection):
        agent_id = getattr(connection, spec.field)
        if not agent_id:
            continue
        if _delete_if_ours(client, spec, agent_id):
            result.removed.append(f"“{spec.friendly_name}”")
        connection.store_agent_id(spec.field, None)
    return result


def send_test(connection: Connection, client: TautulliClient) -> int | None:
    """Have Tautulli post a test through our agent; returns how long it took to reach tcm (ms).

    Raises AgentError, with the reason, when the test did not arrive.

    Tautulli's notify is synchronous: when it answers, its post to tcm has been answered too, so
    the arrival (recorded by the webhook view) can be checked right away. That post has no
    timeout of its own, so when the tcm URL takes the connection and never answers, notify never
    answers either and our call times out. The agent is read first: then a timeout of notify is
    known to come after Tautulli itself just answered, and the message can blame the address
    Tautulli really posts to rather than Tautulli.
    """
    _ensure_tcm_url(connection)
    created, watched, _ = specs(connection)
    spec, agent_id = next(
        (
            (s, getattr(connection, s.field))
            for s in (created, watched)
            if getattr(connection, s.field)
        ),
        (created, None),
    )
    if not agent_id:
        raise AgentError("there is no notification agent yet: run “Create notification agents”.")
    config = client.get_notifier_config(agent_id)
    if config is None or not _is_ours(config, spec):
        # Deleted in Tautulli's UI, or its id now belongs to an agent of the user's own, which
        # must not be made to send our test.
        raise _agent_gone(spec)
    hook = str((config.get("config") or {}).get("hook") or "")
    posts_to = redact(hook) if hook else connection.masked_webhook_url()
    requested = connection.request_test()
    try:
        # The agent's own body: sent without substitution, "{rating_key}" arrives literally,
        # which is how tcm tells a test from an event.
        client.notify(agent_id, subject="", body=spec.body)
    except NoAnswer:
        raise AgentError(
            f"Tautulli answered get_notifier_config, but did not answer notify within "
            f"{client.timeout} s. Tautulli's webhook agent posts without a timeout and notify "
            f"waits for that post, so Tautulli is most likely stuck posting to the tcm URL "
            f"{posts_to}, which does not answer. Check that Tautulli can reach that address "
            "(from Tautulli's own host or container), and set 'tcm URL as Tautulli sees it' "
            "to one it can."
        ) from None
    except CommandFailed as exc:
        said = exc.tautulli_message or ""
        if said.startswith("Notification failed: invalid notifier_id"):
            raise _agent_gone(spec) from None
        if said == "Notification failed.":
            raise AgentError(
                f"Tautulli could not deliver the test to tcm at {connection.masked_webhook_url()}"
                ": Tautulli cannot reach that address, or tcm refused the post (an agent "
                "carrying an old URL or secret: run “Create notification agents”). Check "
                "'tcm URL as Tautulli sees it'."
            ) from None
        raise
    if connection.test_arrived_since(requested):
        return connection.last_test_latency_ms
    raise AgentError(
        "Tautulli answered that it sent the test notification, but it did not reach this tcm. "
        f"Tautulli posts to {connection.masked_webhook_url()}: that address leads somewhere "
        "else (another tcm, or a proxy that does not pass the post on)."
    )


def _agent_gone(spec: AgentSpec) -> AgentError:
    return AgentError(
        f"the agent “{spec.friendly_name}” no longer exists on Tautulli: run "
        "“Create notification agents” again."
    )
