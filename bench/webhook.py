"""Benchmark: webhook intake through the web server (Granian, two workers) on loopback.

    .venv/bin/python bench/webhook.py [--db sqlite|postgres] [--requests 3000] [--clients 4]
        [--workers 2] [--threads 4] [--keep-alive] [--duplicates] [--floor] [--log-level INFO]
        [--no-access-log] [--server granian|gunicorn]

Starts the web server with tcm's own settings (tcm_site/webserver.py: access log on, INFO logs, to
a file) against a throw-away data dir and a fresh schema: SQLite in that dir, or a throw-away
database on the local PostgreSQL (`--postgres-url` names the server). The view only stores the
event; the relay that queues it runs in the workers (cards/relay.py), and no worker runs here, so
this is the web tier alone (bench/e2e.py runs the whole path, relay and Redis included).
A connection with a known secret gets --requests posts of `{"rating_key": "<n>", "event":
"created"}` (distinct keys, so each is stored as new work; --duplicates posts one key, so all but
the first are stored as duplicates) from --clients concurrent clients, after a warm-up. Each
post opens a new connection, as Tautulli's `requests.post` does; --keep-alive keeps one
connection per client instead (the server then serves each client from whichever worker accepted
it, so with few clients one worker may get most of the work). Prints requests/s, the latency
percentiles as the clients saw them, and the CPU the server used per post (which, unlike
requests/s, hardly depends on what else runs on the machine). --floor sends GETs instead (405,
no work): what the server + Django cost by themselves.

--server gunicorn serves the same app with gunicorn's gthread worker instead
(bench/gunicorn_conf.py: tcm's settings before it moved to Granian), the server issue #6's target
names; it needs `.venv/bin/pip install gunicorn==27.0.1` first.

Target on the 2-core machine: >= 300 requests/s, p99 <= 50 ms. The clients run on the same two
cores as the server, so the figures are a lower bound.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import Stack, machine_cpu, percentile, post_event, tree_cpu

SECRET = "bench-secret-" + "x" * 30

SETUP = f"""
from connections.models import PlexConnection, TautulliConnection
plex = PlexConnection.objects.create(name="bench", url="http://127.0.0.1:9", token="t")
TautulliConnection.objects.create(name="bench", url="http://127.0.0.1:9", api_key="k",
    plex=plex, webhook_secret={SECRET!r})
"""

COUNT = """
from django.db.models import Count
from cards.models import WebhookEvent
print(dict(WebhookEvent.objects.values_list("status").annotate(n=Count("id"))))
"""


def post_many(
    port: int, keys: list[str], clients: int, method: str = "POST", keep_alive: bool = False
) -> tuple[list[float], dict[int, int]]:
    """Post every key once, spread over `clients` threads: a new connection per post, or one
    keep-alive connection per thread. With method GET the view answers 405 at once: the floor
    of the server + Django."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    chunks = [keys[i::clients] for i in range(clients)]

    def client(chunk: list[str]) -> None:
        conn = None
        mine: list[float] = []
        codes: dict[int, int] = {}
        for key in chunk:
            started = time.perf_counter()
            conn, status = post_event(conn, port, SECRET, key, method)
            if not keep_alive and conn:
                conn.close()  # as requests.post does once it has read the answer
                conn = None
            mine.append(time.perf_counter() - started)
            codes[status] = codes.get(status, 0) + 1
        if conn:
            conn.close()
        with lock:
            latencies.extend(mine)
            for k, v in codes.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--keep-alive", action="store_true", help="one connection per client, not one per post"
    )
    parser.add_argument("--duplicates", action="store_true")
    parser.add_argument("--log-level", default="INFO", help="tcm's log level (default INFO)")
    parser.add_argument("--no-access-log", action="store_true")
    parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian")
    parser.add_argument(
        "--floor", action="store_true", help="GET instead of POST: 405 with no work done"
    )
    args = parser.parse_args()

    stack = Stack(
        db=args.db,
        postgres_url=args.postgres_url,
        redis_url=args.redis_url,
        log_level=args.log_level,
        access_log=not args.no_access_log,
    )
    with stack:
        stack.setup(SETUP)
        stack.start_web(
            args.workers, args.threads, probe=f"/webhooks/tautulli/{SECRET}/", server=args.server
        )
        port, pid = stack.port, stack.pid("web")

        def keys(n: int, start: int) -> list[str]:
            return ["424242"] * n if args.duplicates else [str(start + i) for i in range(n)]

        method = "GET" if args.floor else "POST"
        post_many(port, keys(args.warmup, 1_000_000), args.clients, method, args.keep_alive)
        cpu_before, client_before = tree_cpu(pid), time.process_time()
        machine_before = machine_cpu()
        started = time.perf_counter()
        latencies, statuses = post_many(
            port, keys(args.requests, 1), args.clients, method, args.keep_alive
        )
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
        machine = machine_cpu() - machine_before
        user, system = (b - a for a, b in zip(cpu_before, tree_cpu(pid), strict=True))
        cpu = user + system
        stack.stop()
        events = stack.query(COUNT)

    ms = sorted(x * 1000 for x in latencies)
    print(
        f"{args.server} {args.workers} workers x {args.threads} threads, {args.db}, "
        f"{args.clients} clients, {len(ms)} posts{' (one key)' if args.duplicates else ''}, "
        f"{'keep-alive' if args.keep_alive else 'a new connection per post'}"
    )
    print(f"answers: {dict(sorted(statuses.items()))}   events stored: {events}")
    print(f"throughput: {len(ms) / elapsed:.0f} requests/s over {elapsed:.2f} s")
    # CPU the server used per post: comparable between runs even when others share the machine.
    per_post = 1000 / len(ms)
    rest = max(0.0, machine - cpu - client_cpu)
    print(
        f"CPU per post: server {cpu * per_post:.2f} ms ({system / cpu:.0%} in the kernel), "
        f"clients {client_cpu * per_post:.2f} ms, the rest of the machine (database, Redis, "
        f"the kernel's loopback) {rest * per_post:.2f} ms"
    )
    print(
        f"machine busy: {machine / elapsed:.2f} of {os.cpu_count()} cores; load average at the "
        f"end {os.getloadavg()[0]:.2f}"
    )
    print(
        f"latency ms: p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  "
        f"p99 {percentile(ms, 99):.1f}  max {ms[-1]:.1f}  mean {statistics.fmean(ms):.1f}"
    )


if __name__ == "__main__":
    main()
