"""A fake Plex Media Server: a small stateful HTTP server on loopback speaking Plex's XML API the
way plexapi expects it (see the table in the shared Plex reference).

It behaves like Plex where title card apps trip:
- uploading a poster selects it, gives the item a new `/thumb/<timestamp>`, and is stored as
  `upload://posters/<sha1 of the bytes>` (the same bytes twice are one entry);
- `/library/metadata/K/thumb/<anything>` serves the CURRENT poster, whatever the timestamp;
- an episode without a still has no `thumb` attribute (plexapi's thumbUrl then falls back to the
  season poster) and `/thumb` answers 404;
- `viewCount` is omitted when it is 0; listings carry `<Guid>` only with includeGuids=1 and never
  `<Label>`; `/library/metadata/K` carries both;
- a missing or wrong token is 401; `/identity` needs none; answers are `text/xml;charset=utf-8`.

A show has a poster, background art and a clearLogo (a transparent PNG, listed as the show's
`<Image type="clearLogo">` and served at `/library/metadata/K/clearLogo/<ts>`). What people and
other tools do in Plex: offer another poster (an agent's, or a `local` file), pick one in the UI
(selected and the thumb field locked), upload one, label an item, and Kometa's overlay (an upload
of the still with an overlay drawn on it, and the `Overlay` label).

Test controls: add libraries/shows/seasons/episodes (with generated JPEG stills), answer 500,
hang (longer than the client timeout, or just slow: every upload taking seconds), refuse
connections, reject the token, count requests per path, keep connections alive (HTTP/1.1) or not,
and a "metadata refresh" that drops uploaded posters as Plex does.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import socket
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from xml.etree.ElementTree import Element, SubElement, tostring

from PIL import Image, ImageDraw

from tests.fakes import reply

TYPE_NUMBERS = {"show": 2, "season": 3, "episode": 4}
TYPE_NAMES = {str(v): k for k, v in TYPE_NUMBERS.items()}
AGENT = "tv.plex.agents.series"


# Cached: the same arguments always draw the same bytes (immutable), and tests draw the same few
# over and over (every fake starts its rating keys, the seeds, at the same number): drawing and
# encoding one costs tens of ms, a cached one nothing.
@functools.lru_cache(maxsize=512)
def make_jpeg(seed: int, size: tuple[int, int] = (960, 540), label: str = "") -> bytes:
    """A distinct, recognisable test image: a two-colour gradient with a few shapes."""
    rnd = (seed * 2654435761) & 0xFFFFFFFF
    top = (rnd & 0xFF, (rnd >> 8) & 0xFF, (rnd >> 16) & 0xFF)
    bottom = (255 - top[0], 255 - top[1], (top[2] + 128) % 256)
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), gradient)
    draw = ImageDraw.Draw(image)
    for i in range(5):
        x = (rnd >> i) % max(1, width - 80)
        y = (rnd >> (i + 3)) % max(1, height - 80)
        draw.ellipse((x, y, x + 60 + i * 10, y + 60 + i * 10), fill=(255 - 40 * i, 40 * i, 128))
    if label:
        draw.text((20, 20), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@functools.lru_cache(maxsize=512)
def make_logo(seed: int, size: tuple[int, int] = (800, 310)) -> bytes:
    """A transparent PNG logo: a coloured bar with a ring, on nothing."""
    rnd = (seed * 2654435761) & 0xFFFFFFFF
    color = (rnd & 0xFF, (rnd >> 8) & 0xFF, 200)
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rounded_rectangle((10, height // 4, width - 10, 3 * height // 4), 30, fill=(*color, 255))
    ring = (width // 2 - 60, 10, width // 2 + 60, 130)
    draw.ellipse(ring, outline=(255, 255, 255, 255), width=12)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass
class Poster:
    rating_key: str
    data: bytes | None = None
    seed: int = 0
    provider: str = ""

    def bytes(self) -> bytes:
        if self.data is None:
            self.data = make_jpeg(self.seed)
        return self.data


@dataclass
class Item:
    rating_key: int
    type: str
    title: str
    section: int
    parent: int | None = None
    index: int | None = None
    year: int | None = None
    guids: list[str] = field(default_factory=list)
    posters: list[Poster] = field(default_factory=list)
    selected: str | None = None
    art: Poster | None = None
    # A show's clearLogo (a transparent PNG).
    logo: Poster | None = None
    thumb_ts: int = 0
    labels: list[str] = field(default_factory=list)
    thumb_locked: bool = False
    view_count: int = 0
    last_viewed_at: int | None = None
    view_offset: int = 0
    air_date: date | None = None
    duration: int = 2_700_000
    added_at: int = 0
    updated_at: int = 0
    children: list[int] = field(default_factory=list)
    # A show's tags and rating (Plex lists them in library listings too), an episode's absolute
    # number (shows in absolute order).
    genres: list[str] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    content_rating: str | None = None
    absolute_index: int | None = None

    @property
    def selected_poster(self) -> Poster | None:
        return next((p for p in self.posters if p.rating_key == self.selected), None)


@dataclass
class Section:
    key: int
    title: str
    type: str = "show"
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))


class FakePlex:
    """Start with `with FakePlex() as plex:`; `plex.url` and `plex.token` are what clients need."""

    def __init__(
        self,
        token: str = "fake-plex-token-5f1b",
        *,
        name: str = "Fake Plex",
        version: str = "1.41.3.9314-a0bfb8370",
        keep_alive: bool = False,
    ) -> None:
        self.token = token
        # HTTP/1.1 keep-alive, as Plex does; off by default (see _Handler.protocol_version).
        self.keep_alive = keep_alive
        self.name = name
        self.version = version
        self.machine_id = uuid.uuid4().hex
        self.sections: dict[int, Section] = {}
        self.items: dict[int, Item] = {}
        self._next_key = 1000
        self._lock = threading.RLock()
        self.requests: list[tuple[str, str]] = []
        # When each upload arrived (time.time()), per rating key: benchmarks measure with it.
        self.upload_times: dict[int, list[float]] = {}
        # Faults: answer `fail_status` to `fail_times` requests (None: all of them) whose path
        # starts with `fail_prefix`, after letting `fail_after` of them through; hang
        # `hang_seconds` before answering (only `hang_method` requests to paths starting with
        # `hang_prefix`, when set).
        self.fail_status: int | None = None
        self.fail_times: int | None = None
        self.fail_after = 0
        self.fail_prefix = ""
        self.fail_method: str | None = None
        self.hang_seconds: float = 0.0
        self.hang_prefix = ""
        self.hang_method: str | None = None
        self._stop = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- lifecycle

    def start(self) -> FakePlex:
        fake = self

        class Handler(_Handler):
            plex = fake
            protocol_version = "HTTP/1.1" if fake.keep_alive else _Handler.protocol_version

        self._httpd = _Server(("127.0.0.1", self.port), Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.close_connections()
            self._httpd = None
        self._stop.clear()

    def __enter__(self) -> FakePlex:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- faults

    def fail(
        self,
        status: int = 500,
        times: int | None = None,
        *,
        after: int = 0,
        prefix: str = "",
        method: str | None = None,
    ) -> None:
        """Answer `status` to every request (or to `times` of them), optionally only to paths
        starting with `prefix` (and only `method` requests: e.g. the uploads) and only after
        `after` such requests were answered normally."""
        self.fail_status, self.fail_times = status, times
        self.fail_after, self.fail_prefix, self.fail_method = after, prefix, method

    def hang(self, seconds: float, *, prefix: str = "", method: str | None = None) -> None:
        """Wait this long before answering each request, or only the `method` requests to paths
        starting with `prefix` (e.g. the uploads): longer than the client's timeout for a hung
        Plex, shorter for a slow one (the request is answered after the wait)."""
        self.hang_seconds, self.hang_prefix, self.hang_method = seconds, prefix, method

    def refuse(self) -> None:
        """Stop listening: connections are refused until recover()."""
        self.stop()

    def recover(self) -> None:
        """Answer normally again (and listen again on the same port after refuse())."""
        self.fail_status = self.fail_times = None
        self.fail_after, self.fail_prefix, self.fail_method = 0, "", None
        self.hang_seconds, self.hang_prefix, self.hang_method = 0.0, "", None
        self._stop.set()  # wakes handlers that are hanging
        self._stop = threading.Event()
        if self._httpd is None:
            self.start()

    def revoke_token(self) -> None:
        """The token stops working (it was revoked on plex.tv): every request gets 401."""
        self.token = "revoked-" + uuid.uuid4().hex

    def _fault(self, method: str, path: str) -> int | None:
        """The status to fail this request with, or None (called holding the lock)."""
        if self.fail_status is None or not path.startswith(self.fail_prefix):
            return None
        if self.fail_method is not None and method != self.fail_method:
            return None
        if self.fail_after > 0:
            self.fail_after -= 1
            return None
        if self.fail_times is not None:
            if self.fail_times <= 0:
                self.fail_status = self.fail_times = None
                return None
            self.fail_times -= 1
        return self.fail_status

    # --- request log

    def count(self, path: str | None = None, method: str | None = None, prefix: str = "") -> int:
        with self._lock:
            return sum(
                1
                for m, p in self.requests
                if (method is None or m == method)
                and (path is None or p == path)
                and p.startswith(prefix)
            )

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()

    def counts(self) -> Counter:
        with self._lock:
            return Counter(f"{m} {p}" for m, p in self.requests)

    # --- library content

    def _key(self) -> int:
        self._next_key += 1 + self._next_key % 3  # rating keys are not contiguous
        return self._next_key

    def add_library(self, title: str = "TV Shows", kind: str = "show") -> int:
        with self._lock:
            for section in self.sections.values():
                if section.title == title:
                    return section.key
            key = len(self.sections) + 1
            self.sections[key] = Section(key, title, kind)
            return key

    def _add(self, kind: str, title: str, section: int, parent: int | None, **fields) -> Item:
        """A new item with a fresh rating key and timestamps, filed under its parent."""
        key = self._key()
        now = int(time.time())
        item = Item(key, kind, title, section, parent=parent, added_at=now, updated_at=now)
        item.thumb_ts = now
        for name, value in fields.items():
            setattr(item, name, value)
        self.items[key] = item
        if parent is not None:
            self.items[parent].children.append(key)
        return item

    @staticmethod
    def _poster(item: Item, poster: Poster) -> None:
        item.posters = [poster]
        item.selected = poster.rating_key

    def add_show(
        self,
        title: str,
        *,
        library: str = "TV Shows",
        year: int | None = 2020,
        guids: list[str] | None = None,
        art: bool = True,
        genres: list[str] | None = None,
        labels: list[str] | None = None,
        collections: list[str] | None = None,
        content_rating: str | None = None,
        logo: bool = True,
    ) -> int:
        with self._lock:
            item = self._add("show", title, self.add_library(library), None, index=1, year=year)
            key = item.rating_key
            item.genres = list(genres or [])
            item.labels = list(labels or [])
            item.collections = list(collections or [])
            item.content_rating = content_rating
            item.guids = guids if guids is not None else [f"tvdb://{key}", f"tmdb://{key + 7}"]
            self._poster(
                item, Poster(f"metadata://posters/{AGENT}_{key}", seed=key, provider=AGENT)
            )
            if art:
                item.art = Poster(f"metadata://art/{AGENT}_{key}", seed=key + 500_000)
            if logo:
                item.logo = Poster(
                    f"metadata://clearLogos/{AGENT}_{key}", data=make_logo(key), provider=AGENT
                )
            return key

    def add_movie(self, title: str, *, library: str = "Movies", year: int = 2020) -> int:
        """A movie, in a movie library: what a manual trigger in Tautulli may post about."""
        with self._lock:
            section = self.add_library(library, kind="movie")
            item = self._add("movie", title, section, None, index=1, year=year)
            self._poster(item, Poster(f"metadata://posters/{AGENT}_{item.rating_key}"))
            return item.rating_key

    def add_season(self, show: int, index: int, *, title: str | None = None) -> int:
        with self._lock:
            title = title or (f"Season {index}" if index else "Specials")
            item = self._add("season", title, self.items[show].section, show, index=index)
            key = item.rating_key
            self._poster(
                item, Poster(f"metadata://posters/{AGENT}_{key}", seed=key, provider=AGENT)
            )
            return key

    def add_episode(
        self,
        season: int,
        index: int,
        title: str,
        *,
        still: bool | bytes = True,
        air_date: date | None = None,
        guids: list[str] | None = None,
        watched: bool = False,
        absolute_index: int | None = None,
    ) -> int:
        """An episode; `still` is its own thumbnail (generated, given bytes, or none)."""
        with self._lock:
            item = self._add(
                "episode",
                title,
                self.items[season].section,
                season,
                index=index,
                air_date=air_date or date(2020, 1, 1),
                view_count=1 if watched else 0,
                absolute_index=absolute_index,
            )
            key = item.rating_key
            item.guids = guids if guids is not None else [f"tvdb://{key}"]
            if still is not False:
                data = still if isinstance(still, bytes) else None
                self._poster(item, Poster(f"media://{key}-still.jpg", data=data, seed=key))
            return key

    def add_series(
        self,
        title: str,
        seasons: int = 1,
        episodes: int = 3,
        *,
        library: str = "TV Shows",
        still: bool = True,
    ) -> int:
        """A show with `seasons` x `episodes` episodes titled "Episode N"."""
        show = self.add_show(title, library=library)
        for s in range(1, seasons + 1):
            season = self.add_season(show, s)
            for e in range(1, episodes + 1):
                self.add_episode(season, e, f"Episode {e}", still=still)
        return show

    def remove(self, key: int) -> None:
        with self._lock:
            item = self.items.pop(key)
            for child in list(item.children):
                self.remove(child)
            if item.parent in self.items:
                self.items[item.parent].children.remove(key)

    def set_title(self, key: int, title: str) -> None:
        with self._lock:
            item = self.items[key]
            item.title = title
            item.updated_at += 1

    def episodes(self, key: int | None = None) -> list[int]:
        """Every episode key under an item (show, season), or in the whole server."""
        with self._lock:
            if key is None:
                return [k for k, i in self.items.items() if i.type == "episode"]
            item = self.items[key]
            if item.type == "episode":
                return [key]
            return [e for child in item.children for e in self.episodes(child)]

    def mark_watched(self, key: int) -> None:
        with self._lock:
            for ep in self.episodes(key):
                item = self.items[ep]
                item.view_count += 1
                item.last_viewed_at = int(time.time())
                item.view_offset = 0

    def mark_unwatched(self, key: int) -> None:
        with self._lock:
            for ep in self.episodes(key):
                item = self.items[ep]
                item.view_count = 0
                item.last_viewed_at = None
                item.view_offset = 0

    def refresh_metadata(self, key: int) -> None:
        """What a metadata refresh does to an uploaded thumbnail: it is gone, the agent's or the
        media's own image is selected again."""
        with self._lock:
            item = self.items[key]
            item.posters = [p for p in item.posters if not p.rating_key.startswith("upload://")]
            item.selected = item.posters[0].rating_key if item.posters else None
            item.thumb_ts += 1
            item.updated_at += 1

    # --- what a person (or another tool) does in Plex

    def add_poster(
        self, key: int, *, data: bytes | None = None, provider: str = AGENT, name: str = ""
    ) -> str:
        """Another poster Plex offers for the item (an agent's, or provider "local": a file
        beside the media); not selected. Returns its rating key."""
        with self._lock:
            item = self.items[key]
            rating_key = name or f"metadata://posters/{provider}_{key}_{len(item.posters)}"
            seed = key * 7 + len(item.posters)
            item.posters.append(Poster(rating_key, data=data, seed=seed, provider=provider))
            return rating_key

    def choose_poster(self, key: int, rating_key: str) -> None:
        """A person picks a poster in Plex's UI: it is selected and the thumb field locked."""
        with self._lock:
            item = self.items[key]
            assert any(p.rating_key == rating_key for p in item.posters)
            item.selected = rating_key
            item.thumb_locked = True
            item.thumb_ts += 1
            item.updated_at += 1

    def add_label(self, key: int, label: str) -> None:
        with self._lock:
            if label not in self.items[key].labels:
                self.items[key].labels.append(label)

    def kometa_overlay(self, key: int) -> bytes:
        """What Kometa does to an episode: uploads the still with an overlay drawn on it and
        labels the item `Overlay`. Returns the overlaid bytes."""
        with self._lock:
            still = self.thumb_bytes(key)
            image = Image.open(io.BytesIO(still or make_jpeg(key))).convert("RGB")
            ImageDraw.Draw(image).rectangle((0, 0, image.width, image.height // 6), fill="red")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85)
            self.upload(key, out.getvalue())
            self.add_label(key, "Overlay")
            return out.getvalue()

    # --- what tests look at

    def thumb_bytes(self, key: int) -> bytes | None:
        with self._lock:
            poster = self.items[key].selected_poster
            return poster.bytes() if poster else None

    def original_bytes(self, key: int) -> bytes:
        with self._lock:
            return next(
                p for p in self.items[key].posters if p.rating_key.startswith("media://")
            ).bytes()

    def uploads(self, key: int) -> list[bytes]:
        with self._lock:
            return [
                p.bytes() for p in self.items[key].posters if p.rating_key.startswith("upload://")
            ]

    def selected(self, key: int) -> str | None:
        return self.items[key].selected

    def labels(self, key: int) -> list[str]:
        return list(self.items[key].labels)

    # --- the protocol

    def upload(self, key: int, data: bytes) -> None:
        with self._lock:
            item = self.items[key]
            rating_key = "upload://posters/" + hashlib.sha1(data).hexdigest()
            if not any(p.rating_key == rating_key for p in item.posters):
                item.posters.append(Poster(rating_key, data=data))
            item.selected = rating_key
            self.upload_times.setdefault(key, []).append(time.time())
            item.thumb_locked = True
            item.thumb_ts = max(item.thumb_ts + 1, int(time.time()))
            item.updated_at += 1


class _Server(ThreadingHTTPServer):
    """Keeps its open connections, so that stopping closes the kept-alive ones too: a client's
    pooled connection would otherwise still reach a stopped fake (or the old one, when a new
    fake gets the same port)."""

    daemon_threads = True

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._open: set[socket.socket] = set()

    # A TCP server's request is its connection's socket (the base class allows a datagram pair).
    def process_request(self, request: Any, client_address: Any) -> None:
        self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        for request in list(self._open):
            with contextlib.suppress(OSError):
                request.shutdown(socket.SHUT_RDWR)


def _attrs(elem: Element, **values: object) -> None:
    for name, value in values.items():
        if value is None or value == "":
            continue
        elem.set(name, str(int(value)) if isinstance(value, bool) else str(value))


class _Handler(BaseHTTPRequestHandler):
    plex: FakePlex
    # One request per connection unless the fake is made with keep_alive: a refused or
    # restarted server is never hidden by a pooled keep-alive connection.
    protocol_version = "HTTP/1.0"
    server_version = "FakePlex/1.0"
    # TCP_NODELAY: a reply goes out as two writes (headers, then body); on a kept-alive
    # connection Nagle holds the body back until the client's delayed ACK, ~40 ms a response.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # --- plumbing

    def _handle(self, method: str) -> None:
        plex = self.plex
        parts = urlsplit(self.path)
        path = parts.path
        self.query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        with plex._lock:
            plex.requests.append((method, path))
            status = plex._fault(method, path)
        if (
            plex.hang_seconds
            and path.startswith(plex.hang_prefix)
            and plex.hang_method in (None, method)
        ):
            plex._stop.wait(plex.hang_seconds)
        if status is not None:
            return self._send(status, b"<html><body>Internal error</body></html>", "text/html")
        token = self.headers.get("X-Plex-Token") or self.query.get("X-Plex-Token")
        if path != "/identity" and token != plex.token:
            return self._send(
                401, b"<html><head><title>Unauthorized</title></head></html>", "text/html"
            )
        try:
            with plex._lock:
                self._route(method, path)
        except (KeyError, StopIteration, ValueError):
            self._send(404, b"<html><body>Not Found</body></html>", "text/html")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        reply(self, status, body, content_type)

    def _xml(self, container: Element) -> None:
        body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(container, encoding="utf-8")
        self._send(200, body, "text/xml;charset=utf-8")

    def _ok(self) -> None:
        self._send(200, b"", "text/xml;charset=utf-8")

    def _paging(self) -> tuple[int, int | None]:
        def value(name: str) -> str | None:
            return self.headers.get(name) or self.query.get(name)

        start = int(value("X-Plex-Container-Start") or 0)
        size = value("X-Plex-Container-Size")
        return start, (int(size) if size is not None else None)

    def _container(self, items: list[Item], render, **attrs: object) -> None:
        start, size = self._paging()
        page = items[start : start + size if size is not None else None]
        container = Element("MediaContainer")
        _attrs(container, size=len(page), totalSize=len(items), offset=start, **attrs)
        for item in page:
            render(container, item)
        self._xml(container)

    # --- routes

    def _route(self, method: str, path: str) -> None:
        plex = self.plex
        segments = [s for s in path.split("/") if s]
        if path == "/" and method == "GET":
            return self._root()
        if path == "/identity":
            container = Element("MediaContainer")
            _attrs(
                container,
                size=0,
                claimed=1,
                machineIdentifier=plex.machine_id,
                version=plex.version,
            )
            return self._xml(container)
        if path == "/library" and method == "GET":
            container = Element("MediaContainer")
            _attrs(
                container,
                size=3,
                allowSync=0,
                identifier="com.plexapp.plugins.library",
                title1="Plex Library",
            )
            for key, title in (
                ("sections", "Library Sections"),
                ("recentlyAdded", "Recently Added Content"),
                ("onDeck", "On Deck Content"),
            ):
                _attrs(SubElement(container, "Directory"), key=key, title=title)
            return self._xml(container)
        if segments[:2] == ["library", "sections"]:
            if len(segments) == 2 and method == "GET":
                return self._sections()
            if len(segments) == 4 and segments[3] == "all":
                section = plex.sections[int(segments[2])]
                if method == "GET":
                    return self._section_all(section)
                if method == "PUT":
                    return self._edit(section)
        if segments[:2] == ["library", "metadata"] and len(segments) >= 3:
            return self._metadata(method, segments[2], segments[3:])
        if path in ("/:/scrobble", "/:/unscrobble") and method == "GET":
            scrobbled = int(self.query["key"])
            (plex.mark_watched if path == "/:/scrobble" else plex.mark_unwatched)(scrobbled)
            return self._ok()
        raise KeyError(path)

    def _root(self) -> None:
        plex = self.plex
        container = Element("MediaContainer")
        _attrs(
            container,
            size=0,
            allowCameraUpload=0,
            allowSync=1,
            friendlyName=plex.name,
            machineIdentifier=plex.machine_id,
            myPlex=0,
            platform="Linux",
            platformVersion="6.1",
            transcoderActiveVideoSessions=0,
            updatedAt=int(time.time()),
            version=plex.version,
        )
        self._xml(container)

    def _sections(self) -> None:
        container = Element("MediaContainer")
        _attrs(container, size=len(self.plex.sections), allowSync=0, title1="Plex Library")
        for section in self.plex.sections.values():
            elem = SubElement(container, "Directory")
            _attrs(
                elem,
                allowSync=1,
                art="/:/resources/show-fanart.jpg",
                composite=f"/library/sections/{section.key}/composite/1",
                filters=1,
                refreshing=0,
                thumb="/:/resources/show.png",
                key=section.key,
                type=section.type,
                title=section.title,
                agent=AGENT,
                scanner="Plex TV Series",
                language="en-US",
                uuid=section.uuid,
                updatedAt=int(time.time()),
                createdAt=1600000000,
                scannedAt=int(time.time()),
            )
            _attrs(SubElement(elem, "Location"), id=section.key, path=f"/tv/{section.title}")
        self._xml(container)

    def _section_all(self, section: Section) -> None:
        type_name = TYPE_NAMES.get(self.query.get("type", ""), "show")
        items = [
            i for i in self.plex.items.values() if i.section == section.key and i.type == type_name
        ]
        self._container(
            items,
            self._render_list,
            allowSync=1,
            librarySectionID=section.key,
            librarySectionTitle=section.title,
            librarySectionUUID=section.uuid,
            viewGroup=type_name,
            mediaTagPrefix="/system/bundle/media/flags/",
        )

    def _render_list(self, container: Element, item: Item) -> None:
        self._render(container, item, guids=self.query.get("includeGuids") == "1")

    def _edit(self, section: Section) -> None:
        """plexapi's edits: `PUT /library/sections/N/all?id=K&type=4&label[0].tag.tag=A&...`."""
        keys = [int(k) for k in self.query.get("id", "").split(",") if k]
        if not keys:
            return self._send(400, b"", "text/html")  # lockAllField without id: not needed here
        # label[0].tag.tag=A&label[1].tag.tag=B is the item's whole new list of labels.
        indexed = {
            int(k[6 : k.index("]")]): v
            for k, v in self.query.items()
            if k.startswith("label[") and k.endswith("].tag.tag") and k[6:7].isdigit()
        }
        removed = self.query.get("label[].tag.tag-")
        for key in keys:
            item = self.plex.items[key]
            if indexed:
                item.labels = [indexed[i] for i in sorted(indexed)]
            if removed:
                # plexapi quotes each removed tag, then the whole value once more.
                gone = {unquote(v) for v in removed.split(",")}
                item.labels = [t for t in item.labels if t not in gone]
            if "title.value" in self.query:
                item.title = self.query["title.value"]
            if "thumb.locked" in self.query:
                item.thumb_locked = self.query["thumb.locked"] == "1"
            item.updated_at += 1
        return self._ok()

    def _metadata(self, method: str, key_text: str, rest: list[str]) -> None:
        plex = self.plex
        keys = [int(k) for k in key_text.split(",")]
        items = [plex.items[k] for k in keys]  # KeyError → 404
        item = items[0]
        base = f"/library/metadata/{item.rating_key}"
        if not rest and method == "GET":
            container = Element("MediaContainer")
            section = plex.sections[item.section]
            _attrs(
                container,
                size=len(items),
                allowSync=1,
                identifier="com.plexapp.plugins.library",
                librarySectionID=section.key,
                librarySectionTitle=section.title,
                librarySectionUUID=section.uuid,
            )
            for it in items:
                self._render(container, it, guids=True, full=True)
            return self._xml(container)
        what = rest[0]
        if what == "children" and method == "GET":
            children = [plex.items[k] for k in item.children]
            if item.type == "show" and self.query.get("excludeAllLeaves") != "1":
                # The "All episodes" pseudo-directory a real PMS puts first.
                self._container_with_all_leaves(item, children)
                return None
            return self._container(children, self._render_list, key=item.rating_key)
        if what == "allLeaves" and method == "GET":
            episodes = [plex.items[k] for k in plex.episodes(item.rating_key)]
            return self._container(episodes, self._render_list, key=item.rating_key)
        if what == "thumb" and method == "GET":
            poster = item.selected_poster
            if poster is None:
                raise KeyError("thumb")
            return self._send(200, poster.bytes(), "image/jpeg")
        if what == "thumb" and method == "DELETE":
            item.selected = None
            return self._ok()
        if what == "clearLogo" and method == "GET":
            if item.logo is None:
                raise KeyError("clearLogo")
            return self._send(200, item.logo.bytes(), "image/png")
        if what == "art" and method == "GET":
            if item.art is None:
                raise KeyError("art")
            return self._send(200, item.art.bytes(), "image/jpeg")
        if what == "posters" and method == "GET":
            container = Element("MediaContainer")
            _attrs(container, size=len(item.posters))
            for poster in item.posters:
                url = f"{base}/file?url={quote(poster.rating_key, safe='')}"
                _attrs(
                    SubElement(container, "Photo"),
                    key=url,
                    ratingKey=poster.rating_key,
                    selected=1 if poster.rating_key == item.selected else 0,
                    thumb=url,
                    provider=poster.provider,
                )
            return self._xml(container)
        if what == "posters" and method == "POST":
            if "url" in self.query or not self.body:
                return self._send(400, b"", "text/html")  # fetching URLs: not in this fake
            plex.upload(item.rating_key, self.body)
            return self._ok()
        if what == "poster" and method == "PUT":
            wanted = self.query.get("url", "")
            if not any(p.rating_key == wanted for p in item.posters):
                raise KeyError(wanted)
            item.selected = wanted
            item.thumb_ts += 1
            return self._ok()
        if what == "file" and method == "GET":
            wanted = self.query.get("url", "")
            poster = next(p for p in item.posters if p.rating_key == wanted)  # StopIteration
            return self._send(200, poster.bytes(), "image/jpeg")
        if what == "refresh" and method == "PUT":
            plex.refresh_metadata(item.rating_key)
            return self._ok()
        raise KeyError(what)

    def _container_with_all_leaves(self, show: Item, seasons: list[Item]) -> None:
        container = Element("MediaContainer")
        episodes = self.plex.episodes(show.rating_key)
        _attrs(
            container,
            size=len(seasons) + 1,
            totalSize=len(seasons) + 1,
            offset=0,
            key=show.rating_key,
        )
        _attrs(
            SubElement(container, "Directory"),
            leafCount=len(episodes),
            viewedLeafCount=sum(1 for e in episodes if self.plex.items[e].view_count),
            key=f"/library/metadata/{show.rating_key}/allLeaves",
            title="All episodes",
        )
        for season in seasons:
            self._render(container, season, guids=self.query.get("includeGuids") == "1")
        self._xml(container)

    # --- items as XML

    def _render(self, container: Element, item: Item, *, guids: bool, full: bool = False) -> None:
        plex = self.plex
        section = plex.sections[item.section]
        base = f"/library/metadata/{item.rating_key}"
        common = {
            "ratingKey": item.rating_key,
            "guid": f"plex://{item.type}/{item.rating_key:024x}",
            "type": item.type,
            "title": item.title,
            "librarySectionTitle": section.title,
            "librarySectionID": section.key,
            "librarySectionKey": f"/library/sections/{section.key}",
            "index": item.index,
            "addedAt": item.added_at,
            "updatedAt": item.updated_at,
        }
        thumb = f"{base}/thumb/{item.thumb_ts}" if item.selected else None
        if item.type == "episode":
            assert item.parent is not None  # an episode has a season, a season a show
            season = plex.items[item.parent]
            assert season.parent is not None
            show = plex.items[season.parent]
            elem = SubElement(container, "Video")
            _attrs(
                elem,
                **common,
                key=base,
                parentRatingKey=season.rating_key,
                grandparentRatingKey=show.rating_key,
                parentGuid=f"plex://season/{season.rating_key:024x}",
                grandparentGuid=f"plex://show/{show.rating_key:024x}",
                parentKey=f"/library/metadata/{season.rating_key}",
                grandparentKey=f"/library/metadata/{show.rating_key}",
                parentTitle=season.title,
                grandparentTitle=show.title,
                parentIndex=season.index,
                absoluteIndex=item.absolute_index,
                summary="An episode." if full else None,
                viewCount=item.view_count or None,
                lastViewedAt=item.last_viewed_at,
                viewOffset=item.view_offset or None,
                year=item.air_date.year if item.air_date else None,
                thumb=thumb,
                art=f"/library/metadata/{show.rating_key}/art/{show.thumb_ts}"
                if show.art
                else None,
                parentThumb=f"/library/metadata/{season.rating_key}/thumb/{season.thumb_ts}",
                grandparentThumb=f"/library/metadata/{show.rating_key}/thumb/{show.thumb_ts}",
                grandparentArt=(
                    f"/library/metadata/{show.rating_key}/art/{show.thumb_ts}" if show.art else None
                ),
                duration=item.duration,
                originallyAvailableAt=item.air_date.isoformat() if item.air_date else None,
            )
            media = SubElement(elem, "Media")
            _attrs(media, id=item.rating_key, duration=item.duration, container="mkv")
            _attrs(
                SubElement(media, "Part"),
                id=item.rating_key,
                key=f"/library/parts/{item.rating_key}/file.mkv",
                file=f"/tv/{show.title}/S{season.index:02d}E{item.index:02d}.mkv",
                duration=item.duration,
            )
        elif item.type == "movie":
            elem = SubElement(container, "Video")
            _attrs(elem, **common, key=base, year=item.year, thumb=thumb)
        elif item.type == "season":
            assert item.parent is not None
            show = plex.items[item.parent]
            episodes = plex.episodes(item.rating_key)
            elem = SubElement(container, "Directory")
            _attrs(
                elem,
                **common,
                key=f"{base}/children",
                parentRatingKey=show.rating_key,
                parentGuid=f"plex://show/{show.rating_key:024x}",
                parentKey=f"/library/metadata/{show.rating_key}",
                parentTitle=show.title,
                parentIndex=show.index,
                thumb=thumb,
                parentThumb=f"/library/metadata/{show.rating_key}/thumb/{show.thumb_ts}",
                leafCount=len(episodes),
                viewedLeafCount=sum(1 for e in episodes if plex.items[e].view_count),
            )
        else:
            episodes = plex.episodes(item.rating_key)
            elem = SubElement(container, "Directory")
            _attrs(
                elem,
                **common,
                key=f"{base}/children",
                studio="Fake Studio",
                summary="A show." if full else None,
                year=item.year,
                thumb=thumb,
                art=f"{base}/art/{item.thumb_ts}" if item.art else None,
                leafCount=len(episodes),
                viewedLeafCount=sum(1 for e in episodes if plex.items[e].view_count),
                childCount=len(item.children),
                contentRating=item.content_rating,
            )
            # Listings carry a show's tags as well as its full answer does.
            for tag, values in (
                ("Genre", item.genres),
                ("Collection", item.collections),
                ("Label", [] if full else item.labels),
            ):
                for value in values:
                    _attrs(SubElement(elem, tag), tag=value)
        if item.type == "show":
            # PMS lists a show's pictures as <Image> elements, in listings too.
            for kind, url in (
                ("coverPoster", thumb),
                ("background", f"{base}/art/{item.thumb_ts}" if item.art else None),
                ("clearLogo", f"{base}/clearLogo/{item.thumb_ts}" if item.logo else None),
            ):
                if url:
                    _attrs(SubElement(elem, "Image"), alt=item.title, type=kind, url=url)
        if guids or full:
            for guid in item.guids:
                _attrs(SubElement(elem, "Guid"), id=guid)
        if full:
            for label in item.labels:
                _attrs(SubElement(elem, "Label"), tag=label)
            if item.thumb_locked:
                _attrs(SubElement(elem, "Field"), name="thumb", locked=1)
            if item.labels:
                _attrs(SubElement(elem, "Field"), name="label", locked=1)
