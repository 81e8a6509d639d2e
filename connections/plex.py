"""The only code that talks to Plex: a thin layer over plexapi.

Everything goes through `PlexClient._call`, the one choke point that turns whatever plexapi,
requests or the XML parser raise into one of three errors, each saying whether a retry helps:

- `PlexAuthError`: Plex rejected the token (401/403). Permanent until someone fixes the token.
- `PlexNotFound`: the item (or library) does not exist (404). Permanent.
- `PlexUnavailable`: timeouts, refused or dropped connections, TLS failures, 5xx answers and
  answers that are not Plex XML. Transient: retry later.

Anything else Plex or plexapi refuses (another 4xx, plexapi's own `BadRequest` without an HTTP
status, `UnknownType`, `Unsupported`) is a plain `PlexError`: permanent, like the first two, as
sending the same request again gets the same answer.

plexapi needs this care because its `Unauthorized` is a subclass of `BadRequest` (so the order of
the `except` clauses matters) and because it does not wrap `requests` exceptions at all: a hang
surfaces as `requests.exceptions.ReadTimeout`.

Callers get plain frozen dataclasses, never plexapi objects, so that nothing outside this module
can trigger one of plexapi's hidden requests (a "partial" object reloads itself from Plex when an
attribute is empty; this module switches that off, see `_quiet`).

Error messages name the server by URL and the request by its path; they never carry the token.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from xml.etree.ElementTree import ParseError

import requests
from plexapi import exceptions as plex_exceptions
from plexapi import utils as plex_utils
from plexapi.media import Poster
from plexapi.server import PlexServer
from requests.adapters import HTTPAdapter

from tcm_site.logs import redact

log = logging.getLogger(__name__)

T = TypeVar("T")

# Plex names an uploaded poster after the SHA-1 of its bytes.
UPLOAD_PREFIX = "upload://posters/"
# No still, poster or background art is anywhere near this; a bigger answer is not an image.
MAX_IMAGE_BYTES = 50 * 1024 * 1024


class PlexError(Exception):
    """A request to Plex failed. `transient` says whether trying again later can help."""

    transient = False
    kind = "error"


class PlexAuthError(PlexError):
    """Plex rejected the token. Permanent: nothing works until the token is fixed."""

    kind = "auth"


class PlexNotFound(PlexError):
    """The item or library does not exist on Plex. Permanent."""

    kind = "not found"


class PlexNotTV(PlexNotFound):
    """The rating key is something other than a TV show, season or episode (a movie, a track):
    nothing tcm makes cards for. `reason` says so for people."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class PlexUnavailable(PlexError):
    """Plex did not answer usefully: timeout, connection refused, TLS failure, 5xx. Transient."""

    transient = True
    kind = "unavailable"


@dataclass(frozen=True)
class ServerInfo:
    name: str
    version: str
    machine_id: str
    tv_libraries: list[str]


@dataclass(frozen=True)
class LibraryInfo:
    key: int
    title: str


@dataclass(frozen=True)
class ShowInfo:
    rating_key: str
    title: str
    year: int | None
    library: str
    guids: dict[str, str]
    art: str
    updated_at: datetime | None
    # What templates' filters ask about (cards/filters.py); listings carry them all.
    genres: tuple[str, ...] = ()
    content_rating: str = ""
    labels: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()
    season_count: int | None = None
    # The show's poster and its transparent logo (Plex's clearLogo), as paths; "" when none.
    thumb: str = ""
    logo: str = ""


@dataclass(frozen=True)
class SeasonInfo:
    rating_key: str
    show_rating_key: str
    index: int | None
    title: str
    library: str


@dataclass(frozen=True)
class EpisodeInfo:
    rating_key: str
    show_rating_key: str
    show_title: str
    season_rating_key: str
    season_number: int | None
    episode_number: int | None
    title: str
    air_date: date | None
    guids: dict[str, str]
    # Plex's view count for the token's user; listings omit it when it is 0.
    watched: bool
    # The episode's OWN thumbnail path, or "" when it has none. Never the season poster that
    # plexapi's thumbUrl falls back to.
    thumb: str
    updated_at: datetime | None
    library: str
    # None when the answer did not include labels (listings); a tuple when it did (full item).
    labels: tuple[str, ...] | None = None
    # Plex's absolute number (shows in absolute order); None when it gives none.
    absolute_number: int | None = None
    # Whether the thumb field is locked (a choice in Plex's UI or an upload locks it); None
    # when the answer did not say (listings).
    thumb_locked: bool | None = None


@dataclass(frozen=True)
class PosterInfo:
    rating_key: str
    key: str
    selected: bool
    provider: str = ""

    @property
    def upload_hash(self) -> str:
        """The SHA-1 of the bytes, for a poster someone uploaded; "" for any other."""
        if self.rating_key.startswith(UPLOAD_PREFIX):
            return self.rating_key[len(UPLOAD_PREFIX) :]
        return ""


_STATUS = re.compile(r"^\((\d{3})\)")

# At most this many idle keep-alive connections to a Plex server per process: every client of
# a process shares one requests.Session per server. A client is made per task, and a session of
# its own would leave its idle connections open until the garbage collector found it (plexapi's
# server object refers to itself, so only the collector frees it). A request beyond the pool's
# size still gets its connection, closed after use. The token goes in each request's headers,
# never in the session.
POOL_SIZE = 4
_sessions: dict[tuple[str, bool], requests.Session] = {}
_sessions_lock = threading.Lock()


def _session(url: str, verify_tls: bool) -> requests.Session:
    with _sessions_lock:
        session = _sessions.get((url, verify_tls))
        if session is None:
            session = requests.Session()
            session.verify = verify_tls
            # The environment's proxy and CA bundle settings, read once for this server rather
            # than by requests on every request (it scans the environment and looks for a
            # .netrc each time: about a millisecond a request). Plex takes the token, never
            # .netrc credentials.
            session.trust_env = False
            session.proxies.update(requests.utils.get_environ_proxies(url))
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            if verify_tls and bundle:
                session.verify = bundle
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=POOL_SIZE)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            _sessions[(url, verify_tls)] = session
        return session


# One connected plexapi server object per server, token and timeout in a process: connecting
# asks Plex `/` (and the first edit `/library` and `/library/sections`), which a worker would
# otherwise repeat for every task. Only what does not change while Plex runs is kept on it (its
# identity, the library sections); every item is read afresh by each client.
_servers: dict[tuple[str, str, bool, float], PlexServer] = {}


def _forget_sessions() -> None:
    # A forked child (a Celery pool process) must not share its parent's sockets.
    global _sessions, _sessions_lock, _servers
    _sessions, _sessions_lock, _servers = {}, threading.Lock(), {}


os.register_at_fork(after_in_child=_forget_sessions)


class PlexClient:
    """One Plex server, reached with one token. Cheap to create; connects on first use."""

    def __init__(
        self, url: str, token: str, *, verify_tls: bool = True, timeout: float = 30
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self._verify_tls = verify_tls
        self._session = _session(self.url, verify_tls)
        self._server: PlexServer | None = None
        # Full plexapi objects fetched by this client, so that edits (labels, uploads) need not
        # fetch the item again.
        self._objects: dict[str, Any] = {}
        self._stale: set[str] = set()

    # --- the choke point

    def _call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one plexapi/requests call and classify whatever goes wrong."""
        try:
            return fn(*args, **kwargs)
        except PlexError:
            raise
        # Unauthorized subclasses BadRequest: it must come first.
        except plex_exceptions.Unauthorized:
            raise self._error(PlexAuthError, what, "rejected the token (HTTP 401)") from None
        except plex_exceptions.NotFound:
            raise self._error(PlexNotFound, what, "has no such item (HTTP 404)") from None
        except plex_exceptions.BadRequest as exc:
            match = _STATUS.match(str(exc))
            status = int(match.group(1)) if match else 0
            if status == 403:
                raise self._error(PlexAuthError, what, "refused access (HTTP 403)") from None
            if status >= 500:
                raise self._error(
                    PlexUnavailable, what, f"answered with an error (HTTP {status})"
                ) from None
            if status == 0:  # plexapi refused it itself, before or without asking Plex
                raise self._error(PlexError, what, f"could not be asked ({exc})") from None
            raise self._error(PlexError, what, f"refused the request (HTTP {status})") from None
        except plex_exceptions.PlexApiException as exc:  # UnknownType, Unsupported
            raise self._error(PlexError, what, f"gave an answer tcm cannot use ({exc})") from None
        except requests.exceptions.SSLError:
            raise self._error(
                PlexUnavailable,
                what,
                "failed the TLS handshake (certificate not trusted or not HTTPS?)",
            ) from None
        # ConnectTimeout is both a Timeout and a ConnectionError: say "timed out" for it.
        except requests.exceptions.Timeout:
            raise self._error(
                PlexUnavailable, what, f"did not answer within {self.timeout:g} s (timeout)"
            ) from None
        except requests.exceptions.ConnectionError as exc:
            raise self._error(PlexUnavailable, what, _connection_reason(exc)) from None
        except requests.exceptions.RequestException as exc:
            raise self._error(PlexUnavailable, what, f"failed ({type(exc).__name__})") from None
        except ParseError:
            raise self._error(
                PlexUnavailable, what, "answered with something that is not Plex XML"
            ) from None

    def _error(self, cls: type[PlexError], what: str, reason: str) -> PlexError:
        message = f"Plex at {self.url} {reason} while {what}."
        # Belt and braces: nothing above puts the token in, and nothing may. (Real tokens are
        # 20 characters; masking a one-letter test token would garble the message.)
        if len(self._token) >= 6:
            message = message.replace(self._token, "***")
        return cls(redact(message))

    @property
    def server(self) -> PlexServer:
        if self._server is None:
            key = (self.url, self._token, self._verify_tls, self.timeout)
            server = _servers.get(key)
            if server is None:
                server = self._call(
                    "connecting",
                    PlexServer,
                    self.url,
                    self._token,
                    session=self._session,
                    timeout=self.timeout,
                )
                with _sessions_lock:
                    _servers[key] = server
            self._server = server
        return self._server

    # --- reading

    def server_info(self) -> ServerInfo:
        server = self.server
        return ServerInfo(
            name=server.friendlyName or "",
            version=server.version or "",
            machine_id=server.machineIdentifier or "",
            tv_libraries=[lib.title for lib in self.tv_libraries()],
        )

    def tv_libraries(self) -> list[LibraryInfo]:
        """The TV libraries as Plex lists them now (a library added since is in)."""
        return [LibraryInfo(s.key, s.title) for s in self._sections(fresh=True) if s.type == "show"]

    def _sections(self, *, fresh: bool = False) -> list:
        # The server object keeps the sections it read first; `fresh` reads them again (and
        # keeps them for the process's later edits).
        def read() -> list:
            server = self.server
            if fresh:
                server.__dict__.pop("library", None)  # plexapi's cached property
            return server.library.sections()

        return self._call("listing libraries", read)

    def section_key(self, library: str) -> int:
        """The key of the library section with this title (for edits), read once per process."""
        for fresh in (False, True):
            for section in self._sections(fresh=fresh):
                if section.title == library:
                    return int(section.key)
        raise self._error(PlexNotFound, f"looking up library {library!r}", "has no such library")

    def count(self, library: LibraryInfo, libtype: str) -> int:
        section = self._section(library)
        return self._call(
            f"counting {libtype}s in {library.title!r}", section.totalViewSize, libtype, False
        )

    def shows_page(self, library: LibraryInfo, start: int, size: int) -> list[ShowInfo]:
        """One page of a library's shows, in one request."""
        items = self._page(library, "show", start, size)
        return [_show_info(_quiet(i), library.title) for i in items]

    def episodes_page(self, library: LibraryInfo, start: int, size: int) -> list[EpisodeInfo]:
        """One page of a library's episodes, in one request."""
        items = self._page(library, "episode", start, size)
        return [_episode_info(_quiet(i), library.title) for i in items]

    def _page(self, library: LibraryInfo, libtype: str, start: int, size: int) -> list:
        section = self._section(library)
        # maxresults = container_size: plexapi makes exactly one request for the page.
        return self._call(
            f"listing {libtype}s {start}-{start + size} of {library.title!r}",
            section.search,
            libtype=libtype,
            container_start=start,
            container_size=size,
            maxresults=size,
        )

    def _section(self, library: LibraryInfo) -> Any:
        for section in self._sections():
            if section.key == library.key:
                return section
        for section in self._sections(fresh=True):
            if section.key == library.key:
                return section
        raise self._error(PlexNotFound, f"opening library {library.title!r}", "has no such library")

    def item(
        self, rating_key: str | int, *, fresh: bool = True
    ) -> ShowInfo | SeasonInfo | EpisodeInfo:
        """A show, season or episode by rating key, with everything Plex has on it.

        `fresh=False` accepts what this client fetched earlier (one task's work), unless it
        edited the item since.
        """
        key = str(rating_key)
        cached = None if fresh or key in self._stale else self._objects.get(key)
        obj = cached or self._fetch(key)
        if obj.type == "episode":
            return _episode_info(obj, obj.librarySectionTitle or "", full=True)
        if obj.type == "season":
            return _season_info(obj)
        if obj.type == "show":
            return _show_info(obj, obj.librarySectionTitle or "")
        error = self._error(
            PlexNotFound, f"fetching item {rating_key}", f"says it is a {obj.type}, not a TV item"
        )
        raise PlexNotTV(
            str(error),
            f"Ignored: Plex says {key} is a {obj.type}, not a TV show, season or episode; tcm "
            "makes cards for TV episodes only.",
        )

    def episode(self, rating_key: str | int, *, fresh: bool = True) -> EpisodeInfo:
        info = self.item(rating_key, fresh=fresh)
        if not isinstance(info, EpisodeInfo):
            raise self._error(PlexNotFound, f"fetching episode {rating_key}", "has no episode")
        return info

    def episodes_of(self, info: ShowInfo | SeasonInfo) -> list[EpisodeInfo]:
        """Every episode of a show (allLeaves) or of a season (children)."""
        path = "allLeaves" if isinstance(info, ShowInfo) else "children"
        key = f"/library/metadata/{info.rating_key}/{path}"
        # includeGuids: without it Plex leaves the <Guid> elements out of listings, and storing
        # the episodes would wipe the tvdb/tmdb/imdb ids a sync recorded.
        items = self._call(
            f"listing the episodes of {info.rating_key}",
            lambda: self.server.fetchItems(key, container_size=500, params={"includeGuids": 1}),
        )
        return [
            _episode_info(_quiet(i), info.library or i.librarySectionTitle or "")
            for i in items
            if i.type == "episode"
        ]

    def episodes(self, rating_keys: Iterable[str | int]) -> list[EpisodeInfo]:
        """Many episodes with everything Plex has on them (labels too), in one request per
        hundred (`/library/metadata/a,b,c`). Keys Plex does not have are left out."""
        keys = [str(k) for k in rating_keys if str(k).isdigit()]
        out: list[EpisodeInfo] = []
        for start in range(0, len(keys), 100):
            chunk = keys[start : start + 100]
            items = self._call(
                f"fetching {len(chunk)} items",
                self.server.fetchItems,
                f"/library/metadata/{','.join(chunk)}",
            )
            for obj in items:
                if obj.type == "episode":
                    self._objects[str(obj.ratingKey)] = _quiet(obj)
                    self._stale.discard(str(obj.ratingKey))
                    out.append(_episode_info(obj, obj.librarySectionTitle or "", full=True))
        return out

    def _fetch(self, rating_key: str | int) -> Any:
        key = str(rating_key)
        if not key.isdigit():
            raise PlexNotFound(f"{key!r} is not a Plex rating key.")
        obj = self._call(f"fetching item {key}", self.server.fetchItem, int(key))
        self._objects[key] = _quiet(obj)
        self._stale.discard(key)
        return obj

    def cached_episode(self, rating_key: str | int) -> EpisodeInfo | None:
        """The episode as this client last read it whole, unless it edited it since; None when
        it has not read it (no request either way)."""
        key = str(rating_key)
        obj = None if key in self._stale else self._objects.get(key)
        if obj is None or obj.type != "episode":
            return None
        return _episode_info(obj, obj.librarySectionTitle or "", full=True)

    def posters(self, rating_key: str | int) -> list[PosterInfo]:
        """The item's posters, in one request (the item itself need not be fetched first)."""
        key = str(rating_key)
        if not key.isdigit():
            raise PlexNotFound(f"{key!r} is not a Plex rating key.")
        posters = self._call(
            f"listing the posters of {key}",
            lambda: self.server.fetchItems(f"/library/metadata/{key}/posters", cls=Poster),
        )
        return [
            PosterInfo(
                rating_key=p.ratingKey or "",
                key=p.key or "",
                selected=bool(p.selected),
                provider=p.provider or "",
            )
            for p in posters
        ]

    def download(self, path: str) -> bytes:
        """An image from Plex by its path (`/library/metadata/K/thumb/123`, a poster's key)."""
        if not path.startswith("/"):
            # Agent posters can point at the internet; tcm only reads from the Plex server.
            raise PlexNotFound(f"Plex offers this image only from elsewhere ({path[:60]}).")
        what = f"downloading {path.split('?')[0]}"
        return self._call(what, self._get_bytes, path, what)

    def _get_bytes(self, path: str, what: str) -> bytes:
        headers = {"X-Plex-Token": self._token, "Accept": "image/*"}
        with self._session.get(
            self.url + path, headers=headers, timeout=self.timeout, stream=True
        ) as response:
            if response.status_code in (401, 403):
                raise self._error(PlexAuthError, what, f"refused (HTTP {response.status_code})")
            if response.status_code == 404:
                raise self._error(PlexNotFound, what, "has no such image (HTTP 404)")
            if response.status_code >= 500:
                raise self._error(
                    PlexUnavailable, what, f"answered with an error (HTTP {response.status_code})"
                )
            if response.status_code != 200:
                raise self._error(PlexError, what, f"refused (HTTP {response.status_code})")
            data = bytearray()
            for chunk in response.iter_content(64 * 1024):
                data += chunk
                if len(data) > MAX_IMAGE_BYTES:
                    raise self._error(PlexError, what, "sent more than 50 MB: not an image")
            return bytes(data)

    # --- writing

    def upload_poster(self, rating_key: str | int, data: bytes) -> None:
        """Upload an image as the item's poster; Plex selects it (and locks the thumb). One
        request: the item need not be fetched first."""
        key = str(rating_key)
        if not key.isdigit():
            raise PlexNotFound(f"{key!r} is not a Plex rating key.")
        self._call(
            f"uploading a poster to {key}",
            lambda: self.server.query(
                f"/library/metadata/{key}/posters", method=self._session.post, data=data
            ),
        )
        # Its thumb changed: a kept object still serves for labelling, not for reading.
        self._stale.add(key)

    def add_label(self, rating_key: str | int, label: str) -> None:
        """Add a label, keeping the item's other labels (plexapi sends the whole list)."""
        obj = self._object(rating_key)
        if label in {t.tag for t in obj.labels}:
            return
        self._call(f"labelling {rating_key}", obj.addLabel, label)
        # The object's labels are stale now; the next edit must start from Plex's list.
        self._objects.pop(str(rating_key), None)

    def set_labels(self, library: str, rating_keys: list[str], labels: Iterable[str]) -> None:
        """Give these episodes of one library exactly these labels, in one request per hundred
        (Plex's multi-edit sends an item's whole list: only episodes whose labels are known to
        be the same may share a request)."""
        section = self.section_key(library)
        tags = {f"label[{i}].tag.tag": tag for i, tag in enumerate(labels)}
        for start in range(0, len(rating_keys), 100):
            chunk = rating_keys[start : start + 100]
            args = {"type": 4, "id": ",".join(chunk), "label.locked": 1, **tags}
            path = f"/library/sections/{section}/all{plex_utils.joinArgs(args)}"
            self._call(
                f"labelling {len(chunk)} items",
                lambda path=path: self.server.query(path, method=self._session.put),
            )
            for key in chunk:
                self._objects.pop(key, None)

    def remove_label(self, rating_key: str | int, label: str) -> None:
        """Remove a label (nothing is sent when the item does not carry it)."""
        obj = self._object(rating_key)
        if label not in {t.tag for t in obj.labels}:
            return
        self._call(f"unlabelling {rating_key}", obj.removeLabel, label)
        self._objects.pop(str(rating_key), None)

    def _object(self, rating_key: str | int) -> Any:
        key = str(rating_key)
        return self._objects.get(key) or self._fetch(key)


def _connection_reason(exc: Exception) -> str:
    text = str(exc)
    if "Connection refused" in text or "ECONNREFUSED" in text:
        return "refused the connection (is Plex running, is the port right?)"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "is not a known host name"
    if "No route to host" in text or "Network is unreachable" in text:
        return "is unreachable"
    if "RemoteDisconnected" in text or "Connection aborted" in text or "reset" in text:
        return "dropped the connection"
    return "could not be reached"


def _quiet(obj: Any) -> Any:
    """Switch off plexapi's auto-reload on an object.

    A plexapi object built from a listing reloads itself from Plex whenever an attribute is
    empty (an episode without a thumb, a show without a year): one hidden request per item.
    Everything tcm reads is in the answers it asks for, so the reload would only cost requests.
    """
    obj._autoReload = False
    return obj


def _guids(obj: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for guid in obj.guids:
        scheme, _, value = (guid.id or "").partition("://")
        if scheme in ("tvdb", "tmdb", "imdb") and value:
            out[scheme] = value
    return out


def _aware(value: datetime | None) -> datetime | None:
    # plexapi builds naive local datetimes from Plex's Unix timestamps.
    return value.astimezone(UTC) if value else None


def _key(value: object) -> str:
    return "" if value is None else str(value)


def _show_info(obj: Any, library: str) -> ShowInfo:
    return ShowInfo(
        rating_key=_key(obj.ratingKey),
        title=obj.title or "",
        year=obj.year,
        library=library,
        guids=_guids(obj),
        art=obj.art or "",
        updated_at=_aware(obj.updatedAt),
        genres=tuple(t.tag for t in obj.genres),
        content_rating=obj.contentRating or "",
        labels=tuple(t.tag for t in obj.labels),
        collections=tuple(t.tag for t in obj.collections),
        season_count=obj.childCount,
        thumb=obj.thumb or "",
        # From the <Image type="clearLogo"> element (plexapi's logo property reads it).
        logo=obj.logo or "",
    )


def _season_info(obj: Any) -> SeasonInfo:
    return SeasonInfo(
        rating_key=_key(obj.ratingKey),
        show_rating_key=_key(obj.parentRatingKey),
        index=obj.index,
        title=obj.title or "",
        library=obj.librarySectionTitle or "",
    )


def _episode_info(obj: Any, library: str, *, full: bool = False) -> EpisodeInfo:
    air = obj.originallyAvailableAt
    return EpisodeInfo(
        rating_key=_key(obj.ratingKey),
        show_rating_key=_key(obj.grandparentRatingKey),
        show_title=obj.grandparentTitle or "",
        # Read from the answer itself: plexapi's parentRatingKey property may ask Plex for it.
        season_rating_key=obj._data.attrib.get("parentRatingKey", ""),
        season_number=obj.parentIndex,
        episode_number=obj.index,
        title=obj.title or "",
        air_date=air.date() if air else None,
        guids=_guids(obj),
        watched=bool(obj.viewCount),
        # The plain attribute, never thumbUrl (which falls back to the season poster).
        thumb=obj.thumb or "",
        updated_at=_aware(obj.updatedAt),
        library=library,
        labels=tuple(t.tag for t in obj.labels) if full else None,
        absolute_number=_int(obj._data.attrib.get("absoluteIndex")),
        thumb_locked=any(f.name == "thumb" and f.locked for f in obj.fields) if full else None,
    )


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def describe(exc: Exception) -> str:
    """A message for an admin page or a stored error, with no secret in it."""
    return redact(str(exc)) if isinstance(exc, PlexError) else redact(type(exc).__name__)


def uploads(posters: Iterable[PosterInfo]) -> set[str]:
    """The SHA-1s of every uploaded poster in the list."""
    return {p.upload_hash for p in posters if p.upload_hash}
