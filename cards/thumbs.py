"""Whose thumbnail is on Plex: which thumbnails tcm may take as an episode's original still,
which it must leave alone, and how it lives beside Kometa.

- The original still is never tcm's own card (our label, our upload, our EXIF mark) and never a
  Kometa overlay (Kometa labels what it drew over `Overlay`): then only a poster Plex keeps
  that nobody uploaded can be the original (cards/sources.py asks `thumb_is_original`).
- A thumbnail a person chose is kept: tcm does not upload over it (`kept_reason`). Plex's
  posters list shows which poster is selected and where it came from: an upload that is not
  tcm's (and not Kometa's), a local file beside the media (provider "local", kept only when the
  connection's "keep local artwork" is on), or, before tcm ever uploaded, any pick made in
  Plex's UI (Plex locks the thumb field when a person picks one; tcm's own uploads lock it too,
  so after one the lock says nothing). Before tcm's first upload an unlocked thumb needs no
  look at the posters (`posters_tell`): nobody picked or uploaded it. An admin action
  ("Take over the thumbnail") sets the card's `take_over` and tcm replaces it after all.
- "Work with Kometa" (per Plex connection), as the reference product does it: after each upload
  tcm removes the episode's `Overlay` label, so that Kometa's next run takes tcm's card as the
  clean image and draws its overlay on it, and tcm's cards carry an EXIF mark (tag 0x4242 =
  "titlecard") that says they are title cards. A Kometa overlay drawn over tcm's current card
  then counts as showing it: tcm does not upload the card again over it.
"""

from __future__ import annotations

import io
import logging
import struct
from collections.abc import Sequence

from django.utils import timezone
from PIL import Image

from connections.plex import PlexClient, PosterInfo

from .models import Episode, TitleCard

log = logging.getLogger(__name__)

# The label Kometa puts on an item whose image carries its overlay.
KOMETA_LABEL = "Overlay"
# The EXIF tag and value that mark a title card (the reference product's convention).
EXIF_MARK_TAG = 0x4242
EXIF_MARK = "titlecard"

KEPT_CHOSEN = "kept: the thumbnail was chosen in Plex"
KEPT_LOCAL = "kept: the thumbnail is a local file beside the media"


# --- Which thumbnail is the original still


def thumb_is_original(episode: Episode, labels: Sequence[str], card: TitleCard | None) -> bool:
    """Whether Plex's current thumbnail (on an episode with these labels) may be taken as the
    episode's original still: not when it is (or may be) tcm's own card, nor a picture Kometa
    drew its overlay on."""
    if episode.connection.label in labels or (card is not None and card.uploaded_hash):
        return False
    return KOMETA_LABEL not in labels


def is_title_card(data: bytes) -> bool:
    """Whether the image carries the title-card EXIF mark (tcm's or the reference product's)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            value = image.getexif().get(EXIF_MARK_TAG)
    except Exception:  # not an image Pillow reads: the renderer will say so
        return False
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return isinstance(value, str) and value.strip("\x00").strip() == EXIF_MARK


# --- Thumbnails a person chose


def kept_reason(
    client: PlexClient,
    episode: Episode,
    card: TitleCard,
    posters: list[PosterInfo] | None = None,
    *,
    known: bool = False,
) -> str:
    """Why tcm must leave Plex's thumbnail alone, or "" when it may upload its card.

    This is THE posters check: the episode's labels and thumb lock (as this client read them,
    else (`known`: the caller's job read the episode whole just before, cards/sync.py's
    read_whole) as stored, else read now), and one request for the posters list (none when the
    caller has it, or when the lock already tells: `posters_tell`). Call it before replacing
    what Plex shows; a caller that knows Plex shows tcm's card (cards/card.py) may skip it.
    """
    if card.take_over:
        return ""
    info = client.cached_episode(episode.rating_key)
    if info is not None:
        labels, locked = info.labels, info.thumb_locked
    elif known and episode.plex_labels is not None and episode.plex_thumb_locked is not None:
        labels, locked = tuple(episode.plex_labels), episode.plex_thumb_locked
    else:
        info = client.episode(episode.rating_key, fresh=False)
        labels, locked = info.labels, info.thumb_locked
    if posters is None:
        if not posters_tell(episode, card, locked):
            return ""
        posters = client.posters(episode.rating_key)
    return chosen_in_plex(labels, locked, posters, card.uploaded_hash, episode.connection.label)


def posters_tell(episode: Episode, card: TitleCard, thumb_locked: bool | None) -> bool:
    """Whether Plex's posters list can say anything the thumb lock did not. Plex locks the thumb
    field on every upload (a person's, Kometa's, tcm's) and every pick in its UI, so before tcm's
    first upload an unlocked thumb is Plex's own choice: nobody chose it. Only a local file
    beside the media is selected without a lock, and it counts only when the connection keeps
    local artwork. After tcm's first upload the lock is tcm's own and says nothing."""
    if card.uploaded_hash or thumb_locked is not False:
        return True
    return episode.connection.keep_local_artwork


def chosen_in_plex(
    labels: Sequence[str] | None,
    thumb_locked: bool | None,
    posters: list[PosterInfo],
    ours: str,
    our_label: str,
) -> str:
    """The decision of kept_reason, from what Plex said (the episode's labels and whether its
    thumb field is locked; `ours`: the SHA-1 of the last upload tcm made, "" when none;
    `our_label`: the label tcm puts on its cards)."""
    selected = next((p for p in posters if p.selected), None)
    if selected is None:
        return ""
    labels = labels or ()
    if selected.upload_hash:
        if selected.upload_hash == ours:
            return ""
        if KOMETA_LABEL in labels:
            return ""  # Kometa's overlay, not a person's choice: drawn from the original
        if not ours and our_label in labels:
            return ""  # tcm's card from before its records were forgotten
        return KEPT_CHOSEN
    if selected.provider == "local":
        return KEPT_LOCAL
    if thumb_locked and not ours:
        return KEPT_CHOSEN
    return ""


def keep(card: TitleCard, reason: str) -> None:
    """Record that the card stays off Plex because of what Plex shows."""
    card.state = TitleCard.State.KEPT
    card.kept_reason = reason
    card.last_error, card.failed_at, card.attempts, card.retry_at = "", None, 0, None
    card.save()
    log.info("%s for %s: tcm leaves it alone", reason, card.episode)


def take_over(cards: list[TitleCard]) -> int:
    """A person asks tcm to replace the thumbnails chosen in Plex after all."""
    ids = [c.pk for c in cards]
    return TitleCard.objects.filter(pk__in=ids).update(
        take_over=True, kept_reason="", updated_at=timezone.now()
    )


# --- Kometa


def works_with_kometa(episode: Episode) -> bool:
    return episode.connection.work_with_kometa


def mark_title_card(data: bytes) -> bytes:
    """The JPEG with the title-card EXIF mark, its image data untouched (an APP1 segment is
    inserted after the JFIF header; nothing is re-encoded)."""
    if not data.startswith(b"\xff\xd8") or is_title_card(data):
        return data
    exif = Image.Exif()
    exif[EXIF_MARK_TAG] = EXIF_MARK
    payload = exif.tobytes()  # starts with b"Exif\0\0"
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    at = 2
    if data[2:4] == b"\xff\xe0":  # keep JFIF's APP0 first, where readers look for it
        at = 4 + struct.unpack(">H", data[4:6])[0]
    return data[:at] + segment + data[at:]


def after_upload(client: PlexClient, episode: Episode) -> None:
    """Working with Kometa: the Overlay label goes, so that Kometa overlays tcm's new card."""
    if works_with_kometa(episode):
        client.remove_label(episode.rating_key, KOMETA_LABEL)
        # Out of the labels tcm keeps too: labelling (cards/card.py) sends the whole list.
        if episode.plex_labels and KOMETA_LABEL in episode.plex_labels:
            episode.plex_labels = [tag for tag in episode.plex_labels if tag != KOMETA_LABEL]
            Episode.objects.filter(pk=episode.pk).update(plex_labels=episode.plex_labels)


def overlaid_by_kometa(client: PlexClient, episode: Episode, card: TitleCard) -> bool:
    """Working with Kometa: whether Plex shows Kometa's overlay, drawn since tcm's last upload
    (Kometa took tcm's card as its clean image), rather than something else."""
    if not works_with_kometa(episode) or not card.uploaded_hash:
        return False
    info = client.episode(episode.rating_key, fresh=False)
    if KOMETA_LABEL not in (info.labels or ()):
        return False
    selected = next((p for p in client.posters(episode.rating_key) if p.selected), None)
    return selected is not None and bool(selected.upload_hash)
