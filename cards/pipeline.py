"""The decisions between Plex and a title card on Plex.

- Which episodes: `sync_library` walks whole libraries into Series/Episode rows; `episodes_for_key`
  turns one rating key (show, season or episode) into its episodes, creating unknown series on
  the fly.
- Which settings: `card_settings` resolves episode > series > connection > the card type's own
  defaults.
- Which picture: `ensure_source` downloads the episode's own still once and keeps it. After tcm's
  upload, Plex's thumbnail IS tcm's card (and every old thumb URL serves the current image), so
  the original is never fetched through the thumb again once the episode carries our label or our
  upload; then only a non-uploaded poster Plex still keeps can be the original.
- Whether to render: only when the fingerprint (the spec's pixel-deciding data + the hashes of the
  source, art and font files) changed, or the card file is missing. The watched state enters
  through the style it picks: when both styles are the same, a watched flip changes nothing.
- Whether to upload: only after a render, when the last upload did not finish, or when asked;
  and not when Plex already shows this exact file (posters lists `upload://posters/<sha1>` as
  selected).

Nothing here is a Celery task or knows about retries: cards/tasks.py calls these functions, and
decides from the exception classes (connections/plex.py) whether trying again can help.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from connections.models import PlexConnection
from connections.plex import (
    EpisodeInfo,
    LibraryInfo,
    PlexClient,
    PlexError,
    PlexNotFound,
    ShowInfo,
)
from tcm_site.locks import LockHeld, lock

from .models import Episode, Font, Series, TitleCard
from .render import CardSpec, FontSpec, RenderError, reencode, render

log = logging.getLogger(__name__)

DEFAULT_CARD_TYPE = "standard"
DEFAULT_STYLE = "unique"


class CardError(Exception):
    """This card cannot be made now, for a reason a person can read (and retrying the same
    thing at once will not help). `retry_in` suggests when it is worth another try."""

    def __init__(self, message: str, retry_in: timedelta | None = None) -> None:
        super().__init__(message)
        self.retry_in = retry_in


# --- Plex items → rows


def _fit(model: type, name: str, value: str) -> str:
    """Cut a text to its column's length (a 2,000-character Plex title must not fail a sync)."""
    return value[: model._meta.get_field(name).max_length]


def _series_values(info: ShowInfo) -> dict:
    return {
        "title": _fit(Series, "title", info.title),
        "year": info.year,
        "library": _fit(Series, "library", info.library),
        "guid_tvdb": _fit(Series, "guid_tvdb", info.guids.get("tvdb", "")),
        "guid_tmdb": _fit(Series, "guid_tmdb", info.guids.get("tmdb", "")),
        "guid_imdb": _fit(Series, "guid_imdb", info.guids.get("imdb", "")),
        "art": _fit(Series, "art", info.art),
        "plex_updated_at": info.updated_at,
        "present": True,
    }


def _episode_values(info: EpisodeInfo, series_id: int) -> dict:
    return {
        "series_id": series_id,
        "season_rating_key": info.season_rating_key,
        "season_number": info.season_number,
        "episode_number": info.episode_number,
        "title": _fit(Episode, "title", info.title),
        "air_date": info.air_date,
        "guid_tvdb": _fit(Episode, "guid_tvdb", info.guids.get("tvdb", "")),
        "guid_tmdb": _fit(Episode, "guid_tmdb", info.guids.get("tmdb", "")),
        "guid_imdb": _fit(Episode, "guid_imdb", info.guids.get("imdb", "")),
        "watched": info.watched,
        "thumb": _fit(Episode, "thumb", info.thumb),
        "plex_updated_at": info.updated_at,
        "present": True,
    }


def _apply(row: Series | Episode, values: dict) -> bool:
    """Set `values` on `row`; True when anything differed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


# What a sync writes (bulk_update), in step with the two functions above.
SYNC_FIELDS = {
    Series: [
        *("title", "year", "library", "guid_tvdb", "guid_tmdb", "guid_imdb", "art"),
        *("plex_updated_at", "present"),
    ],
    Episode: [
        *("series", "season_rating_key", "season_number", "episode_number", "title"),
        *("air_date", "guid_tvdb", "guid_tmdb", "guid_imdb", "watched", "thumb"),
        *("plex_updated_at", "present"),
    ],
}


def store_series(connection: PlexConnection, info: ShowInfo, fetched_at: datetime) -> Series:
    """The Series row for a show, created or brought up to date (written only if it changed)."""
    return _store(Series, connection, info.rating_key, _series_values(info), fetched_at)


def store_episode(
    connection: PlexConnection, info: EpisodeInfo, series: Series, fetched_at: datetime
) -> Episode:
    """The Episode row for Plex's data, created or brought up to date."""
    values = _episode_values(info, series.pk)
    return _store(Episode, connection, info.rating_key, values, fetched_at)


def _store(
    model: type[Series] | type[Episode],
    connection: PlexConnection,
    key: str,
    values: dict,
    fetched_at: datetime,
) -> Series | Episode:
    """Create the row, or write `values` when they differ and the row does not hold newer data.

    Two tasks may fetch the same episode at different moments (say before and after Plex flipped
    it to watched): the later fetch must win, whatever order they write in.
    """
    row = model.objects.filter(connection=connection, rating_key=key).first()
    if row is None:
        try:
            with transaction.atomic():
                return model.objects.create(
                    connection=connection, rating_key=key, synced_at=fetched_at, **values
                )
        except IntegrityError:  # created by a concurrent task meanwhile
            row = model.objects.get(connection=connection, rating_key=key)
    if _apply(row, values):
        model.objects.filter(pk=row.pk).filter(
            Q(synced_at__isnull=True) | Q(synced_at__lt=fetched_at)
        ).update(**values, synced_at=fetched_at, updated_at=timezone.now())
        row.refresh_from_db()
    return row


def episodes_for_key(
    connection: PlexConnection, client: PlexClient, rating_key: str
) -> list[Episode]:
    """A show key means all its episodes, a season key its episodes, an episode key itself.

    Unknown series are created from Plex's data on the fly. An unknown key raises PlexNotFound.
    """
    fetched_at = timezone.now()
    item = client.item(rating_key)
    series: dict[str, Series] = {}
    if isinstance(item, ShowInfo):
        series[item.rating_key] = store_series(connection, item, fetched_at)
        infos = client.episodes_of(item)
    elif isinstance(item, EpisodeInfo):
        infos = [item]
    else:
        infos = client.episodes_of(item)
    episodes = []
    for info in infos:
        if info.show_rating_key not in series:
            series[info.show_rating_key] = _series_for(connection, client, info, fetched_at)
        episodes.append(store_episode(connection, info, series[info.show_rating_key], fetched_at))
    return episodes


def _series_for(
    connection: PlexConnection, client: PlexClient, info: EpisodeInfo, fetched_at: datetime
) -> Series:
    known = Series.objects.filter(connection=connection, rating_key=info.show_rating_key).first()
    if known is not None and known.present:
        return known
    show = client.item(info.show_rating_key)
    if not isinstance(show, ShowInfo):
        raise PlexNotFound(f"Plex says {info.show_rating_key} is not a show.")
    return store_series(connection, show, fetched_at)


def refresh_episode(connection: PlexConnection, client: PlexClient, episode: Episode) -> Episode:
    """Read one episode from Plex again (watched state, title, thumb) into its row."""
    fetched_at = timezone.now()
    info = client.episode(episode.rating_key)
    return store_episode(connection, info, episode.series, fetched_at)


def sync_series(series: Series, client: PlexClient | None = None) -> dict:
    """Read one show's episodes from Plex again (one listing): new ones are created, changed ones
    updated, and the ones Plex no longer lists flagged gone (their cards are kept)."""
    connection = series.connection
    client = client or connection.client()
    episodes = episodes_for_key(connection, client, series.rating_key)
    gone = (
        Episode.objects.filter(series=series, present=True)
        .exclude(pk__in=[e.pk for e in episodes])
        .update(present=False, updated_at=timezone.now())
    )
    return {"episodes": len(episodes), "episodes_gone": gone}


# --- Library sync


@dataclass
class SyncCounts:
    libraries: list[str] = field(default_factory=list)
    missing_libraries: list[str] = field(default_factory=list)
    series_created: int = 0
    series_updated: int = 0
    series_unchanged: int = 0
    series_gone: int = 0
    episodes_created: int = 0
    episodes_updated: int = 0
    episodes_unchanged: int = 0
    episodes_gone: int = 0
    requests_pages: int = 0


Progress = Callable[[int, int], None]


def sync_library(
    connection: PlexConnection,
    client: PlexClient | None = None,
    progress: Progress | None = None,
) -> SyncCounts:
    """Walk the connection's TV libraries into Series/Episode rows.

    Incremental: rows are compared with Plex's data and only changed ones are written (in bulk).
    Batched: one request per page of `TCM_PLEX_PAGE_SIZE` items. Items Plex no longer has are
    flagged `present=False` (their cards are kept), but only after a library was walked to the
    end: a walk cut short by an error flags nothing.
    """
    client = client or connection.client()
    size = settings.TCM_PLEX_PAGE_SIZE
    counts = SyncCounts()
    libraries = _chosen_libraries(connection, client, counts)
    totals = {
        lib.key: (client.count(lib, "show"), client.count(lib, "episode")) for lib in libraries
    }
    total = sum(a + b for a, b in totals.values())
    done = 0
    if progress:
        progress(0, total)
    series_rows = {s.rating_key: s for s in Series.objects.filter(connection=connection)}
    episode_rows = {e.rating_key: e for e in Episode.objects.filter(connection=connection)}

    for lib in libraries:
        seen_series: set[str] = set()
        seen_episodes: set[str] = set()
        for page in _pages(lambda start, lib=lib: client.shows_page(lib, start, size), size):
            counts.requests_pages += 1
            fetched_at = timezone.now()
            _store_series_page(connection, page, series_rows, fetched_at, counts)
            seen_series.update(info.rating_key for info in page)
            done += len(page)
            if progress:
                progress(done, total)
        for page in _pages(lambda start, lib=lib: client.episodes_page(lib, start, size), size):
            counts.requests_pages += 1
            fetched_at = timezone.now()
            _store_episode_page(connection, page, series_rows, episode_rows, fetched_at, counts)
            seen_episodes.update(info.rating_key for info in page)
            done += len(page)
            if progress:
                progress(done, total)
        _flag_gone(lib, series_rows, episode_rows, seen_series, seen_episodes, counts)
        counts.libraries.append(lib.title)
    return counts


@dataclass
class WatchedCounts:
    checked: int = 0
    changed: int = 0
    # Episodes whose card is in the other style now: they need a new render.
    restyle: list[int] = field(default_factory=list)


def refresh_watched(connection: PlexConnection, client: PlexClient | None = None) -> WatchedCounts:
    """Read the watched state of every episode in the connection's libraries, a page of
    `TCM_PLEX_PAGE_SIZE` episodes per request (never one request per episode), and store the
    changes. Catches what Tautulli does not report: an episode marked watched (or unwatched) by
    hand in Plex. Episodes tcm does not know yet are left to the library sync.
    """
    client = client or connection.client()
    size = settings.TCM_PLEX_PAGE_SIZE
    counts = WatchedCounts()
    known = {
        key: (pk, watched)
        for pk, key, watched in Episode.objects.filter(connection=connection).values_list(
            "pk", "rating_key", "watched"
        )
    }
    changed: list[int] = []
    for lib in _chosen_libraries(connection, client, SyncCounts()):
        for page in _pages(lambda start, lib=lib: client.episodes_page(lib, start, size), size):
            fetched_at = timezone.now()
            flips: dict[bool, list[int]] = {True: [], False: []}
            for info in page:
                row = known.get(info.rating_key)
                if row is not None and row[1] != info.watched:
                    flips[info.watched].append(row[0])
            counts.checked += len(page)
            for watched, ids in flips.items():
                # A task that read the episode after this page was fetched knows better.
                Episode.objects.filter(pk__in=ids).filter(
                    Q(synced_at__isnull=True) | Q(synced_at__lte=fetched_at)
                ).update(watched=watched, synced_at=fetched_at, updated_at=timezone.now())
                changed += ids
    counts.changed = len(changed)
    for chunk in _chunks(changed):
        episodes = Episode.objects.filter(pk__in=chunk, present=True, card__isnull=False)
        for episode in episodes.select_related("series", "card"):
            episode.connection = connection
            style = card_settings(episode).style_for(episode.watched)
            if episode.card.style and style != episode.card.style:
                counts.restyle.append(episode.pk)
    return counts


def _chosen_libraries(
    connection: PlexConnection, client: PlexClient, counts: SyncCounts
) -> list[LibraryInfo]:
    available = client.tv_libraries()
    names = connection.library_names()
    if not names:
        return available
    by_title = {lib.title.casefold(): lib for lib in available}
    chosen = [by_title[n.casefold()] for n in names if n.casefold() in by_title]
    counts.missing_libraries = [n for n in names if n.casefold() not in by_title]
    if not chosen:
        raise PlexNotFound(
            f"Plex has no TV library named {', '.join(names)}; it has: "
            f"{', '.join(lib.title for lib in available) or 'none'}."
        )
    return chosen


def _pages(fetch: Callable[[int], list], size: int) -> Iterator[list]:
    start = 0
    while True:
        page = fetch(start)
        if page:
            yield page
        if len(page) < size:
            return
        start += size


def _store_series_page(
    connection: PlexConnection,
    page: list[ShowInfo],
    rows: dict[str, Series],
    fetched_at: datetime,
    counts: SyncCounts,
) -> None:
    values = {info.rating_key: _series_values(info) for info in page}
    created, updated, unchanged = _merge(Series, connection, values, rows, fetched_at)
    counts.series_created += created
    counts.series_updated += updated
    counts.series_unchanged += unchanged


def _store_episode_page(
    connection: PlexConnection,
    page: list[EpisodeInfo],
    series_rows: dict[str, Series],
    rows: dict[str, Episode],
    fetched_at: datetime,
    counts: SyncCounts,
) -> None:
    # An episode whose show was not in the show listing (added between the two walks): its
    # series is made from what the episode says about it.
    orphans = [i for i in page if i.show_rating_key not in series_rows]
    for info in {i.show_rating_key: i for i in orphans}.values():
        series_rows[info.show_rating_key] = Series.objects.create(
            connection=connection,
            rating_key=info.show_rating_key,
            title=_fit(Series, "title", info.show_title),
            library=_fit(Series, "library", info.library),
            synced_at=fetched_at,
        )
        counts.series_created += 1
    values = {
        info.rating_key: _episode_values(info, series_rows[info.show_rating_key].pk)
        for info in page
    }
    created, updated, unchanged = _merge(Episode, connection, values, rows, fetched_at)
    counts.episodes_created += created
    counts.episodes_updated += updated
    counts.episodes_unchanged += unchanged


def _merge(
    model: type[Series] | type[Episode],
    connection: PlexConnection,
    values: dict[str, dict],
    rows: dict,
    fetched_at: datetime,
) -> tuple[int, int, int]:
    """Write one page: new rows in one bulk INSERT, changed ones in one bulk UPDATE, unchanged
    ones not at all. `rows` (rating key → row, loaded once per sync) is kept up to date.
    Returns how many were created, updated and left alone."""
    new, changed = [], []
    for key, fields in values.items():
        row = rows.get(key)
        if row is None:
            row = model(connection=connection, rating_key=key, synced_at=fetched_at, **fields)
            new.append(row)
            rows[key] = row
        elif _fresher(row, fetched_at) and _apply(row, fields):
            row.synced_at = fetched_at
            row.updated_at = timezone.now()
            changed.append(row)
    with transaction.atomic():
        if new:
            model.objects.bulk_create(new, batch_size=500)
        if changed:
            written = [*SYNC_FIELDS[model], "synced_at", "updated_at"]
            model.objects.bulk_update(changed, written, batch_size=500)
    return len(new), len(changed), len(values) - len(new) - len(changed)


def _fresher(row: Series | Episode, fetched_at: datetime) -> bool:
    # A webhook task may have written newer data since the sync loaded the row.
    return row.synced_at is None or row.synced_at <= fetched_at


def _flag_gone(
    lib: LibraryInfo,
    series_rows: dict[str, Series],
    episode_rows: dict[str, Episode],
    seen_series: set[str],
    seen_episodes: set[str],
    counts: SyncCounts,
) -> None:
    in_library = {s.pk for s in series_rows.values() if s.library == lib.title}
    gone_series = [
        s.pk
        for key, s in series_rows.items()
        if s.pk in in_library and s.present and key not in seen_series
    ]
    gone_episodes = [
        e.pk
        for key, e in episode_rows.items()
        if e.series_id in in_library and e.present and key not in seen_episodes
    ]
    now = timezone.now()
    for chunk in _chunks(gone_series):
        Series.objects.filter(pk__in=chunk).update(present=False, updated_at=now)
    for chunk in _chunks(gone_episodes):
        Episode.objects.filter(pk__in=chunk).update(present=False, updated_at=now)
    counts.series_gone += len(gone_series)
    counts.episodes_gone += len(gone_episodes)


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- Card settings


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
        file=default_storage.path(font.file.name) if font.file else None,
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


# --- Source images


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cached(name: str) -> bool:
    return bool(name) and default_storage.exists(name)


def _save(prefix: str, stem: str, data: bytes) -> str:
    """Store bytes under a name that carries their hash; the same bytes are stored once."""
    name = f"{prefix}/{stem}-{_sha256(data)[:12]}.jpg"
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(data))


def ensure_source(episode: Episode, client: PlexClient) -> str:
    """The storage name of the episode's original still, downloading it once.

    Never tcm's own card: the thumbnail is trusted only while the episode carries neither our
    label nor our upload. Otherwise only a poster Plex keeps that nobody uploaded (the still from
    the media or the agent) can be the original. An episode without a thumbnail of its own has no
    source; the season poster (plexapi's thumbUrl fallback) is never one.
    """
    if _cached(episode.source_file):
        return episode.source_file
    info = client.episode(episode.rating_key, fresh=False)
    if not info.thumb:
        raise CardError(
            "Plex has no still for this episode yet (tcm does not use the season poster).",
            retry_in=timedelta(hours=6),
        )
    card = TitleCard.objects.filter(episode=episode).first()
    ours = episode.connection.label in (info.labels or ()) or bool(card and card.uploaded_hash)
    # Plex's thumb may be our own card: then only a poster nobody uploaded is the original.
    data = _original_from_posters(episode, client) if ours else client.download(info.thumb)
    name = _save(f"sources/{episode.connection_id}", episode.rating_key, data)
    Episode.objects.filter(pk=episode.pk).update(source_file=name, source_hash=_sha256(data))
    episode.source_file, episode.source_hash = name, _sha256(data)
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


def ensure_art(series: Series, client: PlexClient) -> str:
    """The storage name of the show's background art, downloaded once per art path."""
    if not series.art:
        raise CardError(f"Plex has no background art for {series.title!r}.")
    if _art_is_cached(series):
        return series.art_file
    data = client.download(series.art)
    prefix, stem = _art_name(series)
    name = _save(prefix, stem, data)
    Series.objects.filter(pk=series.pk).update(art_file=name, art_hash=_sha256(data))
    series.art_file, series.art_hash = name, _sha256(data)
    return name


def _art_name(series: Series) -> tuple[str, str]:
    # Named after Plex's art path: new art in Plex (a new path) is downloaded once more.
    return (
        f"art/{series.connection_id}",
        f"{series.rating_key}-{hashlib.sha1(series.art.encode()).hexdigest()[:8]}",
    )


def _art_is_cached(series: Series) -> bool:
    """Whether the art file kept for the series is Plex's current art."""
    prefix, stem = _art_name(series)
    return _cached(series.art_file) and series.art_file.startswith(f"{prefix}/{stem}-")


# --- Cards


@dataclass
class CardResult:
    rendered: bool = False
    uploaded: bool = False
    failed: str = ""
    watched: bool | None = None


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


def fingerprint(spec: CardSpec, episode: Episode, art_hash: str, font: Font | None) -> str:
    """What the card's pixels depend on: the spec without its paths, and the files' contents."""
    data = {
        "spec": spec.fingerprint_data(),
        "source": episode.source_hash if spec.source else "",
        "art": art_hash if spec.art else "",
        "font": font.file.name if font and font.file else "",
    }
    return _sha256(json.dumps(data, sort_keys=True, default=str).encode())


def expected_fingerprint(episode: Episode) -> str | None:
    """The fingerprint update_card would give the episode's card now, worked out from what is
    stored: no request to Plex, no rendering. None when only Plex can tell (the still or the art
    is not downloaded yet) or when no card can be made with these settings.

    This is how the schedule finds outdated cards cheaply: settings changed anywhere (episode,
    series, connection, font, the renderer's version) or a watched flip that changes the style
    make it differ from the card's stored fingerprint. Keep it in step with _update_card.
    """
    settings_ = card_settings(episode)
    art = art_hash = None
    if settings_.style_for(episode.watched).startswith("art"):
        series = episode.series
        if not series.art or not _art_is_cached(series):
            return None
        art, art_hash = series.art_file, series.art_hash
    source = episode.source_file if _cached(episode.source_file) else art
    if source is None:
        return None
    try:
        spec = build_spec(episode, settings_, source, art)
    except RenderError:
        return None
    return fingerprint(spec, episode, art_hash or "", settings_.font)


def card_file_missing(card: TitleCard) -> bool:
    return not _cached(card.file)


@contextmanager
def episode_lock(episode: Episode) -> Iterator[None]:
    """Work on one episode never runs twice at once. Raises LockHeld at once when it would."""
    with lock(f"episode:{episode.pk}", timeout=600):
        yield


def retry_delay(attempt: int) -> float:
    """Seconds to wait before attempt `attempt` + 1 after a transient failure: exponential
    backoff with jitter (so that many cards failing together do not come back together)."""
    delay = settings.TCM_RETRY_BASE_DELAY * 2 ** max(0, attempt - 1)
    return min(settings.TCM_RETRY_MAX_DELAY, delay) * random.uniform(0.5, 1.0)


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
        retry_in = None
        if exc.transient:
            retry_in = timedelta(seconds=retry_delay(card.attempts + 1))
        record_failure(card, str(exc), retry_in)
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
    connection = episode.connection
    settings_ = card_settings(episode)
    style = settings_.style_for(episode.watched)
    art = art_hash = None
    if style.startswith("art"):
        art = ensure_art(episode.series, client)
        art_hash = episode.series.art_hash
    try:
        # Cached before anything is uploaded, also for art styles: once our card is on Plex the
        # original is hard to get back, and the next style may need it.
        source = ensure_source(episode, client)
    except CardError:
        if art is None:
            raise
        source = art
    spec = build_spec(episode, settings_, source, art)
    fp = fingerprint(spec, episode, art_hash or "", settings_.font)
    result = CardResult()

    if force_render or fp != card.fingerprint or not _cached(card.file):
        rendered = render(spec)
        old = card.file
        card.file = _save(f"cards/{connection.pk}", episode.rating_key, rendered.data)
        card.fingerprint = fp
        card.style = style
        card.watched = episode.watched
        card.size = len(rendered.data)
        card.rendered_at = timezone.now()
        card.state = TitleCard.State.RENDERED
        card.save()
        if old and old != card.file:
            default_storage.delete(old)
        result.rendered = True
        log.info("rendered the card for %s (%s, %s)", episode, settings_.card_type, style)
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
    return data


def upload_card(card: TitleCard, client: PlexClient, *, force: bool = False) -> bool:
    """Put the card on Plex and label the episode. False when Plex already showed this exact
    card (nothing was sent)."""
    episode = card.episode
    data = upload_bytes(card)
    sha1 = hashlib.sha1(data).hexdigest()
    sent = True
    if not force and shows_card(client, episode, sha1):
        sent = False
        log.info("Plex already shows this card for %s; not uploading it again", episode)
    else:
        client.upload_poster(episode.rating_key, data)
        log.info("uploaded the card for %s (%d bytes)", episode, len(data))
    client.add_label(episode.rating_key, episode.connection.label)
    now = timezone.now()
    card.uploaded_hash = sha1
    card.uploaded_at = now if sent else (card.uploaded_at or now)
    card.verified_at = now
    card.state = TitleCard.State.UPLOADED
    card.last_error, card.failed_at, card.attempts, card.retry_at = "", None, 0, None
    card.save()
    return sent


def shows_card(client: PlexClient, episode: Episode, sha1: str) -> bool:
    """Whether Plex's selected poster for the episode is the upload with this SHA-1."""
    return any(p.selected and p.upload_hash == sha1 for p in client.posters(episode.rating_key))


def verify_card(card: TitleCard, client: PlexClient) -> bool:
    """Check that Plex still shows our card (a metadata refresh drops uploads); put it back if
    not. True when it had to be uploaded again."""
    if card.state != TitleCard.State.UPLOADED or not card.uploaded_hash:
        return False
    if not _cached(card.file):
        return update_card(card.episode, client, force_render=True).uploaded
    if shows_card(client, card.episode, card.uploaded_hash):
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


# --- One rating key, as a webhook asks


@dataclass
class KeyOutcome:
    episodes: int = 0
    rendered: int = 0
    uploaded: int = 0
    busy: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    not_watched_yet: list[int] = field(default_factory=list)

    def failure_summary(self) -> str:
        if not self.failed:
            return ""
        reasons = sorted(set(self.failed.values()))
        head = f"{len(self.failed)} of {self.episodes} cards failed: " if self.episodes > 1 else ""
        return head + "; ".join(reasons)


def process_rating_key(
    connection: PlexConnection,
    rating_key: str,
    event: str = "",
    client: PlexClient | None = None,
    progress: Progress | None = None,
) -> KeyOutcome:
    """Bring the cards of everything under a rating key up to date.

    Episodes another task is working on right now are left out and listed in `busy`. For a
    "watched" event, episodes Plex does not show as watched yet are listed in `not_watched_yet`.
    Plex errors (connections/plex.py) propagate; an unknown key raises PlexNotFound.
    """
    client = client or connection.client()
    episodes = episodes_for_key(connection, client, rating_key)
    outcome = KeyOutcome(episodes=len(episodes))
    for done, episode in enumerate(episodes):
        if progress:
            progress(done, len(episodes))
        try:
            with episode_lock(episode):
                # The row may hold newer data than our fetch (see store_episode).
                episode.refresh_from_db()
                result = update_card(episode, client)
        except LockHeld:
            outcome.busy.append(episode.pk)
            continue
        outcome.rendered += result.rendered
        outcome.uploaded += result.uploaded
        if result.failed:
            outcome.failed[episode.pk] = result.failed
        if event == "watched" and not episode.watched:
            outcome.not_watched_yet.append(episode.pk)
    if progress:
        progress(len(episodes), len(episodes))
    return outcome
