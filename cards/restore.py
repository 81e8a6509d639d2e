"""Handing Plex back what it had: Restore originals, and forgetting tcm's records of a series.

Restore originals (per episode, series or Plex connection) is two steps:
1. `request_restore`, in the admin's request: the series' cards go off at once (so that no
   render, webhook or schedule puts a card back while the restore runs) and the episodes' cards
   are flagged `restore_requested`;
2. `restore_cards`, in a job with progress (cards/tasks.py): for each flagged card that tcm put
   on Plex, the original still tcm kept (cards/sources.py) is uploaded back, byte for byte, and
   tcm's label removed. A card tcm never uploaded (kept, failed before its upload) has nothing
   to give back, nor has a card kept because Plex shows a person's choice (only tcm's label
   comes off). The card is left `restored`, its uploaded hash the original's: should cards be
   turned on again, Plex's thumbnail is known for tcm's doing, not a person's choice.

Forgetting is separate and explicit: it deletes the series' card records and the originals tcm
kept, so that nothing can be restored afterwards.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet

from connections.plex import PlexClient, PlexNotFound
from tcm_site.locks import LockHeld

from .card import episode_lock
from .models import Episode, Series, TitleCard

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]


def request_restore(episodes: QuerySet[Episode]) -> list[int]:
    """Turn the episodes' series' cards off and flag their cards for the restore job; returns
    the ids of the series concerned."""
    with transaction.atomic():
        series_ids = sorted(set(episodes.values_list("series_id", flat=True)))
        Series.objects.filter(pk__in=series_ids).update(cards_enabled=False)
        TitleCard.objects.filter(episode__in=episodes).update(restore_requested=True)
    return series_ids


def restore_cards(cards: QuerySet[TitleCard], client: PlexClient, progress: Progress) -> dict:
    """Give back the original still of every flagged card (see the module's docstring)."""
    flagged = cards.filter(restore_requested=True).select_related(
        "episode__series", "episode__connection"
    )
    summary = {"restored": 0, "nothing_to_restore": 0, "no_original": 0, "busy": 0, "gone": 0}
    total = flagged.count()
    for done, card in enumerate(flagged.order_by("pk").iterator(chunk_size=200)):
        if done % 20 == 0:
            progress(done, total)
        try:
            with episode_lock(card.episode):
                card.refresh_from_db()
                summary[restore_card(card, client)] += 1
        except LockHeld:
            summary["busy"] += 1  # the job is idempotent: a run later takes it
        except PlexNotFound:
            TitleCard.objects.filter(pk=card.pk).update(restore_requested=False)
            summary["gone"] += 1
    progress(total, total)
    Series.objects.filter(pk__in=cards.values("episode__series_id")).update(cards_enabled=False)
    return summary


def restore_card(card: TitleCard, client: PlexClient) -> str:
    """Put the episode's original still back on Plex and take tcm's label off. Returns what
    happened: "restored", "nothing_to_restore" or "no_original". Call it holding the lock."""
    episode = card.episode
    if card.state == TitleCard.State.KEPT:
        # Plex shows a person's choice, not tcm's card: that stays; only the label goes.
        client.remove_label(episode.rating_key, episode.connection.label)
    done_already = (TitleCard.State.KEPT, TitleCard.State.RESTORED)
    if card.state in done_already or not card.uploaded_hash:
        _done(card, card.state)
        return "nothing_to_restore"
    if not episode.source_file or not default_storage.exists(episode.source_file):
        log.warning("cannot restore %s: tcm kept no original still of it", episode)
        _done(card, card.state, "Restore originals: tcm kept no original still of this episode.")
        return "no_original"
    with default_storage.open(episode.source_file, "rb") as fh:
        data = fh.read()
    client.upload_poster(episode.rating_key, data)
    client.remove_label(episode.rating_key, episode.connection.label)
    card.uploaded_hash = hashlib.sha1(data).hexdigest()
    _done(card, TitleCard.State.RESTORED)
    log.info("restored the original still of %s (%d bytes)", episode, len(data))
    return "restored"


def _done(card: TitleCard, state: str, error: str = "") -> None:
    card.state = state
    card.restore_requested = False
    if error:
        card.last_error = error
    card.save()


def forget_series(series: Series) -> int:
    """Delete tcm's records of a series: its cards and the originals and pictures it kept (the
    files go at the next clean up). The series and its settings stay. Returns the cards deleted.
    """
    with transaction.atomic():
        deleted, _ = TitleCard.objects.filter(episode__series=series).delete()
        Episode.objects.filter(series=series).update(source_file="", source_hash="")
        Series.objects.filter(pk=series.pk).update(
            art_file="", art_hash="", logo_file="", logo_hash="", poster_file="", poster_hash=""
        )
    log.info("forgot tcm's records of %s (%d card records)", series, deleted)
    return deleted
