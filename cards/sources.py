"""Where a card's pictures come from: the episode's own still and the show's background art,
poster and logo, each downloaded from Plex once and kept in the data dir.

The still is never tcm's own card nor a Kometa overlay (cards/thumbs.py decides). After tcm's
upload, Plex's thumbnail IS tcm's card (and every old thumb URL serves the current image), so
the original is never fetched through the thumb again once the episode carries our label or our
upload; then only a poster Plex keeps that nobody uploaded can be the original.

The series' pictures (background art, poster, logo) come from Plex or from an admin's upload,
which replaces Plex's for that series.

Each function takes the Plex client it may download with, or None: then it answers from what is
kept and downloads nothing (None when only Plex could tell). That is how the schedule works out
a card's fingerprint without a request (cards/looks.py).

Files are named after their content's hash (`save_file`): the same bytes are stored once, and a
changed picture never overwrites the file an older card row still refers to.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from connections.plex import PlexClient, ShowInfo

from . import thumbs
from .models import Episode, Series, TitleCard
from .render.types.base import MISSING_INPUT
from .storage import content_hash

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


def save_file(prefix: str, stem: str, data: bytes, digest: str = "") -> str:
    """Store bytes under a name that carries their hash (`digest`, their SHA-256 when the
    caller has it); the same bytes are stored once."""
    name = f"{prefix}/{stem}-{(digest or sha256(data))[:12]}.jpg"
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
        Episode.objects.filter(pk=episode.pk).update(
            plex_labels=labels, plex_thumb_locked=info.thumb_locked, thumb=thumb or ""
        )
        episode.plex_labels, episode.thumb = labels, thumb or ""
        episode.plex_thumb_locked = info.thumb_locked
    else:
        # What the last listing or read said (cards/sync.py keeps it): no request.
        thumb, labels = episode.thumb, episode.plex_labels
    if not thumb:
        raise StillMissing(
            "Plex has no still for this episode yet; tcm looks again in a few minutes (it "
            "never uses another picture, such as the season poster, in its place)."
        )
    card: TitleCard | None
    if Episode.card.is_cached(episode):
        card = getattr(episode, "card", None)  # the cache may hold "no card"
    else:
        card = TitleCard.objects.filter(episode=episode).first()
    # Plex's thumb may be our own card or Kometa's overlay (cards/thumbs.py): then only a
    # poster nobody uploaded is the original.
    data = b""
    if thumbs.thumb_is_original(episode, labels, card):
        data = client.download(thumb)
        if thumbs.is_title_card(data):  # a title card tcm no longer remembers making
            data = b""
    if not data:
        data = _original_from_posters(episode, client)
    digest = sha256(data)  # hashed once: stills are large
    name = save_file(f"sources/{episode.connection_id}", episode.rating_key, data, digest)
    Episode.objects.filter(pk=episode.pk).update(source_file=name, source_hash=digest)
    episode.source_file, episode.source_hash = name, digest
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


# --- The show's pictures: background art, poster, logo

# Each picture of a series: the Plex path field, the fields that keep the download, and the
# upload that replaces it.
SERIES_PICTURES = {
    "art": ("art", "art_file", "art_hash", "art_upload"),
    "poster": ("thumb", "poster_file", "poster_hash", "poster_upload"),
    "logo": ("logo", "logo_file", "logo_hash", "logo_upload"),
}


@dataclass(frozen=True)
class Picture:
    """A series picture a card is drawn with: its storage name and its content's hash."""

    name: str
    hash: str


def ensure_picture(series: Series, kind: str, client: PlexClient | None) -> Picture | None:
    """The series' `kind` picture (art, poster or logo): the admin's upload when there is one,
    else Plex's, downloaded once per Plex path and kept. None when it is not kept and there is
    no client to download it with. Raises CardError (saying what is missing and what to do)
    when neither the upload nor Plex has one."""
    path_field, file_field, hash_field, upload_field = SERIES_PICTURES[kind]
    upload = getattr(series, upload_field)
    if upload:
        return Picture(upload.name, _upload_hash(upload.name))
    path = getattr(series, path_field)
    if not path and kind == "logo" and client is not None:
        path = _logo_from_the_show(series, client)
    if not path:
        raise CardError(MISSING_INPUT[kind])
    prefix, stem = picture_name(series, kind)
    kept = getattr(series, file_field)
    if is_cached(kept) and kept.startswith(f"{prefix}/{stem}-"):
        return Picture(kept, getattr(series, hash_field))
    if client is None:
        return None
    data = client.download(path)
    digest = sha256(data)
    name = save_file(prefix, stem, data, digest)
    Series.objects.filter(pk=series.pk).update(**{file_field: name, hash_field: digest})
    setattr(series, file_field, name)
    setattr(series, hash_field, digest)
    return Picture(name, digest)


def _logo_from_the_show(series: Series, client: PlexClient) -> str:
    """The clearLogo path from the show itself. A library listing may leave the show's <Image>
    elements out, the show's own answer has them: one request, only for a card that draws the
    logo and found none."""
    info = client.item(series.rating_key, fresh=False)
    logo = info.logo if isinstance(info, ShowInfo) else ""
    if logo:
        Series.objects.filter(pk=series.pk).update(logo=logo)
        series.logo = logo
    return logo


def ensure_art(series: Series, client: PlexClient | None) -> str | None:
    """The storage name of the show's background art (see ensure_picture)."""
    picture = ensure_picture(series, "art", client)
    return picture.name if picture else None


def picture_name(series: Series, kind: str) -> tuple[str, str]:
    """Where the series' `kind` picture is kept: a storage folder and a file stem."""
    # Named after Plex's path: a new picture in Plex (a new path) is downloaded once more.
    path = getattr(series, SERIES_PICTURES[kind][0])
    return (
        f"{kind}/{series.connection_id}",
        f"{series.rating_key}-{hashlib.sha1(path.encode()).hexdigest()[:8]}",
    )


def _upload_hash(name: str) -> str:
    """The content hash of an uploaded picture (cards/storage.py reads it once per version of
    the file); a file no longer there gets a hash of its own, which no content has."""
    return content_hash(name) or f"missing:{name}"
