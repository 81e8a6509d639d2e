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
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO

from django.db import models
from PIL import Image

from connections.models import PlexConnection
from connections.plex import PlexClient, PlexError

from .looks import (
    CardInputs,
    Rules,
    TemplateRule,
    build_spec,
    card_inputs,
    card_settings,
    facts_of,
    in_place_of_stored,
)
from .models import Episode, SeasonTitle, Series, Template, TemplateFilter, TitleCard
from .render import RenderError, render
from .sources import CardError, is_cached, picture_name, save_file, sha256
from .storage import local_file

WIDTH, HEIGHT, QUALITY = 640, 360, 82
EPISODES = 4
# How many episodes of a series (or, for filters on episodes, of all) a template's preview tests
# against its filters, those with a kept still first: bounded, it runs on every keystroke.
SCAN = 1000
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
    note: str = ""
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


# Unsaved rows of a form's inlines, by model (a template's filters and season titles): what the
# form holds in place of the stored rows. A model left out counts with its saved rows.
Related = Mapping[type[models.Model], Sequence[models.Model]]


@dataclass
class Subject:
    """What a form's preview draws: the episodes, the rules their settings resolve with (the
    form's unsaved template or season titles in them), and a note on why these episodes."""

    episodes: list[Episode]
    rules: Rules
    samples: bool = False
    note: str = ""


def subject(instance: models.Model, related: Related | None = None) -> Subject:
    related = related or {}
    if isinstance(instance, Template):
        return template_subject(instance, related)
    episodes = episodes_for(instance)
    samples = not episodes
    if samples:
        episodes = sample_episodes(instance)
    series_ids = {e.series_id for e in episodes if e.series_id is not None}
    rules = Rules.load(series_ids)
    if isinstance(instance, Series) and SeasonTitle in related and instance.pk is not None:
        rows = [row for row in related[SeasonTitle] if isinstance(row, SeasonTitle)]
        rules = rules.with_series_titles(instance, rows)
    return Subject(episodes, rules, samples)


def template_subject(template: Template, related: Related, count: int = EPISODES) -> Subject:
    """The episodes the template applies to with the filters the form holds, through the
    pipeline's own precedence (an attached template, else the first whose filters hold); for a
    template that matches none yet, the first series' episodes (or the generated still) as if
    it applied to them."""
    filters = _rows(template, related, TemplateFilter, "filters")
    season_titles = _rows(template, related, SeasonTitle, "season_titles")
    rule = TemplateRule.build(template, filters, season_titles)
    rules = Rules.load().with_template(rule)
    present = (
        Episode.objects.filter(present=True, series__cards_enabled=True)
        .select_related("series", "connection", "card")
        .annotate(unkept=models.Case(models.When(source_file="", then=1), default=0))
        .order_by("unkept", "series__title", "season_number", "episode_number")
    )

    def applies(episode: Episode) -> bool:
        return rules.template_for(episode.series, facts_of(episode, episode.series)) is rule

    # Most filters are on the series (library, title, genres...): each series is tried first
    # with a stand-in for its episodes, then the episodes of those it matched, one by one.
    matched: list[Episode] = []
    for series in Series.objects.filter(cards_enabled=True).order_by("title"):
        if applies(Episode(series=series, season_number=1, episode_number=1, absolute_number=1)):
            for candidate in present.filter(series=series)[:SCAN].iterator(chunk_size=50):
                if applies(candidate):
                    matched.append(candidate)
                if len(matched) >= count:
                    break
            if len(matched) >= count:
                break
    if not matched:
        # Filters on the episodes (a season, watched) the stand-in missed: the first ones.
        matched = [e for e in present[:SCAN] if applies(e)]
    matched = matched[:count]
    if matched:
        return Subject(matched, rules)
    forced = rules.forcing(rule)
    first = present.first()
    if first is not None:
        episodes = episodes_for(first.series, count)
        for episode in episodes:
            episode.series.template = None  # in memory only: the template shown applies
        note = f"No series matches this template yet: shown on {first.series}."
        return Subject(episodes, forced, note=note)
    episodes = sample_episodes(template)
    return Subject(episodes, forced, samples=True, note="No episodes yet: a generated still.")


def _rows(template: Template, related: Related, model: type[models.Model], name: str) -> list:
    if model in related:
        return list(related[model])
    return list(getattr(template, name).all()) if template.pk is not None else []


def preview(
    instance: models.Model,
    keep_going: Callable[[], bool] = lambda: True,
    related: Related | None = None,
) -> list[Row] | None:
    """The preview rows for a form's unsaved instance (and its inlines' unsaved rows); None
    when `keep_going` said stop."""
    shown = subject(instance, related)
    fetcher = _Fetcher(shown.rules)
    rows = []
    for stored in shown.episodes:
        card = None if shown.samples else getattr(stored, "card", None)
        label = f"{stored} · {stored.title}"
        row = Row(label=label, card=card, sample=shown.samples, note=shown.note)
        episode = stored
        if not (shown.samples or isinstance(instance, Template)):
            # A template is in the rules; the other forms' rows stand in for the stored ones.
            episode = in_place_of_stored(stored, instance)
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
        inputs = card_inputs(episode, None, fetcher.rules) or fetcher.inputs(episode)
        spec = inputs.spec(episode)
        spec = dataclasses.replace(spec, width=WIDTH, height=HEIGHT, quality=QUALITY)
        return Picture(style=inputs.style, jpeg=render(spec).data)
    except (CardError, RenderError) as exc:
        return Picture(style=_style(episode, fetcher.rules), error=str(exc))
    except PlexError as exc:
        return Picture(
            style=_style(episode, fetcher.rules),
            error=f"The still is not kept yet and Plex answered: {exc}",
        )


def _style(episode: Episode, rules: Rules) -> str:
    return card_settings(episode, rules).style_for(episode.watched)


class _Fetcher:
    """The stored connection's Plex client, made once a preview needs a picture that is not
    kept yet (never the form's URL or token: a preview talks only to the saved server)."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self._clients: dict[int, PlexClient] = {}

    def inputs(self, episode: Episode) -> CardInputs:
        stored = PlexConnection.objects.get(pk=episode.connection_id)
        if reason := stored.blocked_reason():
            raise CardError(f"The still is not kept yet, and Plex is not asked: {reason}")
        if stored.pk not in self._clients:
            self._clients[stored.pk] = stored.client()
        inputs = card_inputs(episode, self._clients[stored.pk], self.rules)
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
    elif isinstance(instance, PlexConnection | Template):
        if isinstance(instance, PlexConnection):
            connection = instance
        else:  # a template before any sync: the first connection's settings under it
            connection = PlexConnection.objects.first() or PlexConnection(name="sample")
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
        if isinstance(instance, Template):
            candidates = template_subject(instance, {}, 1).episodes
        else:
            candidates = episodes_for(instance, 1)
        for episode in candidates:
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
    """Paths of a sample logo and poster, made once per machine (cards/storage.py)."""
    from .render import samples

    logo = local_file("previews/sample-logo.png", samples.save_logo)
    poster = local_file(
        "previews/sample-poster.jpg", lambda path: samples.save_poster(path, 400, 600)
    )
    return logo, poster
