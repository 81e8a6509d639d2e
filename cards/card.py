"""One episode's card: render it when its fingerprint changed, put it on Plex when Plex does not
show it, check later that Plex still does, and record what went wrong.

- Whether to render: only when the fingerprint (cards/looks.py) changed, or the card file is
  missing, or when asked.
- Whether to upload: only after a render, when the last upload did not finish, or when asked;
  and not when Plex already shows this exact file (posters lists `upload://posters/<sha1>` as
  selected). Plex's posters are asked only when tcm cannot tell what Plex shows
  (`must_check_posters`, the one place that decides it).
- Labelling: tcm's label goes on with the episode's other labels as tcm last read them (Plex
  takes the whole list); many episodes share a request when the caller collects them in a
  `LabelBatch`.
- Work on one episode never runs twice at once: callers hold `episode_lock`.

Failures are recorded on the TitleCard: its state, the reason, the attempts, and when trying
again is due (for a transient Plex error, the backoff of cards/failures.py). Nothing here
retries: Plex errors are raised after they are recorded, and the task decides (render_card goes
by the card's retry_at, the schedule re-queues failed cards once it has come).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import DatabaseError, connections
from django.utils import timezone

from connections.plex import PlexClient, PlexError, PlexNotFound, PosterInfo
from tcm_site.locks import ensure_held, lock

from . import failures, thumbs
from .looks import Rules, card_inputs, expected_fingerprint, watched_state
from .models import CardEvent, Episode, TitleCard
from .render import RenderError, reencode, render
from .sources import CardError, StillMissing, is_cached, save_file
from .sync import read_whole, refresh_episode

log = logging.getLogger(__name__)


@dataclass
class CardResult:
    rendered: bool = False
    uploaded: bool = False
    failed: str = ""
    # The card waits for Plex to have a still (failed says why); not a failure.
    waiting: bool = False
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


def up_to_date(episode: Episode, card: TitleCard | None, rules: Rules | None = None) -> bool:
    """Whether the episode's card is done as far as tcm's records go: on Plex, its file kept,
    its fingerprint what the stored data gives now, and the episode labelled. Worked out
    without Plex, rendering or a lock; a caller leaves such an episode alone (a second pass over
    a whole library then costs a few queries an episode)."""
    if card is None or card.state != TitleCard.State.UPLOADED or card.watched != episode.watched:
        return False
    if card_file_missing(card):
        return False
    labels = episode.plex_labels
    if labels is None or episode.connection.label not in labels:
        return False
    return expected_fingerprint(episode, rules) == card.fingerprint


@dataclass
class LabelBatch:
    """Episodes waiting for tcm's label, sent together when the caller is done with them: one
    request per library and list of labels (a hundred episodes at most)."""

    client: PlexClient
    groups: dict[tuple[str, tuple[str, ...]], list[Episode]] = field(default_factory=dict)

    def add(self, episode: Episode, labels: list[str]) -> None:
        self.groups.setdefault((episode.series.library, tuple(labels)), []).append(episode)

    def send(self) -> None:
        """Send every group; on a Plex error the groups not sent stay in `groups`."""
        while self.groups:
            (library, labels), episodes = next(iter(self.groups.items()))
            self.client.set_labels(library, [e.rating_key for e in episodes], labels)
            Episode.objects.filter(pk__in=[e.pk for e in episodes]).update(plex_labels=list(labels))
            del self.groups[(library, labels)]


class PendingLabels:
    """The labels of one worker process's scheduled cards, sent many to a request rather than
    one a card: each task hands over its `LabelBatch` (`take`), and they go out when no more
    work waits in the queue, when `MOST` wait, or when the oldest waited `OLDEST` seconds, when
    the process got no task for `idle` seconds (the queue's last tasks went to other processes;
    None: never), and when the process stops. Thread-safe (a threads pool shares one).

    A label that never gets there (the process was killed first, Plex refused it) is sent by
    the schedule's next run (maintenance.render_due_cards labels the uploaded cards' episodes
    whose known labels lack tcm's), as the series path does for a card it finds unlabelled."""

    MOST = 100
    OLDEST = 10.0

    def __init__(self, idle: float | None = 2.0) -> None:
        self._lock = threading.Lock()
        self._batches: dict[int, LabelBatch] = {}
        self._count = 0
        self._since = 0.0
        self._idle = idle
        self._timer: threading.Timer | None = None

    def take(self, connection_pk: int, batch: LabelBatch, more_waiting: Callable[[], bool]) -> None:
        """Keep the batch's episodes, and send everything kept when it is time (`more_waiting`
        is asked only when labels wait)."""
        with self._lock:
            if batch.groups:
                if not self._count:
                    self._since = time.monotonic()
                kept = self._batches.setdefault(connection_pk, LabelBatch(batch.client))
                for key, episodes in batch.groups.items():
                    kept.groups.setdefault(key, []).extend(episodes)
                    self._count += len(episodes)
                batch.groups = {}
            count, since = self._count, self._since
        if not count:
            return
        if count >= self.MOST or time.monotonic() - since >= self.OLDEST or not more_waiting():
            self.send()
        elif self._idle is not None:
            self._arm(self._idle)

    def _arm(self, delay: float) -> None:
        """Send what is kept in `delay` seconds unless a task hands over more before then."""
        timer = threading.Timer(delay, self._send_idle)
        timer.daemon = True
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = timer
        timer.start()

    def _send_idle(self) -> None:
        try:
            self.send()
        finally:
            connections.close_all()  # this thread's own (Django's connections are per thread)

    def send(self) -> None:
        with self._lock:
            batches, self._batches, self._count = self._batches, {}, 0
            if self._timer is not None and self._timer is not threading.current_thread():
                self._timer.cancel()
            self._timer = None
        for batch in batches.values():
            try:
                batch.send()
            except (PlexError, DatabaseError) as exc:
                # The schedule's next run labels them (see the class's docstring); the task
                # that sends them has its own card done and must not fail for them.
                log.warning("labelling %d episodes: %s", sum(map(len, batch.groups.values())), exc)


def update_card(
    episode: Episode,
    client: PlexClient,
    *,
    refresh: bool = False,
    force_render: bool = False,
    force_upload: bool = False,
    check_plex: bool = False,
    labels: LabelBatch | None = None,
    rules: Rules | None = None,
) -> CardResult:
    """Render the episode's card if anything it depends on changed, and put it on Plex if Plex
    does not show it yet. Call it holding `episode_lock`. `refresh` reads the episode from Plex
    first (its watched state above all). A card recorded as uploaded is taken to be on Plex
    unless `check_plex` asks Plex (one request; it may have dropped the card since).

    Failures are recorded on the TitleCard. A card that cannot be made (no still, a corrupt
    source, an unknown card type, an episode Plex no longer has) returns a result with `failed`
    set; other Plex errors are recorded (transient ones with when to retry) and raised, so that
    the caller can retry them. `rules` (cards/looks.py) is loaded for this card when not given:
    callers that do many cards load them once.
    """
    if not episode.series.cards_enabled:
        # Off means nothing: no card record, no render, no upload.
        log.info("cards are off for %s: no card for %s", episode.series, episode)
        return CardResult(watched=episode.watched)
    card, _ = TitleCard.objects.get_or_create(episode=episode)
    episode.card = card  # for cards/sources.py: no second query for the same row
    try:
        if refresh:
            episode = refresh_episode(episode.connection, client, episode)
        result = _update_card(
            episode, card, client, force_render, force_upload, check_plex, labels, rules
        )
    except StillMissing as exc:
        wait_for_still(card, str(exc))
        log.info("card for %s waits for a still: Plex has none yet", episode)
        return CardResult(failed=str(exc), waiting=True, watched=episode.watched)
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
    labels: LabelBatch | None,
    rules: Rules | None,
) -> CardResult:
    # Kept before: render nothing while a person's choice is still what Plex shows.
    kept = card.state == TitleCard.State.KEPT and not card.take_over
    if kept and (reason := thumbs.kept_reason(client, episode, card)):
        if reason != card.kept_reason:
            thumbs.keep(card, reason)
        return CardResult()
    inputs = card_inputs(episode, client, rules)
    assert inputs is not None  # with a client, what is missing is downloaded or raises
    spec = inputs.spec(episode)
    fp = inputs.fingerprint_for(episode, spec)
    result = CardResult()
    state_before = card.state

    if force_render or fp != card.fingerprint or not is_cached(card.file):
        # Only the bytes: the result's picture (a card-sized array) would stay alive through
        # the upload below, in a worker process's peak memory.
        data = render(spec).data
        old = card.file
        card.file = save_file(f"cards/{episode.connection_id}", episode.rating_key, data)
        card.fingerprint = fp
        card.style = inputs.style
        card.watched = watched_state(episode)
        card.size = len(data)
        card.rendered_at = timezone.now()
        card.state = TitleCard.State.RENDERED
        card.save()
        if old and old != card.file:
            default_storage.delete(old)
        result.rendered = True
        log.info(
            "rendered the card for %s (%s, %s)", episode, inputs.settings.card_type, inputs.style
        )
        CardEvent.record(episode.pk, "render", spec=spec.fingerprint_data(), fingerprint=fp)
    if card.watched != watched_state(episode):
        card.watched = watched_state(episode)
        card.save(update_fields=["watched", "updated_at"])

    if result.rendered or force_upload or check_plex or card.state != TitleCard.State.UPLOADED:
        # upload_card sends nothing when Plex already shows this card (unless forced).
        # New: rendered now, and no earlier try can have sent these bytes (it was never
        # rendered, or its last card is on Plex); a card rendered before may be half-way there.
        nothing_sent = state_before in (TitleCard.State.PENDING, TitleCard.State.UPLOADED)
        new = result.rendered and nothing_sent
        result.uploaded = upload_card(
            card, client, force=force_upload, check=check_plex or None, new=new, labels=labels
        )
    elif episode.plex_labels is not None and episode.connection.label not in episode.plex_labels:
        label_episode(episode, client, labels)  # its label did not get there last time
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


def upload_card(
    card: TitleCard,
    client: PlexClient,
    *,
    force: bool = False,
    check: bool | None = None,
    new: bool = False,
    labels: LabelBatch | None = None,
) -> bool:
    """Put the card on Plex and label the episode. False when Plex already showed this exact
    card (nothing was sent). `check` asks Plex's posters first (None: when tcm cannot tell,
    `must_check_posters`; `new` says the card was just rendered and none of it sent yet);
    `force` uploads whatever Plex shows."""
    episode = card.episode
    data = upload_bytes(card)
    sha1 = hashlib.sha1(data).hexdigest()
    known_labels(episode, client)
    if check is None:
        check = must_check_posters(episode, card, sha1, new=new)
    sent = True
    posters = client.posters(episode.rating_key) if check and not force else None
    if posters is not None and _selected_upload(posters) == sha1:
        sent = False
        log.info("Plex already shows this card for %s; not uploading it again", episode)
    else:
        # About to replace what Plex shows: not when a person chose it (cards/thumbs.py). Asked
        # whenever the posters were read anyway, before tcm's first upload to the episode (its
        # posters only when its thumb lock leaves a doubt: cards/thumbs.py's posters_tell), and
        # when forced (Plex no longer shows tcm's card: a person may have chosen another);
        # skipped only when tcm's own last upload is what Plex shows, as far as tcm can tell.
        must_ask = posters is not None or force or not card.uploaded_hash
        # Before the first upload the episode's labels and thumb lock are as the job's batch
        # read left them (keys.py and the schedule read such episodes whole first); forced, Plex
        # stopped showing tcm's card just now: what it shows instead is read afresh.
        known = not force
        if must_ask and (reason := thumbs.kept_reason(client, episode, card, posters, known=known)):
            thumbs.keep(card, reason)
            return False
        # The lock may have lapsed under us (see tcm_site/locks.py): then another task may be
        # uploading this card too. LockLost leaves it to that task.
        ensure_held(_lock_name(episode))
        client.upload_poster(episode.rating_key, data)
        log.info("uploaded the card for %s (%d bytes)", episode, len(data))
    CardEvent.record(episode.pk, "upload", sent=sent, size=len(data))
    thumbs.after_upload(client, episode)
    label_episode(episode, client, labels)
    now = timezone.now()
    card.uploaded_hash = sha1
    card.uploaded_at = now if sent else (card.uploaded_at or now)
    card.verified_at = now
    card.state = TitleCard.State.UPLOADED
    card.last_error, card.failed_at, card.attempts, card.retry_at = "", None, 0, None
    card.kept_reason = ""
    card.save()
    return sent


def must_check_posters(episode: Episode, card: TitleCard, sha1: str, *, new: bool) -> bool:
    """Whether tcm must look at Plex's posters before it uploads this card (bytes with this
    SHA-1): only when it cannot tell what Plex shows. The one place that decides it.

    - Not `new` (the card was rendered by an earlier try, which may have sent it before it was
      cut short; or it is sent again without a new render): ask.
    - These very bytes went up before (the same card rendered again): Plex may show them still.
    - The episode carries tcm's label but tcm has no upload on record (an earlier install, a
      restored database): Plex may show anything tcm ever sent.
    Otherwise a card just rendered and never sent cannot be what Plex shows: it goes straight
    out.
    """
    if not new or card.uploaded_hash == sha1:
        return True
    labels = episode.plex_labels
    if labels is None:
        return True
    return episode.connection.label in labels and not card.uploaded_hash


def known_labels(episode: Episode, client: PlexClient) -> list[str]:
    """The episode's labels on Plex as tcm last read them, read now when never read (one
    request; callers with many episodes read them beforehand with sync.read_whole)."""
    if episode.plex_labels is None:
        read_whole(episode.connection, client, [episode])
    if episode.plex_labels is None:  # Plex did not list it
        raise PlexNotFound(f"Plex has no episode {episode.rating_key}.")
    return episode.plex_labels


def label_episode(episode: Episode, client: PlexClient, batch: LabelBatch | None = None) -> None:
    """Put tcm's label on the episode, with its other labels (now, or in the caller's batch)."""
    labels = known_labels(episode, client)
    ours = episode.connection.label
    if ours in labels:
        return
    wanted = [*labels, ours]
    if not episode.series.library:  # a row from before libraries were recorded
        client.add_label(episode.rating_key, ours)
    elif batch is not None:
        batch.add(episode, wanted)
        return
    else:
        client.set_labels(episode.series.library, [episode.rating_key], wanted)
    Episode.objects.filter(pk=episode.pk).update(plex_labels=wanted)
    episode.plex_labels = wanted


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
    CardEvent.record(card.episode_id, "verify", "Plex no longer showed the card")
    return upload_card(card, client, force=True)


def record_failure(card: TitleCard, reason: str, retry_in: timedelta | None) -> None:
    now = timezone.now()
    card.state = TitleCard.State.FAILED
    card.last_error = reason
    card.failed_at = now
    card.attempts += 1
    card.retry_at = now + retry_in if retry_in else None
    card.save(update_fields=["state", "last_error", "failed_at", "attempts", "retry_at"])
    CardEvent.record(card.episode_id, "failure", reason, retry_at=str(card.retry_at or ""))


# A card waiting for its still is looked at again after 1, 2, 4... minutes, at most an hour
# apart: Plex makes a new episode's still minutes after it is added, an old one's may take longer.
STILL_FIRST_WAIT = timedelta(minutes=1)
STILL_LONGEST_WAIT = timedelta(hours=1)


def wait_for_still(card: TitleCard, reason: str) -> None:
    """Record that the card waits for Plex to have a still, and when to look again."""
    now = timezone.now()
    wait = min(STILL_LONGEST_WAIT, STILL_FIRST_WAIT * 2 ** min(card.attempts, 10))
    card.state = TitleCard.State.WAITING
    card.last_error = reason
    card.attempts += 1
    card.retry_at = now + wait
    card.save(update_fields=["state", "last_error", "attempts", "retry_at"])
