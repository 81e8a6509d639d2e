"""Benchmark: end to end, webhook post -> card on Plex, every part a real process.

    .venv/bin/python bench/e2e.py [--posts 50] [--rate 4] [--db sqlite|postgres]
        [--web-workers 2] [--concurrency 2] [--style unique]

The web server (Granian, tcm's settings) and a Celery worker (prefork) run as separate processes
against the real Redis (private key prefix) and a throw-away data dir; the fake Plex server from
tests/fakes/plex.py runs in this process and notes when each upload arrives. One show with
--posts episodes (960x540 stills); each post is `{"rating_key": "<episode>", "event":
"created"}` for a different episode, sent at --rate posts per second (0: all at once, by 8
clients). The latency of a post is the time from sending it to its card arriving on Plex.

Prints: the answers, the HTTP latency of the posts, the post-to-Plex latency percentiles, cards
uploaded per episode (each must be exactly 1), and peak RSS of the web and worker process trees.
Issue targets: over 50 posts, p50 <= 1 s and p95 <= 2 s. With --posts 1000 --rate 100 it is the
load run of the hardening issue (1,000 posts in 10 s).

A burst, as a real Tautulli sends after a library scan (whole-show keys):

    .venv/bin/python bench/e2e.py --shows 50 --per-show 20 [--db sqlite|postgres]

--shows show keys (each a show of --per-show episodes, 1920x1080 stills) posted within a
second by 8 clients, then, while the workers are busy with them, one more post every 50 ms to
time the webhook's answers under that load. The fake Plex runs in a process of its own
(bench/plexproc.py). Prints the time until every card is on Plex, cards/min, the HTTP answer
percentiles of the burst and of the posts while busy (target: p99 < 50 ms), and uploads per
episode. --worker-nice sets the pool processes' niceness (TCM_WORKER_NICE; 0 = as the web server)
for an A/B of it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import Stack, percentile, post_event, tree_rss  # noqa: E402

from tests.fakes.plex import FakePlex  # noqa: E402

SECRET = "bench-secret-" + "y" * 30


def setup_code(plex: FakePlex, style: str) -> str:
    return f"""
from connections.models import PlexConnection, TautulliConnection
plex = PlexConnection.objects.create(name="bench", url={plex.url!r}, token={plex.token!r},
    watched_style={style!r}, unwatched_style={style!r})
TautulliConnection.objects.create(name="bench", url="http://127.0.0.1:9", api_key="k",
    plex=plex, webhook_secret={SECRET!r})
"""


class Poster:
    """Posts webhook bodies on keep-alive connections, one per client thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()
        self.lock = threading.Lock()
        self.sent: dict[int, float] = {}
        self.answers: dict[int, int] = {}
        self.http_ms: list[float] = []

    def post(self, key: int) -> None:
        started = time.time()
        conn = getattr(self.local, "conn", None)
        self.local.conn, status = post_event(conn, self.port, SECRET, str(key))
        with self.lock:
            self.sent[key] = started
            self.http_ms.append((time.time() - started) * 1000)
            self.answers[status] = self.answers.get(status, 0) + 1


def send(poster: Poster, keys: list[int], rate: float) -> None:
    if rate <= 0:  # a burst: 8 clients, as fast as they can
        chunks = [keys[i::8] for i in range(8)]

        def post_all(chunk: list[int]) -> None:
            for key in chunk:
                poster.post(key)

        threads = [threading.Thread(target=post_all, args=(c,)) for c in chunks]
    else:  # a steady stream: each post on time, in its own thread so a slow answer delays none
        threads = []
        start = time.monotonic()
        for i, key in enumerate(keys):
            time.sleep(max(0.0, start + i / rate - time.monotonic()))
            thread = threading.Thread(target=poster.post, args=(key,))
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
        return
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def nice_env(args: argparse.Namespace) -> dict[str, str]:
    return {} if args.worker_nice is None else {"TCM_WORKER_NICE": str(args.worker_nice)}


def pool_niceness(pid: int) -> list[int]:
    """The niceness of the worker's pool processes (once they are all up)."""
    import psutil

    deadline = time.monotonic() + 20
    while True:
        pool = [p.nice() for p in psutil.Process(pid).children()]
        if pool and (len(set(pool)) == 1 or time.monotonic() > deadline):
            return pool
        time.sleep(0.1)


def burst(args: argparse.Namespace) -> None:
    from plexproc import FakePlexProcess

    total = args.shows * args.per_show
    with (
        FakePlexProcess(args.shows + 1, args.per_show, four_k_every=0) as plex,
        Stack(db=args.db, log_level="WARNING", extra_env=nice_env(args)) as stack,
    ):
        shows = plex.call("shows")
        warm, shows = shows[0], shows[1:]
        stack.setup(setup_code(plex, args.style))  # type: ignore[arg-type]
        stack.start_web(args.web_workers)
        stack.start_worker(args.concurrency)
        load0 = os.getloadavg()[0]
        nice = pool_niceness(stack.pid("worker"))

        def cards_on_plex(keys: set[int]) -> int:
            return sum(1 for k in plex.call("upload_times") if k in keys)

        # Warm-up: one show, so that every worker process has loaded fonts and modules.
        send(Poster(stack.port), [warm], rate=0)
        warm_keys = set(plex.call("episodes", warm))
        deadline = time.monotonic() + 120
        while cards_on_plex(warm_keys) < len(warm_keys):
            if time.monotonic() > deadline:
                sys.exit(f"warm-up cards never arrived; see {stack.data_dir}/worker.log")
            time.sleep(0.2)

        keys = {e for show in shows for e in plex.call("episodes", show)}
        poster = Poster(stack.port)
        started = time.monotonic()
        send(poster, shows, rate=0)
        sent_in = time.monotonic() - started
        # While the workers are busy: a post every 50 ms (the warm-up show again: its cards are
        # done, so these add next to no work), timed one by one.
        busy = Poster(stack.port)
        deadline = time.monotonic() + args.timeout
        done_at = None
        while time.monotonic() < deadline:
            if cards_on_plex(keys) >= total:
                done_at = time.monotonic() - started
                break
            busy.post(warm)
            time.sleep(0.05)
        time.sleep(2)  # anything uploaded twice would show up now
        times = plex.call("upload_times")
        load1 = os.getloadavg()[0]

    uploads = [len(times.get(k, [])) for k in keys]
    burst_ms, busy_ms = sorted(poster.http_ms), sorted(busy.http_ms)
    print(
        f"{len(shows)} show keys x {args.per_show} episodes = {total} cards, posted in "
        f"{sent_in * 1000:.0f} ms by 8 clients; {args.db}, Granian {args.web_workers} workers, "
        f"celery concurrency {args.concurrency} (pool niceness {nice}), style {args.style}; "
        f"load average {load0:.1f} -> {load1:.1f}"
    )
    print(f"answers: burst {dict(sorted(poster.answers.items()))}, while busy {busy.answers}")
    print(
        f"HTTP answer ms, the burst: p50 {percentile(burst_ms, 50):.1f}  "
        f"p99 {percentile(burst_ms, 99):.1f}  max {burst_ms[-1]:.1f}"
    )
    if busy_ms:
        print(
            f"HTTP answer ms, {len(busy_ms)} posts while the workers were busy: p50 "
            f"{percentile(busy_ms, 50):.1f}  p99 {percentile(busy_ms, 99):.1f}  "
            f"max {busy_ms[-1]:.1f}"
        )
    if done_at is None:
        print(f"NOT every card arrived within {args.timeout:.0f} s: {sum(map(bool, uploads))}")
    else:
        print(
            f"every card on Plex {done_at:.1f} s after the first post "
            f"({total / done_at * 60:,.0f} cards/min)"
        )
    print(
        f"uploads per episode: {min(uploads)}..{max(uploads)} "
        f"({'each exactly once' if set(uploads) == {1} else 'NOT each exactly once'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--rate", type=float, default=4, help="posts/s; 0 = all at once")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--style", default="unique")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--shows", type=int, default=0, help="a burst of show keys instead")
    parser.add_argument("--per-show", type=int, default=20)
    parser.add_argument(
        "--worker-nice", type=int, help="the pool's niceness (TCM_WORKER_NICE); default: tcm's"
    )
    args = parser.parse_args()
    if args.shows:
        burst(args)
        return

    with FakePlex() as plex, Stack(db=args.db, log_level="WARNING") as stack:
        show = plex.add_series("Bench — Señor Ñandú", seasons=1, episodes=args.posts + 2)
        keys = plex.episodes(show)
        warm, keys = keys[:2], keys[2:]
        stack.setup(setup_code(plex, args.style))
        stack.start_web(args.web_workers)
        stack.start_worker(args.concurrency)

        peak = {"web": 0, "worker": 0}
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                for name in peak:
                    peak[name] = max(peak[name], tree_rss(stack.pid(name)))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        # Warm-up: the first card of each worker process loads fonts and modules.
        warm_poster = Poster(stack.port)
        send(warm_poster, warm, rate=0)
        deadline = time.monotonic() + 60
        while not all(plex.upload_times.get(k) for k in warm):
            if time.monotonic() > deadline:
                sys.exit(f"warm-up cards never arrived; see {stack.data_dir}/worker.log")
            time.sleep(0.05)

        poster = Poster(stack.port)
        started = time.monotonic()
        send(poster, keys, args.rate)
        sent_in = time.monotonic() - started
        deadline = time.monotonic() + args.timeout
        while not all(plex.upload_times.get(k) for k in keys) and time.monotonic() < deadline:
            time.sleep(0.05)
        drained_in = time.monotonic() - started
        time.sleep(2)  # anything uploaded twice would show up now
        sampling.set()
        sampler.join()

    arrived = [k for k in keys if plex.upload_times.get(k)]
    latencies = sorted(plex.upload_times[k][0] - poster.sent[k] for k in arrived)
    uploads = [len(plex.upload_times.get(k, [])) for k in keys]
    http_ms = sorted(poster.http_ms)
    rate = "all at once" if args.rate <= 0 else f"{args.rate:g}/s"
    print(
        f"{len(keys)} posts ({rate}, sent in {sent_in:.1f} s), {args.db}, Granian "
        f"{args.web_workers} workers, celery concurrency {args.concurrency}, style {args.style}"
    )
    print(f"answers: {dict(sorted(poster.answers.items()))}")
    print(
        f"HTTP answer ms: p50 {percentile(http_ms, 50):.1f}  p99 {percentile(http_ms, 99):.1f}  "
        f"max {http_ms[-1]:.1f}"
    )
    print(f"cards on Plex: {len(arrived)} of {len(keys)}, all within {drained_in:.1f} s")
    if latencies:
        print(
            f"post -> card on Plex s: p50 {percentile(latencies, 50):.2f}  "
            f"p95 {percentile(latencies, 95):.2f}  max {latencies[-1]:.2f}  "
            f"mean {statistics.fmean(latencies):.2f}"
        )
    print(
        f"uploads per episode: {min(uploads)}..{max(uploads)} "
        f"({'each exactly once' if set(uploads) == {1} else 'NOT each exactly once'})"
    )
    print(
        f"peak RSS: web {peak['web'] / 2**20:.0f} MB, worker {peak['worker'] / 2**20:.0f} MB "
        "(process trees)"
    )


if __name__ == "__main__":
    main()
