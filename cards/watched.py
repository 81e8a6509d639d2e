"""Whose "watched" counts: the household watched policy of a Plex connection.

Plex keeps one watched flag per episode, the owner's (`Episode.plex_watched`), and shows one
thumbnail to every user. Tautulli keeps every user's history; who has watched an episode is kept
in `Viewer` rows (from Tautulli's history, or its watched post). The policy turns both into
`Episode.watched`, the one answer the card's style goes by (cards/looks.py reads only that):

- owner: Plex's flag (the default, and what tcm did before);
- any: the owner's flag or anyone Tautulli saw watching;
- all_chosen / any_chosen: all / any of the chosen Tautulli users; the owner, when chosen,
  counts by Plex's flag too (a manual "mark as watched" reaches Plex, not Tautulli).

`settle` applies the policy to stored data (no request), for one episode or a whole connection;
`read_history` brings the viewers up to date from Tautulli in bulk (one paged history read per
library and user, and only the last days but once a day). When Tautulli cannot be reached, the
run goes on with what is stored: Plex's flag, read fresh, and the viewers Tautulli reported
before, so that an outage takes no "watched" away and no card flips back and forth.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from connections.models import PlexConnection, WatchedPolicy
from connections.tautulli import TautulliClient, TautulliError

from .models import Episode, Viewer

log = logging.getLogger(__name__)

# A full history read (which also forgets plays deleted from Tautulli) at most this often; the
# other reads ask for the last days only.
FULL_READ_EVERY = timedelta(hours=24)
# Tautulli compares the start's date in its own time zone, strictly: ask from two days before
# the last read, whatever the zones.
OVERLAP = timedelta(days=2)
# A viewer recorded this recently is kept even when a full read does not list it: Tautulli's
# watched post comes at its threshold, the history row only when the play stops.
KEEP_RECENT = timedelta(days=1)
HISTORY_PAGE = 1000


def uses_tautulli(connection: PlexConnection) -> bool:
    """Whether the policy needs anyone's history but the owner's flag."""
    policy = connection.watched_policy
    return policy == WatchedPolicy.ANY or (
        policy != WatchedPolicy.OWNER and bool(_chosen(connection))
    )


def _chosen(connection: PlexConnection) -> set[int]:
    ids = set()
    for value in connection.watched_users or []:
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            continue
    return ids


def decide(connection: PlexConnection, plex_watched: bool | None, viewers: set[int]) -> bool | None:
    """The policy's answer for one episode: Plex's flag (the owner's) and who else watched."""
    policy = connection.watched_policy
    chosen = _chosen(connection)
    if policy == WatchedPolicy.OWNER or (policy != WatchedPolicy.ANY and not chosen):
        return plex_watched
    if policy == WatchedPolicy.ANY:
        return True if (plex_watched or viewers) else plex_watched
    owner = connection.tautulli_owner_id

    def has_watched(user_id: int) -> bool:
        return user_id in viewers or (user_id == owner and bool(plex_watched))

    if policy == WatchedPolicy.ALL_CHOSEN:
        return all(has_watched(u) for u in chosen)
    return any(has_watched(u) for u in chosen)


def counts(connection: PlexConnection, user_id: int | None) -> bool:
    """Whether this user's watching can make an episode count as watched (None: unknown)."""
    if user_id is None:
        return True
    policy, owner = connection.watched_policy, connection.tautulli_owner_id
    if policy == WatchedPolicy.ANY:
        return True
    if policy == WatchedPolicy.OWNER or not _chosen(connection):
        return owner is None or user_id == owner
    return user_id in _chosen(connection)


def settle(connection: PlexConnection, episode_ids: Iterable[int] | None = None) -> list[int]:
    """Apply the policy to the episodes' stored data (all of the connection's when None);
    write `watched` where the answer changed, and return those episodes' ids."""
    episodes = Episode.objects.filter(connection=connection)
    viewers = Viewer.objects.filter(episode__connection=connection)
    if episode_ids is not None:
        ids = list(episode_ids)
        episodes, viewers = episodes.filter(pk__in=ids), viewers.filter(episode_id__in=ids)
    seen: dict[int, set[int]] = {}
    if connection.watched_policy != WatchedPolicy.OWNER:
        for episode_id, user_id in viewers.values_list("episode_id", "user_id"):
            seen.setdefault(episode_id, set()).add(user_id)
    flips: dict[bool | None, list[int]] = {True: [], False: [], None: []}
    for pk, plex_watched, watched in episodes.values_list("pk", "plex_watched", "watched"):
        answer = decide(connection, plex_watched, seen.get(pk, set()))
        if answer != watched:
            flips[answer].append(pk)
    now = timezone.now()
    for answer, changed in flips.items():
        for start in range(0, len(changed), 500):
            chunk = changed[start : start + 500]
            Episode.objects.filter(pk__in=chunk).update(watched=answer, updated_at=now)
    return [pk for changed in flips.values() for pk in changed]


def record_viewer(episodes: list[Episode], user_id: int, user: str) -> None:
    """Tautulli posted that this user watched these episodes: remember it, and apply the policy
    (the episodes' `watched` is updated in place)."""
    if not episodes:
        return
    now = timezone.now()
    for episode in episodes:
        Viewer.objects.update_or_create(
            episode=episode,
            user_id=user_id,
            defaults={"user": user[:150], "watched_at": now, "recorded_at": now},
            create_defaults={
                "user": user[:150],
                "watched_at": now,
                "recorded_at": now,
                "source": Viewer.Source.WEBHOOK,
            },
        )
    connection = episodes[0].connection
    settle(connection, [e.pk for e in episodes])
    answers = dict(
        Episode.objects.filter(pk__in=[e.pk for e in episodes]).values_list("pk", "watched")
    )
    for episode in episodes:
        episode.watched = answers.get(episode.pk, episode.watched)


# --- Tautulli's history, in bulk


@dataclass
class HistoryRead:
    requests: int = 0
    plays: int = 0
    added: int = 0
    removed: int = 0
    error: str = ""  # Tautulli could not be read: the stored viewers stand
    libraries: list[str] = field(default_factory=list)


def read_history(
    connection: PlexConnection,
    libraries: list[tuple[str, str]],
    known: dict[str, int],
    *,
    now: datetime | None = None,
) -> HistoryRead:
    """Bring the connection's viewers up to date from Tautulli: one paged history read per
    library (`(section id, title)`) and chosen user (one per library for "any user"), of the
    last days only, and all of it once a day. `known`: rating key -> episode id.

    Tautulli unreachable (or refusing): nothing stored changes; the error is recorded on the
    connection for the dashboard and returned."""
    now = now or timezone.now()
    result = HistoryRead()
    tautulli = connection.tautulli_connections.order_by("pk").first()
    if tautulli is None:
        result.error = "no Tautulli connection belongs to this Plex connection"
        _record_fallback(connection, result.error, now)
        return result
    client = tautulli.client()
    try:
        _learn_users(connection, client)
        if connection.watched_policy == WatchedPolicy.ANY:
            users: list[int | None] = [None]
        else:
            # The owner's own watching is Plex's flag (it knows manual marks, too).
            owner = connection.tautulli_owner_id
            users = [u for u in sorted(_chosen(connection)) if u != owner]
        state = dict(connection.history_read or {})
        for section, title in libraries:
            for user_id in users:
                read_key = f"{section}:{user_id if user_id is not None else '*'}"
                library = (connection.pk, section, title)
                _read_one(client, read_key, library, user_id, state, known, now, result)
            result.libraries.append(title)
    except TautulliError as exc:
        result.error = str(exc)
        result.requests = client.requests
        log.warning(
            "watched refresh of %s: Tautulli could not be read (%s); going on with Plex's "
            "flag and the viewers known so far",
            connection,
            exc,
        )
        _record_fallback(connection, result.error, now)
        return result
    result.requests = client.requests
    connection.history_read = state
    connection.watched_fallback, connection.watched_fallback_at = "", None
    PlexConnection.objects.filter(pk=connection.pk).update(
        history_read=state, watched_fallback="", watched_fallback_at=None
    )
    return result


def _learn_users(connection: PlexConnection, client: TautulliClient) -> None:
    users = client.get_users()
    names = {str(u.user_id): u.name for u in users}
    owner = next((u.user_id for u in users if u.is_admin), None)
    if names != connection.tautulli_users or owner != connection.tautulli_owner_id:
        connection.tautulli_users, connection.tautulli_owner_id = names, owner
        PlexConnection.objects.filter(pk=connection.pk).update(
            tautulli_users=names, tautulli_owner_id=owner
        )


def _read_one(
    client: TautulliClient,
    read_key: str,
    library: tuple[int, str, str],
    user_id: int | None,
    state: dict,
    known: dict[str, int],
    now: datetime,
    result: HistoryRead,
) -> None:
    last = state.get(read_key) or {}
    full_at = _parse_time(last.get("full_at"))
    full = full_at is None or now - full_at >= FULL_READ_EVERY or not last.get("day")
    after = None if full else date.fromisoformat(last["day"]) - OVERLAP
    filters: dict[str, object] = {"section_id": library[1], "media_type": "episode"}
    if user_id is not None:
        filters["user_id"] = user_id
    seen: dict[tuple[int, int], tuple[str, int]] = {}
    for play in client.history(page_size=HISTORY_PAGE, after=after, **filters):
        result.plays += 1
        episode_id = known.get(play.rating_key)
        if play.watched and episode_id is not None:
            pair = (episode_id, play.user_id)
            if pair not in seen or seen[pair][1] < play.stopped:
                seen[pair] = (play.user, play.stopped)
    _store_viewers(seen, result)
    if full:
        _forget_unseen(library, user_id, seen, now, result)
    state[read_key] = {
        "day": now.date().isoformat(),
        "full_at": now.isoformat() if full else last.get("full_at"),
    }


def _store_viewers(seen: dict[tuple[int, int], tuple[str, int]], result: HistoryRead) -> None:
    if not seen:
        return
    episode_ids = {episode_id for episode_id, _ in seen}
    have = set(
        Viewer.objects.filter(episode_id__in=episode_ids).values_list("episode_id", "user_id")
    )
    new = [
        Viewer(
            episode_id=episode_id,
            user_id=user_id,
            user=user[:150],
            watched_at=datetime.fromtimestamp(stopped, tz=UTC) if stopped else None,
            source=Viewer.Source.HISTORY,
        )
        for (episode_id, user_id), (user, stopped) in seen.items()
        if (episode_id, user_id) not in have
    ]
    with transaction.atomic():
        Viewer.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    result.added += len(new)


def _forget_unseen(
    library: tuple[int, str, str],
    user_id: int | None,
    seen: dict[tuple[int, int], tuple[str, int]],
    now: datetime,
    result: HistoryRead,
) -> None:
    """A full read is the whole truth about this library (and user): viewers it does not list
    were deleted from Tautulli's history, unless recorded too recently for the history to show
    them. `library`: the connection's id, the library's section id and title (as the
    episodes' series keep it)."""
    connection_id, _, title = library
    stale = Viewer.objects.filter(
        episode__connection_id=connection_id,
        episode__series__library=title,
        recorded_at__lt=now - KEEP_RECENT,
    )
    if user_id is not None:
        stale = stale.filter(user_id=user_id)
    gone = [
        pk
        for pk, episode_id, viewer in stale.values_list("pk", "episode_id", "user_id")
        if (episode_id, viewer) not in seen
    ]
    for start in range(0, len(gone), 500):
        Viewer.objects.filter(pk__in=gone[start : start + 500]).delete()
    result.removed += len(gone)


def _record_fallback(connection: PlexConnection, reason: str, now: datetime) -> None:
    connection.watched_fallback, connection.watched_fallback_at = reason, now
    PlexConnection.objects.filter(pk=connection.pk).update(
        watched_fallback=reason, watched_fallback_at=now
    )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


# --- Why: for the episode's page


def explain(episode: Episode) -> tuple[list[str], str]:
    """Who has watched the episode (names), and why the policy says watched or not."""
    connection = episode.connection
    names = {str(k): v for k, v in (connection.tautulli_users or {}).items()}
    viewers = {
        v.user_id: v.user or names.get(str(v.user_id), str(v.user_id))
        for v in episode.viewers.all()
    }
    who = []
    if episode.plex_watched:
        who.append("the owner (on Plex)")
    who += [name for _, name in sorted(viewers.items(), key=lambda kv: kv[1].casefold())]
    answer = decide(connection, episode.plex_watched, set(viewers))
    verdict = "Watched" if answer else "Not watched"
    policy = connection.watched_policy
    if policy == WatchedPolicy.OWNER or (policy != WatchedPolicy.ANY and not _chosen(connection)):
        unset = (
            " (no users are chosen, so the owner's flag decides)"
            if policy != WatchedPolicy.OWNER
            else ""
        )
        flag = "has" if episode.plex_watched else "has not"
        why = f"{verdict}: the owner {flag} watched it on Plex{unset}."
    elif policy == WatchedPolicy.ANY:
        why = f"{verdict}: " + (
            f"{', '.join(who)} watched it." if who else "nobody has watched it."
        )
    else:
        owner = connection.tautulli_owner_id
        chosen = sorted(_chosen(connection))
        done = [u for u in chosen if u in viewers or (u == owner and episode.plex_watched)]
        rule = "all of" if policy == WatchedPolicy.ALL_CHOSEN else "any of"
        why = f"{verdict}: the policy needs {rule} {_names(chosen, names)}; "
        why += f"watched by {_names(done, names) or 'none of them'}"
        missing = [u for u in chosen if u not in done]
        why += f", not yet by {_names(missing, names)}." if missing else "."
    if connection.watched_fallback and connection.watched_policy != WatchedPolicy.OWNER:
        why += " Tautulli could not be read at the last refresh: what it said before still counts."
    return who, why


def _names(user_ids: list[int], names: dict[str, str]) -> str:
    return ", ".join(sorted((names.get(str(u), f"user {u}") for u in user_ids), key=str.casefold))
