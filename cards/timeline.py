"""Why is my card like this? An episode's timeline, newest first, and the one sentence saying
what, if anything, the user should do.

The timeline puts together what is already kept: Tautulli's posts for the episode, its season
or its show (WebhookEvent), what happened to the card (CardEvent, written where it happens:
renders with their settings, uploads, checks, failures, watched re-checks), and what is
planned next (the card's retry, an event waiting to be tried again). A render says what changed
in the settings since the render before it.

`advice` is the sentence: the episode page ends with it and the card and episode lists show it,
so that the list of cards is the list of what needs attention. It reads only the card, the
connection and cards/looks.py's expected fingerprint (no request to Plex).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from .looks import expected_fingerprint
from .models import CardEvent, Episode, TitleCard, WebhookEvent

RENDER_DUE = "the next hourly run of “Render and upload due cards”"
RENDER_NOW = "choose “Render and upload now”"
SHOWN = 30  # entries of each kind the page shows


@dataclass(frozen=True)
class Entry:
    at: datetime
    what: str
    text: str
    planned: bool = False  # a time to come, not something that happened


def when(moment: datetime) -> str:
    """A time as a person reads it: "14:20" today, "3 Dec 14:20" another day."""
    local, today = timezone.localtime(moment), timezone.localdate()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%-d %b %H:%M}"


def advice(episode: Episode, card: TitleCard | None) -> str:
    """What, if anything, the user should do about this episode's card: one sentence."""
    if reason := episode.connection.blocked_reason():
        return reason
    if not episode.present:
        return "Plex no longer has this episode; nothing to do."
    now = timezone.now()
    if card is None or (card.state == TitleCard.State.PENDING and not card.file):
        return f"No card yet: tcm makes one at {RENDER_DUE}, or {RENDER_NOW}."
    if card.state == TitleCard.State.FAILED:
        reason = card.last_error.rstrip(".") + "."
        if card.retry_at and card.retry_at > now:
            return f"{reason} tcm tries again at {when(card.retry_at)}."
        if card.retry_at:
            return f"{reason} tcm tries again at {RENDER_DUE}."
        return f"{reason} Nothing more happens by itself: once that is fixed, {RENDER_NOW}."
    if card.state == TitleCard.State.RENDERED:
        return f"Rendered but not on Plex yet: tcm uploads it at {RENDER_DUE}, or {RENDER_NOW}."
    expected = expected_fingerprint(episode)
    if expected is not None and expected != card.fingerprint:
        return (
            "The settings changed since this card was made: tcm renders it again at "
            f"{RENDER_DUE}, or {RENDER_NOW}."
        )
    return "Nothing to do: Plex shows this card."


def timeline(episode: Episode) -> list[Entry]:
    """Everything kept about the episode's card, newest first (what is planned on top)."""
    card = TitleCard.objects.filter(episode=episode).first()
    entries = [*_planned(episode, card), *_posts(episode), *_card_events(episode)]
    if card and _checked_since_upload(card):
        assert card.verified_at is not None
        entries.append(Entry(card.verified_at, "checked on Plex", "Plex showed tcm's card."))
    return sorted(entries, key=lambda e: (e.planned, e.at), reverse=True)


def _checked_since_upload(card: TitleCard) -> bool:
    # An upload counts as a check itself; a later check (the daily one) writes no CardEvent,
    # the card's verified_at says when it found the card on Plex.
    if card.state != TitleCard.State.UPLOADED or not card.verified_at:
        return False
    return not card.uploaded_at or card.verified_at - card.uploaded_at > timedelta(minutes=1)


def _planned(episode: Episode, card: TitleCard | None) -> list[Entry]:
    now, planned = timezone.now(), []
    if card and card.state == TitleCard.State.FAILED and card.retry_at and card.retry_at > now:
        planned.append(Entry(card.retry_at, "next attempt", "tcm tries the card again.", True))
    for event in _events(episode).filter(
        status=WebhookEvent.Status.PENDING, next_attempt_at__gt=now
    ):
        text = f"tcm tries Tautulli's “{event.event or 'post'}” again ({event.last_error})"
        planned.append(Entry(event.next_attempt_at, "next attempt", text, True))
    return planned


def _events(episode: Episode) -> Any:
    keys = {episode.rating_key, episode.series.rating_key} | (
        {episode.season_rating_key} if episode.season_rating_key else set()
    )
    return WebhookEvent.objects.filter(connection__plex=episode.connection_id, rating_key__in=keys)


def _posts(episode: Episode) -> list[Entry]:
    entries = []
    for event in _events(episode).order_by("-received_at")[:SHOWN]:
        scope = "" if event.rating_key == episode.rating_key else " (for its season or show)"
        outcome = {
            WebhookEvent.Status.DONE: "done",
            WebhookEvent.Status.DUPLICATE: "a duplicate of an earlier post",
            WebhookEvent.Status.FAILED: f"failed: {event.last_error}",
            WebhookEvent.Status.RUNNING: "being worked on",
            WebhookEvent.Status.PENDING: "waiting",
        }.get(event.status, event.status)
        text = f"“{event.event or 'post'}”{scope}; {outcome}."
        entries.append(Entry(event.received_at, "Tautulli posted", text))
    return entries


def _card_events(episode: Episode) -> list[Entry]:
    # Oldest first, so that each render is compared with the one before it.
    events = list(CardEvent.objects.filter(episode=episode).order_by("-at", "-pk")[: 4 * SHOWN])
    events.reverse()
    entries, before = [], None
    for event in events:
        details = event.details
        if event.kind == CardEvent.Kind.RENDER:
            text = changes(before, details) if before is not None else "First card."
            before = details
        elif event.kind == CardEvent.Kind.UPLOAD:
            size = f"{details.get('size', 0) / 1024:.0f} KB"
            text = f"Sent to Plex ({size})." if details.get("sent") else "Plex showed it already."
        elif event.kind == CardEvent.Kind.RECHECK:
            text = (
                "Plex shows it watched."
                if details.get("watched")
                else f"Plex does not show it watched yet (check {details.get('step')})."
            )
        elif event.kind == CardEvent.Kind.FAILURE:
            retry = details.get("retry_at")
            then = f" Next try at {when(datetime.fromisoformat(retry))}." if retry else ""
            text = event.text + then
        else:
            text = event.text
        entries.append(Entry(event.at, event.get_kind_display(), text))
    return entries


def changes(before: dict, after: dict) -> str:
    """What changed between two renders' settings, e.g. "card type: standard → anime"."""
    old, new = _flat(before.get("spec", {})), _flat(after.get("spec", {}))
    parts = [
        f"{name.replace('_', ' ')}: {_show(old.get(name))} → {_show(new.get(name))}"
        for name in sorted(old.keys() | new.keys())
        if old.get(name) != new.get(name)
    ]
    if parts:
        return "Changed: " + "; ".join(parts) + "."
    if before.get("fingerprint") != after.get("fingerprint"):
        return "The same settings; the still, the art or the font file changed."
    return "The same settings (asked to render again)."


def _flat(data: dict, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "none"
    return str(value)
