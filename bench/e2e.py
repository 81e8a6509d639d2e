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
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--rate", type=float, default=4, help="posts/s; 0 = all at once")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--style", default="unique")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

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
