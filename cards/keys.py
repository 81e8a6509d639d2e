"""One rating key, as a webhook (or "Render and upload all cards") asks: everything under it (a
show, a season or an episode) brought up to date on Plex, episode by episode.

An episode another task is working on right now is left out and reported busy, never waited
for: the caller decides when to come back. Plex errors propagate (connections/plex.py says
whether trying again can help); the caller decides whether to retry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connections.models import PlexConnection
from connections.plex import PlexClient
from tcm_site.locks import LockHeld

from .card import episode_lock, update_card
from .looks import Rules
from .sync import Progress, episodes_for_key


@dataclass
class KeyOutcome:
    episodes: int = 0
    rendered: int = 0
    uploaded: int = 0
    busy: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    not_watched_yet: list[int] = field(default_factory=list)

    def failure_summary(self) -> str:
        if not self.failed:
            return ""
        reasons = sorted(set(self.failed.values()))
        head = f"{len(self.failed)} of {self.episodes} cards failed: " if self.episodes > 1 else ""
        return head + "; ".join(reasons)


def process_rating_key(
    connection: PlexConnection,
    rating_key: str,
    event: str = "",
    client: PlexClient | None = None,
    progress: Progress | None = None,
) -> KeyOutcome:
    """Bring the cards of everything under a rating key up to date.

    Episodes another task is working on right now are left out and listed in `busy`. For a
    "watched" event, episodes Plex does not show as watched yet are listed in `not_watched_yet`.
    Plex errors (connections/plex.py) propagate; an unknown key raises PlexNotFound.
    """
    client = client or connection.client()
    episodes = episodes_for_key(connection, client, rating_key)
    outcome = KeyOutcome(episodes=len(episodes))
    rules = Rules.load({e.series_id for e in episodes})
    for done, episode in enumerate(episodes):
        if progress:
            progress(done, len(episodes))
        try:
            with episode_lock(episode):
                # The row may hold newer data than our fetch (see cards/sync.py's _store).
                episode.refresh_from_db()
                result = update_card(episode, client, rules=rules)
        except LockHeld:
            outcome.busy.append(episode.pk)
            continue
        outcome.rendered += result.rendered
        outcome.uploaded += result.uploaded
        if result.failed:
            outcome.failed[episode.pk] = result.failed
        if event == "watched" and not episode.watched:
            outcome.not_watched_yet.append(episode.pk)
    if progress:
        progress(len(episodes), len(episodes))
    return outcome
