"""Why this episode gets this look: the settings that apply to it, the pictures it is drawn
from, the spec the renderer gets, and the fingerprint that says whether a card is current.

- Settings resolve from the most specific place that sets them: episode, then series, then the
  Plex connection, then the card type's own defaults (`card_settings`).
- The watched state enters through the style it picks: when both styles are the same, a watched
  flip changes nothing.
- A card's inputs (settings, style, still, art) are decided in one place, `card_inputs`: with a
  Plex client when rendering (it downloads what is not kept yet), without one when the schedule
  works out the fingerprint a card would get now (`expected_fingerprint`, from what is kept, no
  request). Both take the same path, so a card just rendered is never taken for outdated (the
  hourly job would re-render it forever) and a changed setting is never missed.
- The fingerprint is the spec's pixel-deciding data (with the renderer's version) plus the card
  type's own version and the hashes of the still, art and font files: a card is rendered again
  only when it changed (cards/card.py), so a new look of one card type re-renders that type's
  cards and no others.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from connections.models import PlexConnection
from connections.plex import PlexClient

from .models import Episode, Font, Series
from .render import CardSpec, FontSpec, RenderError
from .render import types as card_types
from .sources import CardError, StillMissing, ensure_art, ensure_source, sha256
from .storage import local_path

DEFAULT_CARD_TYPE = "standard"
DEFAULT_STYLE = "unique"


@dataclass(frozen=True)
class CardSettings:
    card_type: str
    watched_style: str
    unwatched_style: str
    font: Font | None

    def style_for(self, watched: bool | None) -> str:
        """The style for a watched state; unknown counts as unwatched (spoiler-safe)."""
        return self.watched_style if watched else self.unwatched_style


def card_settings(episode: Episode) -> CardSettings:
    """Episode, then series, then connection, then the card type's own defaults."""
    series, connection = episode.series, episode.connection

    def pick(name: str, default: str) -> str:
        for source in (episode, series, connection):
            value = getattr(source, name)
            if value:
                return value
        return default

    font = episode.font or series.font or connection.font
    return CardSettings(
        card_type=pick("card_type", DEFAULT_CARD_TYPE),
        watched_style=pick("watched_style", DEFAULT_STYLE),
        unwatched_style=pick("unwatched_style", DEFAULT_STYLE),
        font=font,
    )


def watched_state(episode: Episode) -> bool | None:
    """Whether the episode counts as watched for its card: the one place the card side reads it
    (None: unknown, drawn as unwatched)."""
    return episode.watched


def style_now(episode: Episode) -> str:
    """The style the episode's watched state asks for now."""
    return card_settings(episode).style_for(watched_state(episode))


def needs_restyle(episode: Episode) -> bool:
    """Whether the episode's card is in another style than its watched state asks for now: the
    one place that decides "the style must change, render again". The library sync and the
    watched refresh (cards/sync.py) and the webhook (cards/keys.py) all ask it. An episode
    without a card (or one never rendered) is not restyled: it is missing, which the render of
    missing cards takes care of."""
    card = getattr(episode, "card", None)
    return bool(card is not None and card.style and card.style != style_now(episode))


def restyle(episode: Episode, queue: Callable[[int], object]) -> bool:
    """Queue the episode's render (`queue` takes its id) when its style must change."""
    if not needs_restyle(episode):
        return False
    queue(episode.pk)
    return True


def needs_still(card_type: str) -> bool:
    """Whether the card type cannot draw without the episode's still (an unknown type is left
    to the renderer, which says so)."""
    try:
        return card_types.get(card_type).still == "required"
    except RenderError:
        return True


def in_place_of_stored(episode: Episode, instance: models.Model) -> Episode:
    """The episode with `instance` (a form's unsaved Series, PlexConnection or Episode, e.g.
    `form.save(commit=False)`) in place of the stored row it stands for, so that card_settings
    and card_inputs resolve what saving the form would give: the live preview asks the same
    questions the pipeline does, not a copy of them. The episode (loaded for this) is changed
    in place and returned; nothing is written."""
    if isinstance(instance, Episode) and instance.pk == episode.pk:
        return instance
    if isinstance(instance, Series) and instance.pk == episode.series_id:
        episode.series = instance
    elif isinstance(instance, PlexConnection) and instance.pk == episode.connection_id:
        episode.connection = instance
        episode.series.connection = instance
    else:
        raise ValueError(f"{instance!r} is not one of the rows {episode} takes its settings from")
    return episode


def font_spec(font: Font | None) -> FontSpec:
    if font is None:
        return FontSpec()
    return FontSpec(
        file=local_path(font.file.name) if font.file.name else None,
        color=font.color or None,
        size=font.size,
        kerning=font.kerning,
        stroke_width=font.stroke_width,
        stroke_color=font.stroke_color or None,
        interline_spacing=font.interline_spacing,
        vertical_shift=font.vertical_shift,
        case=font.case or None,
        replacements=tuple(sorted((str(k), str(v)) for k, v in font.replacements.items())),
    )


@dataclass(frozen=True)
class CardInputs:
    """Everything a card is made from: the settings that apply, the style the watched state
    picks, and the storage names of the pictures (`art` only for the art styles)."""

    settings: CardSettings
    style: str
    source: str
    art: str | None
    art_hash: str

    def spec(self, episode: Episode) -> CardSpec:
        """The renderer's spec. Raises RenderError when the settings are unusable."""
        return build_spec(episode, self.settings, self.source, self.art)

    def fingerprint_for(self, episode: Episode, spec: CardSpec) -> str:
        return fingerprint(spec, episode, self.art_hash, self.settings.font)


def card_inputs(episode: Episode, client: PlexClient | None) -> CardInputs | None:
    """What the episode's card is made from now.

    With a client, pictures not kept yet are downloaded (Plex errors and CardError propagate).
    Without one, only what is kept counts: None when only Plex can tell (the still or the art is
    not downloaded yet), CardError when the show has no art for an art style.
    """
    settings_ = card_settings(episode)
    style = settings_.style_for(watched_state(episode))
    art = None
    if style.startswith("art"):
        art = ensure_art(episode.series, client)
        if art is None:
            return None
    try:
        # Cached before anything is uploaded, also for art styles: once our card is on Plex the
        # original is hard to get back, and the next style may need it.
        source = ensure_source(episode, client) or art
    except StillMissing:
        if art is None and needs_still(settings_.card_type):
            raise
        source = art or ""  # an art style draws the art; a type without a still, none
    except CardError:
        if art is None:
            raise
        source = art
    if source is None:
        return None
    art_hash = episode.series.art_hash if art else ""
    return CardInputs(settings_, style, source, art, art_hash)


def build_spec(episode: Episode, settings_: CardSettings, source: str, art: str | None) -> CardSpec:
    series = episode.series
    season_text = None
    if episode.season_number is not None:
        season_text = series.season_titles.get(str(episode.season_number)) or None
    return CardSpec(
        source=local_path(source) if source else "",
        art=local_path(art) if art else None,
        # Typed in a one-line admin field, "\n" asks for a line break there.
        title=episode.title_text.replace("\\n", "\n") or episode.title,
        season_number=episode.season_number,
        episode_number=episode.episode_number,
        absolute_number=episode.absolute_number,
        series_name=series.title,
        card_type=settings_.card_type,
        style=settings_.style_for(watched_state(episode)),
        font=font_spec(settings_.font),
        episode_text=episode.episode_text or None,
        episode_text_format=series.episode_text_format or None,
        # An episode's own title text wins over the series' title format.
        title_format=None
        if episode.title_text
        else series.title_format.replace("\\n", "\n") or None,
        season_text=season_text,
        hide_season_text=series.hide_season_text,
        hide_episode_text=series.hide_episode_text,
        extras=tuple(sorted((str(k), str(v)) for k, v in (series.extras or {}).items())),
    )


def fingerprint(spec: CardSpec, episode: Episode, art_hash: str, font: Font | None) -> str:
    """What the card's pixels depend on: the spec without its paths, and the files' contents."""
    data = {
        "spec": spec.fingerprint_data(),
        "type_version": card_types.version(spec.card_type),
        "source": episode.source_hash if spec.source else "",
        "art": art_hash if spec.art else "",
        "font": font.file.name if font and font.file else "",
    }
    return sha256(json.dumps(data, sort_keys=True, default=str).encode())


def expected_fingerprint(episode: Episode) -> str | None:
    """The fingerprint a render would give the episode's card now, worked out from what is
    stored: no request to Plex, no rendering. None when only Plex can tell (the still or the art
    is not downloaded yet) or when no card can be made with these settings.

    This is how the schedule finds outdated cards cheaply: settings changed anywhere (episode,
    series, connection, font, the renderer's version) or a watched flip that changes the style
    make it differ from the card's stored fingerprint.
    """
    try:
        inputs = card_inputs(episode, None)
        if inputs is None:
            return None
        spec = inputs.spec(episode)
    except (CardError, RenderError):
        return None
    return inputs.fingerprint_for(episode, spec)
