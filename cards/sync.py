"""Plex's items into Series and Episode rows: which episodes tcm knows, and what Plex says about
them (titles, numbers, watched state, thumb).

- `sync_library` walks whole libraries, a page of `TCM_PLEX_PAGE_SIZE` items per request, and
  writes only what changed (in bulk); what Plex no longer has is flagged gone, never deleted.
- `episodes_for_key` turns one rating key (show, season or episode) into its episodes, creating
  unknown series on the fly; `refresh_episode` reads one episode again.
- `refresh_watched` reads the watched state of every episode in bulk, for what Tautulli does not
  report (an episode marked watched by hand), and applies the watched policy (cards/watched.py).
  Plex's flag is stored as `plex_watched`; `watched` is the policy's answer.

A row is written only with data fetched after what it holds (`synced_at`): two tasks that read
the same episode at different moments cannot leave the older answer behind.

Plex errors (connections/plex.py) propagate to the caller; nothing here retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models import CharField, Q
from django.utils import timezone

from connections.models import PlexConnection
from connections.plex import (
    EpisodeInfo,
    LibraryInfo,
    PlexClient,
    PlexNotFound,
    ShowInfo,
)

from . import watched
from .looks import Rules, restyle
from .models import Episode, Series

log = logging.getLogger(__name__)

# --- Plex items → rows

Row = TypeVar("Row", Series, Episode)


def _fit(model: type[Series] | type[Episode], name: str, value: str) -> str:
    """Cut a text to its column's length (a 2,000-character Plex title must not fail a sync)."""
    field = model._meta.get_field(name)
    assert isinstance(field, CharField)
    return value[: field.max_length]


def _series_values(info: ShowInfo) -> dict:
    return {
        "title": _fit(Series, "title", info.title),
        "year": info.year,
        "library": _fit(Series, "library", info.library),
        "guid_tvdb": _fit(Series, "guid_tvdb", info.guids.get("tvdb", "")),
        "guid_tmdb": _fit(Series, "guid_tmdb", info.guids.get("tmdb", "")),
        "guid_imdb": _fit(Series, "guid_imdb", info.guids.get("imdb", "")),
        "art": _fit(Series, "art", info.art),
        "genres": list(info.genres),
        "content_rating": _fit(Series, "content_rating", info.content_rating),
        "labels": list(info.labels),
        "collections": list(info.collections),
        "season_count": info.season_count,
        "thumb": _fit(Series, "thumb", info.thumb),
        "logo": _fit(Series, "logo", info.logo),
        "plex_updated_at": info.updated_at,
        "present": True,
    }


def _episode_values(info: EpisodeInfo, series_id: int) -> dict:
    return {
        "series_id": series_id,
        "season_rating_key": info.season_rating_key,
        "season_number": info.season_number,
        "episode_number": info.episode_number,
        "plex_absolute_number": info.absolute_number,
        "title": _fit(Episode, "title", info.title),
        "air_date": info.air_date,
        "guid_tvdb": _fit(Episode, "guid_tvdb", info.guids.get("tvdb", "")),
        "guid_tmdb": _fit(Episode, "guid_tmdb", info.guids.get("tmdb", "")),
        "guid_imdb": _fit(Episode, "guid_imdb", info.guids.get("imdb", "")),
        "plex_watched": info.watched,
        "thumb": _fit(Episode, "thumb", info.thumb),
        "plex_updated_at": info.updated_at,
        "present": True,
    }


def _apply(row: Series | Episode, values: dict) -> bool:
    """Set `values` on `row`; True when anything differed."""
    return bool(_changes(row, values))


def _changes(row: Series | Episode, values: dict) -> list[str]:
    """Set `values` on `row`; the names of those that differed."""
    changed = []
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


def store_series(connection: PlexConnection, info: ShowInfo, fetched_at: datetime) -> Series:
    """The Series row for a show, created or brought up to date (written only if it changed)."""
    return _store(Series, connection, info.rating_key, _series_values(info), fetched_at)


def store_episode(
    connection: PlexConnection, info: EpisodeInfo, series: Series, fetched_at: datetime
) -> Episode:
    """The Episode row for Plex's data, created or brought up to date; its `watched` is the
    watched policy's answer (cards/watched.py)."""
    values = _episode_values(info, series.pk)
    if info.labels is not None:  # a whole item, not a listing's
        values["plex_labels"] = list(info.labels)
    if info.thumb_locked is not None:
        values["plex_thumb_locked"] = info.thumb_locked
    episode = _store(Episode, connection, info.rating_key, values, fetched_at)
    if watched.settle(connection, [episode.pk]):
        episode.refresh_from_db(fields=["watched", "updated_at"])
    return episode


def read_whole(connection: PlexConnection, client: PlexClient, episodes: list[Episode]) -> None:
    """Read these episodes from Plex whole (labels and thumb lock too), a hundred per request,
    into their rows and the given objects. For the episodes whose labels tcm does not know yet,
    before their cards go up: one request per hundred instead of one per card, and the rows
    written in bulk (only the columns that changed), as a listing's page is."""
    if not episodes:
        return
    fetched_at = timezone.now()
    by_key = {e.rating_key: e for e in episodes}
    try:
        infos = client.episodes(list(by_key))
    except PlexNotFound:
        if len(episodes) == 1:
            raise
        # One of them went from Plex since it was listed: each is read on its own when its
        # card needs it (cards/card.py's known_labels).
        return
    values: dict[str, dict] = {}
    for info in infos:
        fields = _episode_values(info, by_key[info.rating_key].series_id)
        fields["plex_labels"] = list(info.labels or ())
        fields["plex_thumb_locked"] = info.thumb_locked
        values[info.rating_key] = fields
    rows: dict[str, Episode] = {}
    for chunk in _chunks(list(values)):
        rows.update(
            (e.rating_key, e)
            for e in Episode.objects.filter(connection=connection, rating_key__in=chunk)
        )
    try:
        _merge(Episode, connection, values, rows, fetched_at)
    except IntegrityError:  # created by a concurrent task meanwhile: one by one
        for info in infos:
            episode = by_key[info.rating_key]
            rows[info.rating_key] = store_episode(connection, info, episode.series, fetched_at)
    flipped = set(watched.settle(connection, [rows[key].pk for key in values]))
    answers = dict(
        Episode.objects.filter(pk__in=flipped).values_list("pk", "watched") if flipped else ()
    )
    for key in values:
        episode, row = by_key[key], rows[key]
        for name in ("plex_labels", "plex_thumb_locked", "thumb", "watched", "title", "synced_at"):
            setattr(episode, name, getattr(row, name))
        if row.pk in answers:
            episode.watched = answers[row.pk]


def _store(
    model: type[Row],
    connection: PlexConnection,
    key: str,
    values: dict,
    fetched_at: datetime,
) -> Row:
    """Create the row, or write `values` when they differ and the row does not hold newer data.

    Two tasks may fetch the same episode at different moments (say before and after Plex flipped
    it to watched): the later fetch must win, whatever order they write in.
    """
    row = model.objects.filter(connection=connection, rating_key=key).first()
    if row is None:
        try:
            with transaction.atomic():
                return model.objects.create(
                    connection=connection,
                    rating_key=key,
                    synced_at=fetched_at,
                    **values,
                    **_new_row_values(model, connection),
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
    connection: PlexConnection, client: PlexClient, rating_key: str, show: Series | None = None
) -> list[Episode]:
    """A show key means all its episodes, a season key its episodes, an episode key itself.

    Unknown series are created from Plex's data on the fly. An unknown key raises PlexNotFound.
    `show`: the key is this series' (the caller knows it is a show: "Render and upload all
    cards"), listed without reading the show itself again (the library sync keeps its row).
    """
    fetched_at = timezone.now()
    series: dict[str, Series] = {}
    infos: list[EpisodeInfo]
    if show is not None and show.rating_key == rating_key:
        series[show.rating_key] = show
        infos = client.episodes_of(_listing_of(show))
    else:
        item = client.item(rating_key)
        if isinstance(item, ShowInfo):
            series[item.rating_key] = store_series(connection, item, fetched_at)
            infos = client.episodes_of(item)
        elif isinstance(item, EpisodeInfo):
            infos = [item]
        else:
            infos = client.episodes_of(item)
    for info in infos:
        if info.show_rating_key not in series:
            series[info.show_rating_key] = _series_for(connection, client, info, fetched_at)
    if len(infos) > 1:
        episodes = _store_episodes(connection, infos, series, fetched_at)
    else:
        episodes = [
            store_episode(connection, i, series[i.show_rating_key], fetched_at) for i in infos
        ]
    numbered = fill_absolute_numbers([s.pk for s in series.values()])
    for episode in episodes:
        episode.absolute_number = numbered.get(episode.pk, episode.absolute_number)
    return episodes


def _listing_of(show: Series) -> ShowInfo:
    """What listing a show's episodes needs of it (its key and library), from its row."""
    return ShowInfo(
        rating_key=show.rating_key,
        title=show.title,
        year=show.year,
        library=show.library,
        guids={},
        art=show.art,
        updated_at=None,
    )


def _store_episodes(
    connection: PlexConnection,
    infos: list[EpisodeInfo],
    series: dict[str, Series],
    fetched_at: datetime,
) -> list[Episode]:
    """A listing's episodes into rows in bulk, as the library sync writes its pages (a show of
    500 episodes is a few queries, not a thousand)."""
    keys = [i.rating_key for i in infos]
    rows: dict[str, Episode] = {}
    for chunk in _chunks(keys):
        rows.update(
            (e.rating_key, e)
            for e in Episode.objects.filter(connection=connection, rating_key__in=chunk)
        )
    values = {i.rating_key: _episode_values(i, series[i.show_rating_key].pk) for i in infos}
    try:
        _merge(Episode, connection, values, rows, fetched_at)
    except IntegrityError:  # a concurrent task created some of them meanwhile: one by one
        return [store_episode(connection, i, series[i.show_rating_key], fetched_at) for i in infos]
    out = []
    for info in infos:
        row = rows[info.rating_key]
        row.connection, row.series = connection, series[info.show_rating_key]
        out.append(row)
    return out


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
    # Episodes Plex now shows (un)watched, and the renders queued for those whose card must
    # change style (a spoiler card is not left up until the next watched refresh).
    watched_changed: int = 0
    restyle_queued: int = 0
    requests_pages: int = 0


Progress = Callable[[int, int], None]


def sync_library(
    connection: PlexConnection,
    client: PlexClient | None = None,
    progress: Progress | None = None,
    queue_render: Callable[[int], object] | None = None,
) -> SyncCounts:
    """Walk the connection's TV libraries into Series/Episode rows.

    Incremental: rows are compared with Plex's data and only changed ones are written (in bulk).
    Batched: one request per page of `TCM_PLEX_PAGE_SIZE` items. Items Plex no longer has are
    flagged `present=False` (their cards are kept), but only after a library was walked to the
    end: a walk cut short by an error flags nothing. An episode whose watched state changed gets
    its render queued (`queue_render` takes its id) when its card must change style.
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
    flipped: list[int] = []

    for lib in libraries:
        seen_series: set[str] = set()
        seen_episodes: set[str] = set()
        for page in _pages(partial(client.shows_page, lib, size=size), size):
            counts.requests_pages += 1
            fetched_at = timezone.now()
            _store_series_page(connection, page, series_rows, fetched_at, counts)
            seen_series.update(info.rating_key for info in page)
            done += len(page)
            if progress:
                progress(done, total)
        for page in _pages(partial(client.episodes_page, lib, size=size), size):
            counts.requests_pages += 1
            fetched_at = timezone.now()
            flipped += _store_episode_page(
                connection, page, series_rows, episode_rows, fetched_at, counts
            )
            seen_episodes.update(info.rating_key for info in page)
            done += len(page)
            if progress:
                progress(done, total)
        _flag_gone(lib, series_rows, episode_rows, seen_series, seen_episodes, counts)
        counts.libraries.append(lib.title)
    fill_absolute_numbers([s.pk for s in series_rows.values()])
    counts.watched_changed = len(flipped)
    if queue_render is not None:
        counts.restyle_queued = len(to_restyle(connection, flipped, queue_render))
    return counts


def fill_absolute_numbers(series_ids: list[int]) -> dict[int, int | None]:
    """Give the series' episodes their absolute numbers: Plex's where it gives one, otherwise
    the episode's place in air order across the seasons from 1 on (specials have none). Writes
    only the ones that changed; returns every present episode's number, by episode id."""
    numbers: dict[int, int | None] = {}
    changed: list[Episode] = []
    for chunk in _chunks(series_ids):
        rows = Episode.objects.filter(series_id__in=chunk, present=True).only(
            "pk",
            "series_id",
            "season_number",
            "episode_number",
            "air_date",
            "plex_absolute_number",
            "absolute_number",
        )
        by_series: dict[int, list[Episode]] = {}
        for row in rows:
            by_series.setdefault(row.series_id, []).append(row)
        for episodes in by_series.values():
            counted = sorted(
                (e for e in episodes if (e.season_number or 0) >= 1),
                # Not aired yet (no date) comes last; same day: season and episode order.
                key=lambda e: (e.air_date or date.max, e.season_number, e.episode_number or 0),
            )
            place = {e.pk: n for n, e in enumerate(counted, start=1)}
            for episode in episodes:
                number = episode.plex_absolute_number or place.get(episode.pk)
                numbers[episode.pk] = number
                if episode.absolute_number != number:
                    episode.absolute_number = number
                    changed.append(episode)
    Episode.objects.bulk_update(changed, ["absolute_number"], batch_size=500)
    return numbers


@dataclass
class WatchedCounts:
    checked: int = 0
    changed: int = 0  # episodes whose policy answer changed
    plex_changed: int = 0  # episodes whose Plex flag changed
    tautulli_requests: int = 0
    # Why Tautulli could not be read this run (the stored viewers stood in), or "".
    tautulli_error: str = ""
    # Episodes whose card is in the other style now: they need a new render.
    restyle: list[int] = field(default_factory=list)


def refresh_watched(connection: PlexConnection, client: PlexClient | None = None) -> WatchedCounts:
    """Apply the watched policy to every episode of the connection's libraries, in bulk.

    Plex's flag (the owner's) is read a page of `TCM_PLEX_PAGE_SIZE` episodes per request (never
    one request per episode); when the policy counts other users, Tautulli's history is read
    in bulk too (cards/watched.py: one paged read per library and user). Catches what Tautulli
    does not report: an episode marked watched (or unwatched) by hand in Plex. Episodes tcm does
    not know yet are left to the library sync.
    """
    client = client or connection.client()
    size = settings.TCM_PLEX_PAGE_SIZE
    counts = WatchedCounts()
    known = {
        key: (pk, flag)
        for pk, key, flag in Episode.objects.filter(connection=connection).values_list(
            "pk", "rating_key", "plex_watched"
        )
    }
    libraries = _chosen_libraries(connection, client, SyncCounts())
    for lib in libraries:
        for page in _pages(partial(client.episodes_page, lib, size=size), size):
            fetched_at = timezone.now()
            flips: dict[bool, list[int]] = {True: [], False: []}
            for info in page:
                row = known.get(info.rating_key)
                if row is not None and row[1] != info.watched:
                    flips[info.watched].append(row[0])
            counts.checked += len(page)
            for flag, ids in flips.items():
                # A task that read the episode after this page was fetched knows better.
                Episode.objects.filter(pk__in=ids).filter(
                    Q(synced_at__isnull=True) | Q(synced_at__lte=fetched_at)
                ).update(plex_watched=flag, synced_at=fetched_at, updated_at=timezone.now())
                counts.plex_changed += len(ids)
    if watched.uses_tautulli(connection):
        read = watched.read_history(
            connection,
            [(str(lib.key), lib.title) for lib in libraries],
            {key: pk for key, (pk, _) in known.items()},
        )
        counts.tautulli_requests, counts.tautulli_error = read.requests, read.error
    changed = watched.settle(connection)
    counts.changed = len(changed)
    counts.restyle = to_restyle(connection, changed, lambda pk: None)
    return counts


def to_restyle(
    connection: PlexConnection, episode_ids: list[int], queue: Callable[[int], object]
) -> list[int]:
    """Of these episodes (their watched state changed), the ones whose card must change style
    (looks.restyle decides), each handed to `queue`."""
    restyled = []
    rules = Rules.load()
    for chunk in _chunks(episode_ids):
        episodes = Episode.objects.filter(
            pk__in=chunk, present=True, card__isnull=False, series__cards_enabled=True
        )
        for episode in episodes.select_related("series__font", "card", "font"):
            episode.connection = connection
            if restyle(episode, queue, rules):
                restyled.append(episode.pk)
    return restyled


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
) -> list[int]:
    """Store a page of episodes; returns the ids of known ones whose watched state changed."""
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
            **_new_row_values(Series, connection),
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
    # The policy's answers for what Plex's flags say now (the rows in `rows` keep theirs); the
    # episodes whose answer changed are the watched flips (a new episode has no card to restyle).
    return watched.settle(connection, [rows[key].pk for key in values])


def _merge(
    model: type[Row],
    connection: PlexConnection,
    values: dict[str, dict],
    rows: dict[str, Row],
    fetched_at: datetime,
) -> tuple[int, int, int]:
    """Write one page: new rows in one bulk INSERT, changed ones in one bulk UPDATE, unchanged
    ones not at all. `rows` (rating key → row, loaded once per sync) is kept up to date.
    Returns how many were created, updated and left alone."""
    new: list[Row] = []
    changed: list[Row] = []
    # Only the columns that changed in some row are written: after tcm's uploads every
    # episode's thumb and updatedAt change and nothing else, and an UPDATE of every synced
    # column (a CASE per column and row) costs several times as much.
    written: set[str] = set()
    for key, fields in values.items():
        row = rows.get(key)
        if row is None:
            row = model(
                connection=connection,
                rating_key=key,
                synced_at=fetched_at,
                **fields,
                **_new_row_values(model, connection),
            )
            new.append(row)
            rows[key] = row
        elif _fresher(row, fetched_at) and (names := _changes(row, fields)):
            row.synced_at = fetched_at
            row.updated_at = timezone.now()
            changed.append(row)
            written.update(names)
    with transaction.atomic():
        if new:
            model.objects.bulk_create(new, batch_size=500)
        if changed:
            _write_rows(model, changed, [*sorted(written), "synced_at", "updated_at"])
    return len(new), len(changed), len(values) - len(new) - len(changed)


def _write_rows(model: type[Row], rows: list[Row], names: list[str]) -> None:
    """UPDATE these rows' columns, one statement run for every row (executemany): what
    bulk_update does, without its CASE expression per column and row, which Django builds at
    a millisecond or more a row."""
    db = connections[router.db_for_write(model)]
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    by_name.update((f.name, f) for f in model._meta.concrete_fields)
    fields = [by_name[name] for name in names]
    quote = db.ops.quote_name
    columns = ", ".join(f"{quote(f.column or f.name)} = %s" for f in fields)
    pk = quote((model._meta.pk.column if model._meta.pk else None) or "id")
    sql = f"UPDATE {quote(model._meta.db_table)} SET {columns} WHERE {pk} = %s"
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), db) for f in fields] + [row.pk] for row in rows
    ]
    with db.cursor() as cursor:
        cursor.executemany(sql, params)


def _new_row_values(model: type[Series] | type[Episode], connection: PlexConnection) -> dict:
    """What a row gets only when it is created: a new series' cards start on or off as the
    connection says; a sync never turns them back."""
    return {"cards_enabled": connection.new_series_cards} if model is Series else {}


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
