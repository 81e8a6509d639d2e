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
- The fingerprint is the spec's pixel-deciding data plus the hashes of the still, art and font
  files: a card is rendered again only when it changed (cards/card.py).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from django.core.files.storage import default_storage

from connections.plex import PlexClient

from .models import Episode, Font
from .render import CardSpec, FontSpec, RenderError, types
from .sources import CardError, Picture, ensure_picture, ensure_source, sha256

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


def font_spec(font: Font | None) -> FontSpec:
    if font is None:
        return FontSpec()
    return FontSpec(
        file=font.file.path if font.file else None,
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
    picks, and the storage names of the pictures (`art` only for the art styles and the types
    that draw it; `logo` and `poster` only for the types that draw them)."""

    settings: CardSettings
    style: str
    source: str
    art: str | None
    art_hash: str
    logo: Picture | None = None
    poster: Picture | None = None

    def spec(self, episode: Episode) -> CardSpec:
        """The renderer's spec. Raises RenderError when the settings are unusable."""
        spec = build_spec(episode, self.settings, self.source, self.art)
        logo = default_storage.path(self.logo.name) if self.logo else None
        poster = default_storage.path(self.poster.name) if self.poster else None
        return dataclasses.replace(spec, logo=logo, poster=poster)

    def fingerprint_for(self, episode: Episode, spec: CardSpec) -> str:
        hashes = {"art": self.art_hash}
        for name, picture in (("logo", self.logo), ("poster", self.poster)):
            if picture is not None:
                hashes[name] = picture.hash
        return fingerprint(spec, episode, hashes, self.settings.font)


def card_inputs(episode: Episode, client: PlexClient | None) -> CardInputs | None:
    """What the episode's card is made from now.

    With a client, pictures not kept yet are downloaded (Plex errors and CardError propagate).
    Without one, only what is kept counts: None when only Plex can tell (the still or a picture
    of the series is not downloaded yet), CardError when the series lacks a picture the card
    cannot do without (the art of an art style, the logo of the logo type...).

    The series' pictures come only for the card types that draw them (`needs`, `uses`): the
    others neither download them nor change their fingerprint when one changes.
    """
    settings_ = card_settings(episode)
    style = settings_.style_for(episode.watched)
    card_type = types.get(settings_.card_type)
    wanted = (*card_type.needs, *card_type.uses)
    pictures: dict[str, Picture | None] = {}
    for kind in ("art", "logo", "poster"):
        if not (kind in wanted or (kind == "art" and style.startswith("art"))):
            continue
        try:
            picture = ensure_picture(episode.series, kind, client)
        except CardError:
            if kind in card_type.needs or (kind == "art" and style.startswith("art")):
                raise
            continue  # drawn when there is one
        if picture is None:
            return None
        pictures[kind] = picture
    art = pictures.get("art")
    try:
        # Cached before anything is uploaded, also for art styles: once our card is on Plex the
        # original is hard to get back, and the next style may need it.
        source = ensure_source(episode, client) or (art.name if art else None)
    except CardError:
        if art is None:
            raise
        source = art.name
    if source is None:
        return None
    return CardInputs(
        settings_,
        style,
        source,
        art.name if art else None,
        art.hash if art else "",
        logo=pictures.get("logo"),
        poster=pictures.get("poster"),
    )


def build_spec(episode: Episode, settings_: CardSettings, source: str, art: str | None) -> CardSpec:
    series = episode.series
    season_text = None
    if episode.season_number is not None:
        season_text = series.season_titles.get(str(episode.season_number)) or None
    return CardSpec(
        source=default_storage.path(source),
        art=default_storage.path(art) if art else None,
        # Typed in a one-line admin field, "\n" asks for a line break there.
        title=episode.title_text.replace("\\n", "\n") or episode.title,
        season_number=episode.season_number,
        episode_number=episode.episode_number,
        absolute_number=episode.absolute_number,
        series_name=series.title,
        card_type=settings_.card_type,
        style=settings_.style_for(episode.watched),
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


def fingerprint(spec: CardSpec, episode: Episode, hashes: dict[str, str], font: Font | None) -> str:
    """What the card's pixels depend on: the spec without its paths, and the files' contents.
    The logo and poster count only for the cards drawn with them (so a card of another type
    keeps the fingerprint it had before tcm knew of logos)."""
    data = {
        "spec": spec.fingerprint_data(),
        "source": episode.source_hash if spec.source else "",
        "art": hashes.get("art", "") if spec.art else "",
        "font": font.file.name if font and font.file else "",
    }
    for name in ("logo", "poster"):
        if getattr(spec, name):
            data[name] = hashes.get(name, "")
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
