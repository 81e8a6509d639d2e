"""Where a card's pictures come from: the episode's own still and the show's background art,
each downloaded from Plex once and kept in the data dir.

The still is never tcm's own card. After tcm's upload, Plex's thumbnail IS tcm's card (and every
old thumb URL serves the current image), so the original is never fetched through the thumb
again once the episode carries our label or our upload; then only a poster Plex keeps that
nobody uploaded can be the original.

Each function takes the Plex client it may download with, or None: then it answers from what is
kept and downloads nothing (None when only Plex could tell). That is how the schedule works out
a card's fingerprint without a request (cards/looks.py).

Files are named after their content's hash (`save_file`): the same bytes are stored once, and a
changed picture never overwrites the file an older card row still refers to.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from connections.plex import PlexClient

from .models import Episode, Series, TitleCard

log = logging.getLogger(__name__)


class CardError(Exception):
    """This card cannot be made now, for a reason a person can read (and retrying the same
    thing at once will not help). `retry_in` suggests when it is worth another try."""

    def __init__(self, message: str, retry_in: timedelta | None = None) -> None:
        super().__init__(message)
        self.retry_in = retry_in


class StillMissing(CardError):
    """Plex has no still for the episode yet. Not a failure: Plex makes one later (after its
    media analysis), so the card waits and is looked at again soon; no other picture takes the
    still's place (the season poster, say). Card types that need no still draw without."""


# --- The file cache


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_cached(name: str) -> bool:
    """Whether a stored file name refers to a file that is still there."""
    return bool(name) and default_storage.exists(name)


def save_file(prefix: str, stem: str, data: bytes) -> str:
    """Store bytes under a name that carries their hash; the same bytes are stored once."""
    name = f"{prefix}/{stem}-{sha256(data)[:12]}.jpg"
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(data))


# --- The still


def ensure_source(episode: Episode, client: PlexClient | None) -> str | None:
    """The storage name of the episode's original still, downloading it once (None: not kept,
    and no client to download it with).

    Never tcm's own card: the thumbnail is trusted only while the episode carries neither our
    label nor our upload. Otherwise only a poster Plex keeps that nobody uploaded (the still from
    the media or the agent) can be the original. An episode without a thumbnail of its own has no
    source; the season poster (plexapi's thumbUrl fallback) is never one.
    """
    if is_cached(episode.source_file):
        return episode.source_file
    if client is None:
        return None
    if episode.plex_labels is None or not episode.thumb:
        # Never read whole: its labels (is our card on Plex?) only the item itself tells. Or it
        # had no still when last listed: Plex may have one now (a card waiting for a still).
        info = client.episode(episode.rating_key, fresh=False)
        thumb, labels = info.thumb, list(info.labels or ())
        Episode.objects.filter(pk=episode.pk).update(plex_labels=labels, thumb=thumb or "")
        episode.plex_labels, episode.thumb = labels, thumb or ""
    else:
        # What the last listing or read said (cards/sync.py keeps it): no request.
        thumb, labels = episode.thumb, episode.plex_labels
    if not thumb:
        raise StillMissing(
            "Plex has no still for this episode yet; tcm looks again in a few minutes (it "
            "never uses another picture, such as the season poster, in its place)."
        )
    card = TitleCard.objects.filter(episode=episode).first()
    ours = episode.connection.label in labels or bool(card and card.uploaded_hash)
    # Plex's thumb may be our own card: then only a poster nobody uploaded is the original.
    data = _original_from_posters(episode, client) if ours else client.download(thumb)
    name = save_file(f"sources/{episode.connection_id}", episode.rating_key, data)
    Episode.objects.filter(pk=episode.pk).update(source_file=name, source_hash=sha256(data))
    episode.source_file, episode.source_hash = name, sha256(data)
    log.info("cached the original still of %s (%d bytes)", episode, len(data))
    return name


def _original_from_posters(episode: Episode, client: PlexClient) -> bytes:
    candidates = [
        p for p in client.posters(episode.rating_key) if not p.upload_hash and p.key.startswith("/")
    ]
    # The one Plex would go back to first: selected, else the first listed.
    candidates.sort(key=lambda p: not p.selected)
    if not candidates:
        raise CardError(
            "Plex's thumbnail is tcm's own card and Plex keeps no other still of this episode; "
            "the original cannot be recovered (refresh the episode's metadata in Plex)."
        )
    return client.download(candidates[0].key)


# --- The show's background art


def ensure_art(series: Series, client: PlexClient | None) -> str | None:
    """The storage name of the show's background art, downloaded once per art path (None: not
    kept, and no client to download it with). Raises CardError when Plex has no art."""
    if not series.art:
        raise CardError(f"Plex has no background art for {series.title!r}.")
    if _art_is_cached(series):
        return series.art_file
    if client is None:
        return None
    data = client.download(series.art)
    prefix, stem = _art_name(series)
    name = save_file(prefix, stem, data)
    Series.objects.filter(pk=series.pk).update(art_file=name, art_hash=sha256(data))
    series.art_file, series.art_hash = name, sha256(data)
    return name


def _art_name(series: Series) -> tuple[str, str]:
    # Named after Plex's art path: new art in Plex (a new path) is downloaded once more.
    return (
        f"art/{series.connection_id}",
        f"{series.rating_key}-{hashlib.sha1(series.art.encode()).hexdigest()[:8]}",
    )


def _art_is_cached(series: Series) -> bool:
    """Whether the art file kept for the series is Plex's current art."""
    prefix, stem = _art_name(series)
    return is_cached(series.art_file) and series.art_file.startswith(f"{prefix}/{stem}-")
