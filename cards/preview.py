"""The live preview: what the settings a form holds, before saving, make of the series' own
episodes, each in its watched and its unwatched style.

- The settings come from cards/looks.py, with the form's unsaved instance in place of the stored
  row (`in_place_of_stored`): the preview asks the pipeline's own questions (card_settings,
  card_inputs, the spec), so it cannot drift from what a render after saving gives.
- It never uploads and never writes a card: the only writes are the pipeline's own caching of a
  still or the art that was not kept yet (cards/sources.py: fetched once and kept, as a render
  would), and the generated sample still for a connection or series without episodes.
- Cards are drawn at preview size (640 px wide), not the card's 3200: a few tens of ms each.
- A process draws at most SLOTS previews at once; a request that waits longer than WAIT for a
  slot is refused (the browser sends the latest settings again), and `keep_going` lets the
  caller stop a preview whose settings were superseded between two pictures.
"""

from __future__ import annotations

import base64
import dataclasses
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from django.db import models
from PIL import Image

from connections.models import PlexConnection
from connections.plex import PlexClient, PlexError

from .looks import CardInputs, build_spec, card_inputs, card_settings, in_place_of_stored
from .models import Episode, Series, TitleCard
from .render import RenderError, render
from .sources import CardError, is_cached, picture_name, save_file, sha256

WIDTH, HEIGHT, QUALITY = 640, 360, 82
EPISODES = 4
SLOTS = 2
WAIT = 5.0  # seconds a request waits for a free slot

_slots = threading.BoundedSemaphore(SLOTS)


class Busy(Exception):
    """Every preview slot of this process is taken."""


@contextmanager
def slot() -> Iterator[None]:
    if not _slots.acquire(timeout=WAIT):
        raise Busy("Too many previews at once; try again in a moment.")
    try:
        yield
    finally:
        _slots.release()


@dataclass
class Picture:
    style: str = ""
    jpeg: bytes = b""
    error: str = ""

    def as_json(self) -> dict:
        src = "data:image/jpeg;base64," + base64.b64encode(self.jpeg).decode() if self.jpeg else ""
        return {"style": self.style, "src": src, "error": self.error}


@dataclass
class Row:
    """One episode: the card tcm has for it now, and the preview in both styles."""

    label: str
    card: TitleCard | None = None
    sample: bool = False
    pictures: dict[str, Picture] = field(default_factory=dict)


def episodes_for(instance: models.Model, count: int = EPISODES) -> list[Episode]:
    """The stored episodes a form's preview shows: the series' (or the connection's) first
    present ones, those whose still is kept first (no request to Plex needed)."""
    if isinstance(instance, Episode):
        return [Episode.objects.select_related("series", "connection").get(pk=instance.pk)]
    if instance.pk is None:
        return []
    if isinstance(instance, Series):
        episodes = Episode.objects.filter(series=instance)
    elif isinstance(instance, PlexConnection):
        episodes = Episode.objects.filter(connection=instance)
    else:
        return []
    episodes = episodes.filter(present=True).select_related("series", "connection", "card")
    kept = list(episodes.exclude(source_file="")[:count])
    rest = list(episodes.filter(source_file="")[: count - len(kept)]) if len(kept) < count else []
    return kept + rest


def preview(
    instance: models.Model, keep_going: Callable[[], bool] = lambda: True
) -> list[Row] | None:
    """The preview rows for a form's unsaved instance; None when `keep_going` said stop."""
    episodes = episodes_for(instance)
    samples = not episodes
    if samples:
        episodes = sample_episodes(instance)
    fetcher = _Fetcher()
    rows = []
    for stored in episodes:
        card = None if samples else getattr(stored, "card", None)
        row = Row(label=f"{stored} · {stored.title}", card=card, sample=samples)
        episode = stored if samples else in_place_of_stored(stored, instance)
        for watched in (True, False):
            if not keep_going():
                return None
            episode.watched = watched
            row.pictures["watched" if watched else "unwatched"] = picture(episode, fetcher)
        rows.append(row)
    return rows


def picture(episode: Episode, fetcher: _Fetcher) -> Picture:
    """One preview card, at preview size, through the pipeline's own inputs and spec."""
    try:
        inputs = card_inputs(episode, None) or fetcher.inputs(episode)
        spec = inputs.spec(episode)
        spec = dataclasses.replace(spec, width=WIDTH, height=HEIGHT, quality=QUALITY)
        return Picture(style=inputs.style, jpeg=render(spec).data)
    except (CardError, RenderError) as exc:
        return Picture(style=_style(episode), error=str(exc))
    except PlexError as exc:
        return Picture(
            style=_style(episode), error=f"The still is not kept yet and Plex answered: {exc}"
        )


def _style(episode: Episode) -> str:
    return card_settings(episode).style_for(episode.watched)


class _Fetcher:
    """The stored connection's Plex client, made once a preview needs a picture that is not
    kept yet (never the form's URL or token: a preview talks only to the saved server)."""

    def __init__(self) -> None:
        self._clients: dict[int, PlexClient] = {}

    def inputs(self, episode: Episode) -> CardInputs:
        stored = PlexConnection.objects.get(pk=episode.connection_id)
        if reason := stored.blocked_reason():
            raise CardError(f"The still is not kept yet, and Plex is not asked: {reason}")
        if stored.pk not in self._clients:
            self._clients[stored.pk] = stored.client()
        inputs = card_inputs(episode, self._clients[stored.pk])
        assert inputs is not None  # with a client, what is missing is downloaded or raises
        return inputs


# --- Before any sync: a generated still


SAMPLE_TITLES = ("The Lighthouse", "Northern Lights", "A Long Way Down", "Tide")


@lru_cache(maxsize=2)
def _sample_jpeg(seed: int, tower: float) -> bytes:
    from .render.previews import sample_still

    out = BytesIO()
    sample_still(seed=seed, tower=tower).resize((1280, 720)).save(out, "JPEG", quality=88)
    return out.getvalue()


def sample_episodes(instance: models.Model) -> list[Episode]:
    """Unsaved episodes on the generated still, for a form with no stored episodes to show.
    The still and the art are saved where cards/sources.py looks for them (the same bytes
    once), so that the pipeline's own path answers for them too."""
    if isinstance(instance, Series):
        series, connection = instance, instance.connection
    elif isinstance(instance, PlexConnection):
        connection = instance
        series = Series(title="Sample Series", connection=connection, rating_key="sample")
    else:
        return []
    if series.pk is None:
        art = _sample_jpeg(11, 0.8)
        series.art = "sample"
        series.art_file, series.art_hash = save_file(*picture_name(series, "art"), art), sha256(art)
    still = _sample_jpeg(3, 0.22)
    name, digest = save_file("previews", "sample-still", still), sha256(still)
    return [
        Episode(
            series=series,
            connection=connection,
            rating_key=f"sample-{number}",
            season_number=1,
            episode_number=number,
            absolute_number=number,
            title=title,
            source_file=name,
            source_hash=digest,
        )
        for number, title in enumerate(SAMPLE_TITLES, start=1)
    ]


# --- The card type picker's pictures

PICKER_WIDTH, PICKER_HEIGHT = 320, 180


def picker_episode(instance: models.Model | None) -> Episode:
    """The episode the type picker draws every type on: the form's first episode whose still is
    kept (no request to Plex for a picture), else one on the generated still."""
    if instance is not None:
        for episode in episodes_for(instance, 1):
            if episode.source_file and is_cached(episode.source_file):
                episode.watched = True
                return episode
    connection = getattr(instance, "connection", instance)
    if not isinstance(connection, PlexConnection):
        connection = PlexConnection(name="sample")
    episode = sample_episodes(connection)[0]
    episode.watched = True
    return episode


def type_picture(episode: Episode, card_type: str) -> bytes:
    """A small card of one type on the episode's still, with its stored settings (the font,
    the formats), in the plain style: the picker shows the types, not the styles. The type's
    options are left out: they belong to the type chosen now, not to this one."""
    spec = build_spec(episode, card_settings(episode), episode.source_file, None)
    logo, poster = _sample_logo_and_poster()
    spec = dataclasses.replace(
        spec,
        # The types that draw the series' logo or poster show a sample one where it has none.
        logo=spec.logo or logo,
        poster=spec.poster or poster,
        card_type=card_type,
        style="unique",
        extras=(),
        width=WIDTH,
        height=HEIGHT,
    )
    # Drawn at preview size and scaled down, so that the picture shows the type as the preview
    # beside it does (fine lines stay in proportion instead of rounding to whole pixels).
    out = BytesIO()
    small = render(spec).image.resize((PICKER_WIDTH, PICKER_HEIGHT), Image.Resampling.LANCZOS)
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


def _sample_logo_and_poster() -> tuple[str, str]:
    """Paths of a sample logo and poster in the data dir, made once."""
    from django.core.files.storage import default_storage

    from .render import samples

    logo = Path(default_storage.path("previews/sample-logo.png"))
    poster = logo.with_name("sample-poster.jpg")
    if not (logo.exists() and poster.exists()):
        logo.parent.mkdir(parents=True, exist_ok=True)
        samples.save_logo(str(logo))
        samples.save_poster(str(poster), 400, 600)
    return str(logo), str(poster)
