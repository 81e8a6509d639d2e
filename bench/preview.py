"""Benchmark: the live preview's cost per picture, and the web server's memory while previews run.

    .venv/bin/python bench/preview.py [--repeat 5] [--seconds 20] [--clients 4] [--types a,b]

A throw-away data dir and schema (SQLite) with one series of four episodes whose 1920x1080 JPEG
stills are kept (as after a first render or preview: no Plex is asked).

1. In this process: `cards.preview.preview()` of the series' form, once per card type (each
   draws 4 episodes x watched/unwatched = 8 pictures of 640x360; unwatched is `blur`), median of
   --repeat runs after a warm-up, divided by 8: ms per picture, wall and CPU. Beside it the
   floor, measured in the same run: decoding the same still at the same draft size, scaling it
   to 640x360 and encoding it (cards/render's own code path), with no text or effects.
2. Through the real web server (Granian, tcm_site/webserver.py, 2 workers x 4 threads):
   --clients logged-in clients post the series' whole form to the preview endpoint back to back
   for --seconds, changing the card type each time, as a person clicking through types would.
   Prints previews/s, latency percentiles, how many were refused as busy (429), and the web
   server's resident memory (all its processes) before and at its peak.

Targets (issue 18): <= 150 ms per 640-px picture on the 2-core machine; web memory <= 300 MB.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from stack import Stack, percentile, tree_rss

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-preview-pw-5150"

SETUP = f"""
import io
from django.core.management import call_command
call_command("collectstatic", interactive=False, verbosity=0)  # the admin's pages need it
from django.contrib.auth.models import User
from cards.models import Episode, Series
from cards.render.samples import landscape
from cards.sources import save_file, sha256
from connections.models import PlexConnection
User.objects.create_superuser("admin", "", {PASSWORD!r})
plex = PlexConnection.objects.create(name="bench", url="http://127.0.0.1:9", token="t")
series = Series.objects.create(connection=plex, rating_key="1", title="Harbour Lights")
for n in range(1, 5):
    out = io.BytesIO()
    landscape(1920, 1080, seed=n).save(out, "JPEG", quality=90)
    data = out.getvalue()
    Episode.objects.create(
        connection=plex, series=series, rating_key=str(100 + n), season_number=1,
        episode_number=n, title=f"The Long Night of the Soul, part {{n}}",
        source_file=save_file("sources/1", str(100 + n), data), source_hash=sha256(data),
    )
print(series.pk)
"""


def in_process(stack: Stack, types: list[str], repeat: int) -> None:
    os.environ.update(stack.env)
    import django

    django.setup()
    from django.core.files.storage import default_storage

    from cards import preview
    from cards.models import Episode, Series
    from cards.render.core import encode
    from cards.render.scale import upscale
    from cards.render.source import load_cover

    series = Series.objects.get()
    series.unwatched_style = "blur"
    still = default_storage.path(Episode.objects.earliest("pk").source_file)
    size = (preview.WIDTH, preview.HEIGHT)

    def floor() -> None:
        # draft=1.0: compose's own rule for a still (cards/render/core.py).
        encode(upscale(load_cover(still, size, draft=1.0), size), preview.QUALITY)

    def one(card_type: str) -> str:
        series.card_type = card_type
        rows = preview.preview(series)
        assert rows
        return next((p.error for r in rows for p in r.pictures.values() if p.error), "")

    def timed(job, per: int) -> tuple[float, float]:
        job()
        wall, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            job()
            wall.append((time.perf_counter() - start) * 1000 / per)
            cpu.append((time.process_time() - start_cpu) * 1000 / per)
        return statistics.median(wall), statistics.median(cpu)

    floor_wall, floor_cpu = timed(floor, 1)
    print(f"load average {os.getloadavg()[0]:.2f}; {repeat} runs per type, medians")
    print(f"{'card type':<16} {'ms/picture':>10} {'cpu ms':>7} {'x floor':>8}")
    print(f"{'(floor)':<16} {floor_wall:>10.1f} {floor_cpu:>7.1f} {1:>8.2f}")
    worst = ("", 0.0)
    for card_type in types:
        if error := one(card_type):  # the logo and poster types: the series has neither
            print(f"{card_type:<16} {'-':>10} {'-':>7} {'-':>8}  not drawn: {error}")
            continue
        wall, cpu = timed(lambda t=card_type: one(t), 8)
        worst = max(worst, (card_type, wall), key=lambda w: w[1])
        print(f"{card_type:<16} {wall:>10.1f} {cpu:>7.1f} {wall / floor_wall:>8.2f}")
    print(f"slowest: {worst[0]} {worst[1]:.1f} ms per picture (target <= 150)")


def log_in(port: int) -> tuple[requests.Session, str]:
    session = requests.Session()
    base = f"http://127.0.0.1:{port}"
    page = session.get(f"{base}/admin/login/")
    if "csrftoken" not in session.cookies:
        raise SystemExit(f"no CSRF cookie from the login page: HTTP {page.status_code}")
    token = session.cookies["csrftoken"]
    session.post(
        f"{base}/admin/login/?next=/admin/",
        data={"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/admin/login/"},
    )
    return session, session.cookies["csrftoken"]


def through_web(stack: Stack, series_pk: str, types: list[str], seconds: float, clients: int):
    stack.start_web(workers=2, threads=4)
    port, web = stack.port, stack.pid("web")
    base = f"http://127.0.0.1:{port}"
    before = tree_rss(web)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    peak, largest = [before], [0]
    lock = threading.Lock()
    sessions = [log_in(port) for _ in range(clients)]
    page = sessions[0][0].get(f"{base}/admin/cards/series/{series_pk}/change/").text
    assert "tcm-preview" in page, "no preview panel on the form"
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        session, token = sessions[n]
        i = n
        while time.monotonic() < stop:
            form = {
                "csrfmiddlewaretoken": token,
                "card_type": types[i % len(types)],
                "unwatched_style": "blur",
                "season_titles": "{}",
                "extras": "{}",
                # Each client is its own page: the latest-wins rule is per page.
                "_preview_page": f"bench-{n}",
                "_preview_seq": str(i),
            }
            i += clients
            start = time.perf_counter()
            response = session.post(
                f"{base}/admin/cards/series/{series_pk}/preview/",
                data=form,
                headers={"Referer": base + "/admin/"},
            )
            took = time.perf_counter() - start
            with lock:
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code == 200:
                    latencies.append(took)

    def watch() -> None:
        import psutil

        while time.monotonic() < stop:
            peak[0] = max(peak[0], tree_rss(web))
            children = psutil.Process(web).children(recursive=True)
            largest[0] = max([largest[0], *(c.memory_info().rss for c in children)])
            time.sleep(0.2)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    threads.append(threading.Thread(target=watch))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    done = len(latencies)
    print(
        f"\nweb server, {clients} clients for {seconds:.0f} s (load average "
        f"{os.getloadavg()[0]:.2f}): {done / seconds:.1f} previews/s of 8 pictures, "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    if done:
        print(
            f"latency p50 {percentile(latencies, 50) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 95) * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
        )
    print(
        f"web server memory (all processes): {before / 2**20:.0f} MB before, "
        f"{peak[0] / 2**20:.0f} MB at peak; the largest worker process at its peak "
        f"{largest[0] / 2**20:.0f} MB (target <= 300 MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--types", default="", help="comma-separated card types (default: all)")
    args = parser.parse_args()

    with Stack(db="sqlite", log_level="WARNING", access_log=False) as stack:
        series_pk = stack.setup(SETUP).splitlines()[-1]
        from cards.render.types import CARD_TYPES

        types = [t for t in re.split(r"[,\s]+", args.types) if t] or list(CARD_TYPES)
        in_process(stack, types, args.repeat)
        through_web(stack, series_pk, types, args.seconds, args.clients)


if __name__ == "__main__":
    main()
