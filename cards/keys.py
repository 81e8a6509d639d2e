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

from . import watched
from .card import LabelBatch, episode_lock, up_to_date, update_card
from .looks import Rules, needs_restyle
from .models import Episode, Series, TitleCard
from .sync import Progress, episodes_for_key, read_whole


@dataclass
class KeyOutcome:
    episodes: int = 0
    rendered: int = 0
    uploaded: int = 0
    busy: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    # Episodes whose card waits for Plex to make a still (not a failure).
    waiting: list[int] = field(default_factory=list)
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
    viewers: list[tuple[int, str]] | None = None,
    labels: LabelBatch | None = None,
    show: Series | None = None,
) -> KeyOutcome:
    """Bring the cards of everything under a rating key up to date.

    Episodes another task is working on right now are left out and listed in `busy`. For a
    "watched" event, episodes that do not count as watched yet (the watched policy's answer) are
    listed in `not_watched_yet`; `viewers` (user id, name) are who Tautulli says watched them.
    Plex errors (connections/plex.py) propagate; an unknown key raises PlexNotFound. Labels go
    many to a request, sent before it returns; or, given `labels`, the last of them are left in
    that batch for the caller to send (with other keys' labels). `show`: the key is this
    series' (sync.episodes_for_key then lists it without reading the show again).
    """
    client = client or connection.client()
    episodes = episodes_for_key(connection, client, rating_key, show)
    cards = {c.episode_id: c for c in TitleCard.objects.filter(episode__in=episodes)}
    # Labels and the thumb lock are not in listings: read whole, a hundred per request rather
    # than one request per card, the episodes whose labels tcm does not know yet and those tcm
    # never put a card on (the kept check before the first upload goes by this read).
    read_whole(connection, client, [e for e in episodes if _read_first(e, cards.get(e.pk))])
    for user_id, name in viewers or []:
        watched.record_viewer(episodes, user_id, name)
    outcome = KeyOutcome(episodes=len(episodes))
    caller_sends = labels is not None
    labels = labels if labels is not None else LabelBatch(client)
    rules = Rules.load({e.series_id for e in episodes})
    for done, episode in enumerate(episodes):
        if progress:
            progress(done, len(episodes))
        if len(labels.groups) and done % 100 == 0:
            labels.send()  # now and then: a task cut short loses few
        if event != "watched" and up_to_date(episode, cards.get(episode.pk), rules):
            continue  # nothing to do, and nothing to lock for
        try:
            with episode_lock(episode):
                # The row may hold newer data than our fetch (see cards/sync.py's _store); its
                # series and connection stay the ones loaded (refreshing drops them).
                series, connection_ = episode.series, episode.connection
                episode.refresh_from_db()
                if episode.series_id == series.pk:
                    episode.series = series
                episode.connection = connection_
                # A watched flip that changes the style renders again, whatever else holds.
                result = update_card(
                    episode,
                    client,
                    labels=labels,
                    rules=rules,
                    force_render=needs_restyle(episode, rules),
                )
        except LockHeld:
            outcome.busy.append(episode.pk)
            continue
        outcome.rendered += result.rendered
        outcome.uploaded += result.uploaded
        if result.waiting:
            outcome.waiting.append(episode.pk)
        elif result.failed:
            outcome.failed[episode.pk] = result.failed
        if event == "watched" and not episode.watched:
            outcome.not_watched_yet.append(episode.pk)
    if not caller_sends:
        labels.send()
    if progress:
        progress(len(episodes), len(episodes))
    return outcome


def _read_first(episode: Episode, card: TitleCard | None) -> bool:
    if episode.plex_labels is None:
        return True
    return episode.series.cards_enabled and (card is None or not card.uploaded_hash)
