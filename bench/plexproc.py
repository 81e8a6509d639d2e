"""The tests' fake Plex (tests/fakes/plex.py) in a process of its own, for the benchmarks that
measure a whole library: its CPU is then its own (the benchmark says how much of the machine it
took) and it does not share a GIL with the benchmark's bookkeeping.

    fake = FakePlexProcess(shows=100, episodes_per_show=50, four_k_every=5)
    fake.start()                          # builds the library, then serves; .url, .token
    fake.call("counts")                   # requests by kind since the last "reset"
    fake.stop()

Stills are real-sized JPEGs (generated landscapes, cards/render/samples.py: 1920x1080, and
3840x2160 for every `four_k_every`-th show) made once and served from memory as stored bytes, so
the fake costs what an HTTP answer costs and no image work.
"""

from __future__ import annotations

import io
import multiprocessing
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Request kinds, by method and path, in the order they are tried.
KINDS: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"^/$"), "connect (/)"),
    ("GET", re.compile(r"^/library$"), "library (/library)"),
    ("GET", re.compile(r"^/library/sections$"), "sections (/library/sections)"),
    ("GET", re.compile(r"^/library/sections/\d+/all$"), "listing (section page)"),
    ("GET", re.compile(r"^/library/metadata/\d+/(allLeaves|children)$"), "listing (show/season)"),
    ("GET", re.compile(r"^/library/metadata/\d+,[\d,]+$"), "metadata (many items)"),
    ("GET", re.compile(r"^/library/metadata/\d+$"), "metadata (one item)"),
    ("GET", re.compile(r"^/library/metadata/\d+/(thumb|file)"), "still download"),
    ("GET", re.compile(r"^/library/metadata/\d+/art"), "art download"),
    ("GET", re.compile(r"^/library/metadata/\d+/posters$"), "posters list"),
    ("POST", re.compile(r"^/library/metadata/\d+/posters$"), "upload"),
    ("PUT", re.compile(r"^/library/sections/\d+/all$"), "label"),
]


def kind_of(method: str, path: str) -> str:
    for m, pattern, name in KINDS:
        if m == method and pattern.match(path):
            return name
    return f"other ({method} {path[:40]})"


def _stills(count: int, size: tuple[int, int]) -> list[bytes]:
    from cards.render.samples import landscape

    out = []
    for seed in range(count):
        buffer = io.BytesIO()
        landscape(*size, seed=seed + 11).save(buffer, "JPEG", quality=90)
        out.append(buffer.getvalue())
    return out


def _serve(pipe: Any, shows: int, per_show: int, four_k_every: int, watched: float) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.fakes.plex import FakePlex

    hd, uhd = _stills(6, (1920, 1080)), _stills(3, (3840, 2160))
    fake = FakePlex(keep_alive=True).start()
    seasons = max(1, per_show // 10)
    n = 0
    for s in range(shows):
        pool = uhd if four_k_every and s % four_k_every == four_k_every - 1 else hd
        show = fake.add_show(f"Show {s:03d} — Señor Ñandú")
        for season_index in range(1, seasons + 1):
            season = fake.add_season(show, season_index)
            for e in range(1, per_show // seasons + 1):
                still = pool[n % len(pool)]
                fake.add_episode(
                    season,
                    e,
                    f"The Long Night of the Soul {e}",
                    still=still,
                    watched=(n * 7919) % 1000 < watched * 1000,
                )
                n += 1
    sizes = {"1080p": len(hd[0]), "4K": len(uhd[0])}
    pipe.send({"url": fake.url, "token": fake.token, "episodes": n, "still_bytes": sizes})
    while True:
        command, *args = pipe.recv()
        if command == "stop":
            fake.stop()
            pipe.send(None)
            return
        with fake._lock:
            if command == "counts":
                pipe.send(dict(Counter(kind_of(m, p) for m, p in fake.requests)))
            elif command == "reset":
                fake.requests.clear()
                pipe.send(None)
            elif command == "uploads":
                # (episodes with at least one upload, uploads in all)
                times = fake.upload_times
                pipe.send((len(times), sum(len(v) for v in times.values())))
            elif command == "upload_times":
                pipe.send({k: list(v) for k, v in fake.upload_times.items()})
            elif command == "episodes":
                show_key = args[0] if args else None
                pipe.send(fake.episodes(show_key))
            elif command == "shows":
                pipe.send([k for k, i in fake.items.items() if i.type == "show"])
            else:
                pipe.send(ValueError(command))


class FakePlexProcess:
    def __init__(
        self, shows: int, episodes_per_show: int, four_k_every: int = 5, watched: float = 0.0
    ) -> None:
        self.args = (shows, episodes_per_show, four_k_every, watched)
        self.info: dict = {}

    def start(self) -> FakePlexProcess:
        ctx = multiprocessing.get_context("spawn")
        self._pipe, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, *self.args), daemon=True)
        self.process.start()
        self.info = self._pipe.recv()
        return self

    @property
    def url(self) -> str:
        return self.info["url"]

    @property
    def token(self) -> str:
        return self.info["token"]

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def call(self, command: str, *args: object) -> Any:
        self._pipe.send((command, *args))
        answer = self._pipe.recv()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def stop(self) -> None:
        if self.process.is_alive():
            self.call("stop")
            self.process.join(10)

    def __enter__(self) -> FakePlexProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
