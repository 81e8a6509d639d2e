"""Why this episode gets this look: the settings that apply to it, the pictures it is drawn
from, the spec the renderer gets, and the fingerprint that says whether a card is current.

- Settings resolve in one function, `card_settings`, from the weakest level up: built-in
  defaults → the Plex connection → a template → the series → the episode. The template is the
  one attached to the series, or else the first (by order) whose filters all hold for the
  episode (cards/filters.py). Each value comes with where it came from (`CardSettings.sources`),
  which the episode's admin page shows. Templates, fonts per card type and season titles are
  loaded once per job into a `Rules` object; the function itself makes no query, so it also
  works on unsaved rows (a form's preview).
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

import dataclasses
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.db import models

from connections.models import PlexConnection
from connections.plex import PlexClient

from .filters import (
    Facts,
    Filter,
    FilterError,
    SeasonTitleRule,
    SeasonTitles,
    all_hold,
    parse_filter,
    parse_season_key,
)
from .models import Episode, Font, SeasonTitle, Series, Template, TemplateFilter
from .render import CardSpec, FontSpec, RenderError
from .render import types as card_types
from .render.text import format_parts
from .sources import (
    CardError,
    Picture,
    StillMissing,
    ensure_picture,
    ensure_source,
    sha256,
)
from .storage import local_path

log = logging.getLogger(__name__)

DEFAULT_CARD_TYPE = "standard"
DEFAULT_STYLE = "unique"
BUILT_IN = "built-in default"


# --- What applies: templates, season titles, fonts per card type


@dataclass(frozen=True)
class TemplateRule:
    """A template with its filters and season titles read, ready to test episodes."""

    template: Template
    filters: tuple[Filter, ...] = ()
    season_titles: SeasonTitles = field(default_factory=SeasonTitles)
    # A template with a filter that cannot be read never applies by its filters.
    broken: bool = False

    @classmethod
    def build(
        cls,
        template: Template,
        filters: Iterable[TemplateFilter],
        season_titles: Iterable[SeasonTitle] = (),
    ) -> TemplateRule:
        """From rows, saved or not (a form's preview passes what the form holds)."""
        try:
            parsed = tuple(parse_filter(f.field, f.operation, f.value) for f in filters)
        except FilterError as exc:
            log.warning("template %r has a filter tcm cannot use: %s", template.name, exc)
            return cls(template, (), season_title_rules(season_titles), broken=True)
        return cls(template, parsed, season_title_rules(season_titles))

    def label(self) -> str:
        return f"template '{self.template.name}'"


def season_title_rules(rows: Iterable[SeasonTitle]) -> SeasonTitles:
    rules = []
    for row in sorted(rows, key=lambda r: (r.order, r.pk or 0)):
        try:
            rules.append(SeasonTitleRule(parse_season_key(row.episodes), row.text))
        except FilterError as exc:
            log.warning("season title %r is not usable: %s", row.episodes, exc)
    return SeasonTitles(tuple(rules))


@dataclass(frozen=True)
class Rules:
    """Everything beyond the episode's own rows that decides its look, loaded once per job."""

    templates: tuple[TemplateRule, ...] = ()
    # Season title rows of series, by series id.
    series_titles: dict[int, SeasonTitles] = field(default_factory=dict)
    # The font each card type draws with when nobody chooses one (Font.default_for).
    type_fonts: dict[str, Font] = field(default_factory=dict)

    @classmethod
    def load(cls, series_ids: Iterable[int] | None = None) -> Rules:
        """Every template (with its filters and season titles), every card type's default
        font, and the season titles of the given series (of all series when None): a handful
        of queries whatever the number of episodes."""
        templates = Template.objects.select_related("font").prefetch_related(
            "filters", "season_titles"
        )
        rows = SeasonTitle.objects.filter(series__isnull=False)
        if series_ids is not None:
            rows = rows.filter(series_id__in=list(series_ids))
        by_series: dict[int, list[SeasonTitle]] = {}
        for row in rows:
            assert row.series_id is not None
            by_series.setdefault(row.series_id, []).append(row)
        return cls(
            templates=tuple(
                TemplateRule.build(t, t.filters.all(), t.season_titles.all()) for t in templates
            ),
            series_titles={pk: season_title_rules(r) for pk, r in by_series.items()},
            type_fonts=type_fonts(Font.objects.exclude(default_for="")),
        )

    def with_series_titles(self, series: Series, rows: Sequence[SeasonTitle]) -> Rules:
        """These rules with a series' season titles replaced (a form's unsaved rows)."""
        return replace(
            self, series_titles={**self.series_titles, series.pk: season_title_rules(rows)}
        )

    def with_template(self, rule: TemplateRule) -> Rules:
        """These rules with one template replaced by `rule` (a form's unsaved template, with
        the filter and season title rows the form holds), or added when it is new; in the
        order the templates are tried."""
        pk = rule.template.pk
        others = [r for r in self.templates if pk is None or r.template.pk != pk]
        ordered = sorted([*others, rule], key=lambda r: (r.template.order, r.template.name))
        return replace(self, templates=tuple(ordered))

    def forcing(self, rule: TemplateRule) -> Rules:
        """These rules with `rule` tried first and without filters, so that it applies to any
        series with no template attached: a template's preview on a series it matches none of
        yet."""
        others = tuple(r for r in self.templates if r.template.pk != rule.template.pk)
        return replace(self, templates=(replace(rule, filters=(), broken=False), *others))

    def template_for(self, series: Series, facts: Facts) -> TemplateRule | None:
        """The template attached to the series, or else the first whose filters all hold."""
        if series.template_id is not None:
            for rule in self.templates:
                if rule.template.pk == series.template_id:
                    return rule
            # Not among the loaded ones (a template made after the job started).
            template = series.template
            assert template is not None
            return TemplateRule.build(template, template.filters.all())
        for rule in self.templates:
            if not rule.broken and all_hold(rule.filters, facts):
                return rule
        return None


def type_fonts(fonts: Iterable[Font]) -> dict[str, Font]:
    from .render.types import ALIASES

    found: dict[str, Font] = {}
    for font in sorted(fonts, key=lambda f: f.name):
        for name in font.default_for.split(","):
            key = name.strip().lower()
            if key:
                found.setdefault(ALIASES.get(key, key), font)
    return found


def facts_of(episode: Episode, series: Series) -> Facts:
    return Facts(
        library=series.library,
        series_title=series.title,
        year=series.year,
        genres=tuple(series.genres or ()),
        content_rating=series.content_rating,
        labels=tuple(series.labels or ()),
        collections=tuple(series.collections or ()),
        season_count=series.season_count,
        season_number=episode.season_number,
        episode_number=episode.episode_number,
        absolute_number=episode.absolute_number,
        watched=episode.watched,
        title=episode.title,
        air_date=episode.air_date,
    )


# --- The settings


@dataclass(frozen=True)
class _Chosen:
    """A font chosen outside the rows (a card type's default), as a level `pick` can read."""

    font: Font


@dataclass(frozen=True)
class CardSettings:
    card_type: str
    watched_style: str
    unwatched_style: str
    font: Font | None
    title_format: str = ""
    episode_text_format: str = ""
    season_text: str | None = None
    hide_season_text: bool = False
    hide_episode_text: bool = False
    extras: tuple[tuple[str, str], ...] = ()
    template: Template | None = None
    # Where each value came from, in the order the episode page lists them: (setting, value
    # shown, source), e.g. ("card type", "calligraphy", "template 'Anime'").
    sources: tuple[tuple[str, str, str], ...] = ()

    def style_for(self, watched: bool | None) -> str:
        """The style for a watched state; unknown counts as unwatched (spoiler-safe)."""
        return self.watched_style if watched else self.unwatched_style


def card_settings(
    episode: Episode,
    rules: Rules | None = None,
    *,
    series: Series | None = None,
    connection: PlexConnection | None = None,
) -> CardSettings:
    """The episode's settings, each from the strongest level that sets it: the episode, the
    series, the template that applies, the Plex connection, the built-in default.

    Makes no query of its own when given `rules` (and the series and connection, or an episode
    that holds them): the rows may be unsaved. Without rules they are loaded for this series.
    """
    series = series or episode.series
    connection = connection or episode.connection
    if rules is None:
        rules = Rules.load([series.pk] if series.pk else [])
    rule = rules.template_for(series, facts_of(episode, series))
    template = rule.template if rule else None
    where = rule.label() if rule else ""
    plex = f"Plex connection '{connection.name}'"
    sources: list[tuple[str, str, str]] = []

    def pick(
        name: str, label: str, levels: list, default: object = "", default_from: str = BUILT_IN
    ):
        for source, obj in levels:
            if obj is not None and (value := getattr(obj, name)) not in ("", None):
                sources.append((label, _shown(value), source))
                return value
        sources.append((label, _shown(default), default_from))
        return default

    overrides = [("episode", episode), ("series", series), (where, template), (plex, connection)]
    texts = overrides[1:]
    card_type = pick("card_type", "card type", overrides, DEFAULT_CARD_TYPE)
    watched = pick("watched_style", "watched style", overrides, DEFAULT_STYLE)
    unwatched = pick("unwatched_style", "unwatched style", overrides, DEFAULT_STYLE)
    # A card type's default font is more particular than the connection's font for every
    # type, and less than one a template, series or episode chooses.
    type_font = rules.type_fonts.get(card_type)
    chosen: list[tuple[str, object]] = list(overrides[:3])
    if type_font is not None:
        chosen.append((f"the default font for {card_type}", _Chosen(type_font)))
    font = pick("font", "font", [*chosen, overrides[3]], None, "the card type's own")
    title_format = pick("title_format", "title format", texts, "", "the episode's title")
    own = "the card type's own"
    episode_format = pick("episode_text_format", "episode text format", texts, "", own)
    season_format = pick("season_text_format", "season text format", texts, "", own)
    hide_season = pick("hide_season_text", "hide season text", texts[:2], False)
    hide_episode = pick("hide_episode_text", "hide episode text", texts[:2], False)

    season_text, season_from = _season_text(episode, series, rules, rule, season_format)
    if season_from:
        sources.append(("season text", season_text or "(none)", season_from))
    elif episode.season_number == 0:
        # Left to the renderer, which says SPECIALS (so the spec, and the fingerprint of cards
        # made before season titles were rows, stay the same).
        sources.append(("season text", "SPECIALS", BUILT_IN))

    extras: dict[str, str] = {}
    for source, obj in ((where, template), ("series", series), ("episode", episode)):
        if obj is not None and isinstance(obj.extras, dict):
            for key, value in obj.extras.items():
                extras[str(key)] = str(value)
                sources.append((f"option {key}", str(value), source))
    return CardSettings(
        card_type=card_type,
        watched_style=watched,
        unwatched_style=unwatched,
        font=font,
        title_format=title_format,
        episode_text_format=episode_format,
        season_text=season_text,
        hide_season_text=bool(hide_season),
        hide_episode_text=bool(hide_episode),
        extras=tuple(sorted(extras.items())),
        template=template,
        sources=tuple(sources),
    )


def watched_state(episode: Episode) -> bool | None:
    """Whether the episode counts as watched for its card: the one place the card side reads it
    (None: unknown, drawn as unwatched)."""
    return episode.watched


def style_now(episode: Episode, rules: Rules | None = None) -> str:
    """The style the episode's watched state asks for now."""
    return card_settings(episode, rules).style_for(watched_state(episode))


def needs_restyle(episode: Episode, rules: Rules | None = None) -> bool:
    """Whether the episode's card is in another style than its watched state asks for now: the
    one place that decides "the style must change, render again". The library sync and the
    watched refresh (cards/sync.py) and the webhook (cards/keys.py) all ask it. An episode
    without a card (or one never rendered) is not restyled: it is missing, which the render of
    missing cards takes care of."""
    card = getattr(episode, "card", None)
    return bool(card is not None and card.style and card.style != style_now(episode, rules))


def restyle(episode: Episode, queue: Callable[[int], object], rules: Rules | None = None) -> bool:
    """Queue the episode's render (`queue` takes its id) when its style must change."""
    if not needs_restyle(episode, rules):
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


def _shown(value: object) -> str:
    """A setting's value as the episode page lists it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "-" if value in ("", None) else str(value)


def _season_text(
    episode: Episode,
    series: Series,
    rules: Rules,
    rule: TemplateRule | None,
    season_format: str,
) -> tuple[str | None, str]:
    """The season text and where it came from: the series' season titles, the template's, a
    season text format (seasons 1 and up), or None for the card type's own ("SPECIALS" for
    season 0, "SEASON 2"...)."""
    season, number, absolute = (
        episode.season_number,
        episode.episode_number,
        episode.absolute_number,
    )
    levels = [("series season titles", rules.series_titles.get(series.pk))]
    if rule is not None:
        levels.append((f"season titles of {rule.label()}", rule.season_titles))
    for source, titles in levels:
        if titles is not None:
            text = titles.text_for(season, number, absolute)
            if text is not None:
                return text, source
    if season_format and season is not None and season >= 1:
        values = {
            "season_number": season,
            "episode_number": number,
            "absolute_number": absolute,
            "series_name": series.title,
            "title": episode.title,
        }
        try:
            parts = format_parts(season_format, values, what="season text format")
        except RenderError:
            return None, ""  # checked on the form; a stored bad one draws the card type's own
        return "".join(text for text, _ in parts or ()) or None, "season text format"
    return None, ""


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
        word_spacing=font.word_spacing,
        line_split_bias=font.line_split_bias,
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
        logo = local_path(self.logo.name) if self.logo else None
        poster = local_path(self.poster.name) if self.poster else None
        return dataclasses.replace(spec, logo=logo, poster=poster)

    def fingerprint_for(self, episode: Episode, spec: CardSpec) -> str:
        hashes = {"art": self.art_hash}
        for name, picture in (("logo", self.logo), ("poster", self.poster)):
            if picture is not None:
                hashes[name] = picture.hash
        return fingerprint(spec, episode, hashes, self.settings.font)


def card_inputs(
    episode: Episode, client: PlexClient | None, rules: Rules | None = None
) -> CardInputs | None:
    """What the episode's card is made from now.

    With a client, pictures not kept yet are downloaded (Plex errors and CardError propagate).
    Without one, only what is kept counts: None when only Plex can tell (the still or a picture
    of the series is not downloaded yet), CardError when the series lacks a picture the card
    cannot do without (the art of an art style, the logo of the logo type...).

    The series' pictures come only for the card types that draw them (`needs`, `uses`): the
    others neither download them nor change their fingerprint when one changes.
    """
    settings_ = card_settings(episode, rules)
    style = settings_.style_for(watched_state(episode))
    card_type = card_types.get(settings_.card_type)
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
    except StillMissing:
        if art is None and needs_still(settings_.card_type):
            raise
        source = art.name if art else ""  # an art style draws the art; a type without a still, none
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
    return CardSpec(
        source=local_path(source) if source else "",
        art=local_path(art) if art else None,
        # Typed in a one-line admin field, "\\n" asks for a line break there.
        title=episode.title_text.replace("\\n", "\n") or episode.title,
        season_number=episode.season_number,
        episode_number=episode.episode_number,
        absolute_number=episode.absolute_number,
        series_name=series.title,
        card_type=settings_.card_type,
        style=settings_.style_for(watched_state(episode)),
        font=font_spec(settings_.font),
        episode_text=episode.episode_text or None,
        episode_text_format=settings_.episode_text_format or None,
        # An episode's own title text wins over the title format.
        title_format=None
        if episode.title_text
        else settings_.title_format.replace("\\n", "\n") or None,
        season_text=settings_.season_text,
        hide_season_text=settings_.hide_season_text,
        hide_episode_text=settings_.hide_episode_text,
        extras=settings_.extras,
    )


def fingerprint(spec: CardSpec, episode: Episode, hashes: dict[str, str], font: Font | None) -> str:
    """What the card's pixels depend on: the spec without its paths, and the files' contents.
    The logo and poster count only for the cards drawn with them (so a card of another type
    keeps the fingerprint it had before tcm knew of logos)."""
    data = {
        "spec": spec.fingerprint_data(),
        "type_version": card_types.version(spec.card_type),
        "source": episode.source_hash if spec.source else "",
        "art": hashes.get("art", "") if spec.art else "",
        "font": font.file.name if font and font.file else "",
    }
    for name in ("logo", "poster"):
        if getattr(spec, name):
            data[name] = hashes.get(name, "")
    return sha256(json.dumps(data, sort_keys=True, default=str).encode())


def expected_fingerprint(episode: Episode, rules: Rules | None = None) -> str | None:
    """The fingerprint a render would give the episode's card now, worked out from what is
    stored: no request to Plex, no rendering. None when only Plex can tell (the still or the art
    is not downloaded yet) or when no card can be made with these settings.

    This is how the schedule finds outdated cards cheaply: settings changed anywhere (episode,
    series, connection, font, the renderer's version) or a watched flip that changes the style
    make it differ from the card's stored fingerprint.
    """
    try:
        inputs = card_inputs(episode, None, rules)
        if inputs is None:
            return None
        spec = inputs.spec(episode)
    except (CardError, RenderError):
        return None
    return inputs.fingerprint_for(episode, spec)
