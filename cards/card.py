"""One episode's card: render it when its fingerprint changed, put it on Plex when Plex does not
show it, check later that Plex still does, and record what went wrong.

- Whether to render: only when the fingerprint (cards/looks.py) changed, or the card file is
  missing, or when asked.
- Whether to upload: only after a render, when the last upload did not finish, or when asked;
  and not when Plex already shows this exact file (posters lists `upload://posters/<sha1>` as
  selected).
- Work on one episode never runs twice at once: callers hold `episode_lock`.

Failures are recorded on the TitleCard: its state, the reason, the attempts, and when trying
again is due (for a transient Plex error, the backoff of cards/failures.py). Nothing here
retries: Plex errors are raised after they are recorded, and the task decides (render_card goes
by the card's retry_at, the schedule re-queues failed cards once it has come).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from connections.plex import PlexClient, PlexError, PlexNotFound, PosterInfo
from tcm_site.locks import ensure_held, lock

from . import failures, thumbs
from .looks import card_inputs
from .models import Episode, TitleCard
from .render import RenderError, reencode, render
from .sources import CardError, is_cached, save_file
from .sync import refresh_episode

log = logging.getLogger(__name__)


@dataclass
class CardResult:
    rendered: bool = False
    uploaded: bool = False
    failed: str = ""
    watched: bool | None = None


@contextmanager
def episode_lock(episode: Episode) -> Iterator[None]:
    """Work on one episode never runs twice at once. Raises LockHeld at once when it would."""
    with lock(_lock_name(episode), timeout=600):
        yield


def _lock_name(episode: Episode) -> str:
    return f"episode:{episode.pk}"


def card_file_missing(card: TitleCard) -> bool:
    return not is_cached(card.file)


def update_card(
    episode: Episode,
    client: PlexClient,
    *,
    refresh: bool = False,
    force_render: bool = False,
    force_upload: bool = False,
    check_plex: bool = False,
) -> CardResult:
    """Render the episode's card if anything it depends on changed, and put it on Plex if Plex
    does not show it yet. Call it holding `episode_lock`. `refresh` reads the episode from Plex
    first (its watched state above all). A card recorded as uploaded is taken to be on Plex
    unless `check_plex` asks Plex (one request; it may have dropped the card since).

    Failures are recorded on the TitleCard. A card that cannot be made (no still, a corrupt
    source, an unknown card type, an episode Plex no longer has) returns a result with `failed`
    set; other Plex errors are recorded (transient ones with when to retry) and raised, so that
    the caller can retry them.
    """
    if not episode.series.cards_enabled:
        # Off means nothing: no card record, no render, no upload.
        log.info("cards are off for %s: no card for %s", episode.series, episode)
        return CardResult(watched=episode.watched)
    card, _ = TitleCard.objects.get_or_create(episode=episode)
    try:
        if refresh:
            episode = refresh_episode(episode.connection, client, episode)
        result = _update_card(episode, card, client, force_render, force_upload, check_plex)
    except (CardError, RenderError) as exc:
        record_failure(card, str(exc), getattr(exc, "retry_in", None))
        log.warning("card for %s failed: %s", episode, exc)
        return CardResult(failed=str(exc), watched=episode.watched)
    except PlexNotFound as exc:
        record_failure(card, str(exc), None)
        return CardResult(failed=str(exc), watched=episode.watched)
    except PlexError as exc:
        record_failure(card, str(exc), failures.retry_in(exc, card.attempts + 1))
        raise
    result.watched = episode.watched
    return result


def _update_card(
    episode: Episode,
    card: TitleCard,
    client: PlexClient,
    force_render: bool,
    force_upload: bool,
    check_plex: bool,
) -> CardResult:
    # Kept before: render nothing while a person's choice is still what Plex shows.
    kept = card.state == TitleCard.State.KEPT and not card.take_over
    if kept and (reason := thumbs.kept_reason(client, episode, card)):
        if reason != card.kept_reason:
            thumbs.keep(card, reason)
        return CardResult()
    inputs = card_inputs(episode, client)
    assert inputs is not None  # with a client, what is missing is downloaded or raises
    spec = inputs.spec(episode)
    fp = inputs.fingerprint_for(episode, spec)
    result = CardResult()

    if force_render or fp != card.fingerprint or not is_cached(card.file):
        rendered = render(spec)
        old = card.file
        card.file = save_file(f"cards/{episode.connection_id}", episode.rating_key, rendered.data)
        card.fingerprint = fp
        card.style = inputs.style
        card.watched = episode.watched
        card.size = len(rendered.data)
        card.rendered_at = timezone.now()
        card.state = TitleCard.State.RENDERED
        card.save()
        if old and old != card.file:
            default_storage.delete(old)
        result.rendered = True
        log.info(
            "rendered the card for %s (%s, %s)", episode, inputs.settings.card_type, inputs.style
        )
    if card.watched != episode.watched:
        card.watched = episode.watched
        card.save(update_fields=["watched", "updated_at"])

    if result.rendered or force_upload or check_plex or card.state != TitleCard.State.UPLOADED:
        # upload_card sends nothing when Plex already shows this card (unless forced).
        result.uploaded = upload_card(card, client, force=force_upload)
    return result


def upload_bytes(card: TitleCard) -> bytes:
    """The bytes that go to Plex: the card file, or a smaller re-encoded copy when it exceeds the
    connection's upload limit (the master file is never changed)."""
    with default_storage.open(card.file, "rb") as fh:
        data = fh.read()
    limit = card.episode.connection.upload_limit
    if len(data) > limit:
        data = reencode(data, limit)
    if thumbs.works_with_kometa(card.episode):
        data = thumbs.mark_title_card(data)
    return data


def upload_card(card: TitleCard, client: PlexClient, *, force: bool = False) -> bool:
    """Put the card on Plex and label the episode. False when Plex already showed this exact
    card (nothing was sent)."""
    episode = card.episode
    data = upload_bytes(card)
    sha1 = hashlib.sha1(data).hexdigest()
    sent = True
    posters = None if force else client.posters(episode.rating_key)
    if posters is not None and _selected_upload(posters) == sha1:
        sent = False
        log.info("Plex already shows this card for %s; not uploading it again", episode)
    else:
        # About to replace what Plex shows: not when a person chose it (cards/thumbs.py). This
        # is the one posters check; skip it only when Plex is known to show tcm's card.
        if reason := thumbs.kept_reason(client, episode, card, posters):
            thumbs.keep(card, reason)
            return False
        # The lock may have lapsed under us (see tcm_site/locks.py): then another task may be
        # uploading this card too. LockLost leaves it to that task.
        ensure_held(_lock_name(episode))
        client.upload_poster(episode.rating_key, data)
        log.info("uploaded the card for %s (%d bytes)", episode, len(data))
    client.add_label(episode.rating_key, episode.connection.label)
    thumbs.after_upload(client, episode)
    now = timezone.now()
    card.uploaded_hash = sha1
    card.uploaded_at = now if sent else (card.uploaded_at or now)
    card.verified_at = now
    card.state = TitleCard.State.UPLOADED
    card.last_error, card.failed_at, card.attempts, card.retry_at = "", None, 0, None
    card.kept_reason = ""
    card.save()
    return sent


def shows_card(client: PlexClient, episode: Episode, sha1: str) -> bool:
    """Whether Plex's selected poster for the episode is the upload with this SHA-1."""
    return _selected_upload(client.posters(episode.rating_key)) == sha1


def _selected_upload(posters: list[PosterInfo]) -> str:
    return next((p.upload_hash for p in posters if p.selected), "")


def verify_card(card: TitleCard, client: PlexClient) -> bool:
    """Check that Plex still shows our card (a metadata refresh drops uploads); put it back if
    not. True when it had to be uploaded again."""
    if card.state != TitleCard.State.UPLOADED or not card.uploaded_hash:
        return False
    if not is_cached(card.file):
        return update_card(card.episode, client, force_render=True).uploaded
    if shows_card(client, card.episode, card.uploaded_hash) or thumbs.overlaid_by_kometa(
        client, card.episode, card
    ):
        TitleCard.objects.filter(pk=card.pk).update(verified_at=timezone.now())
        return False
    log.info("Plex no longer shows our card for %s; uploading it again", card.episode)
    return upload_card(card, client, force=True)


def record_failure(card: TitleCard, reason: str, retry_in: timedelta | None) -> None:
    now = timezone.now()
    card.state = TitleCard.State.FAILED
    card.last_error = reason
    card.failed_at = now
    card.attempts += 1
    card.retry_at = now + retry_in if retry_in else None
    card.save(update_fields=["state", "last_error", "failed_at", "attempts", "retry_at"])
