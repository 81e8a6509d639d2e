"""Benchmark: a whole library, the way a new install or a template change meets it.

    .venv/bin/python bench/library.py [--episodes 5000] [--db sqlite,postgres]
        [--paths series,scheduled] [--concurrency 2] [--per-show 50] [--four-k-every 5]
        [--watched 0.3]

For each database and each path, from scratch (a fresh data dir, schema and Plex fake):

1. first sync: the library sync job (`cards.sync_library`, what "Sync now" and the schedule run);
2. first pass: every card rendered and uploaded, by the series action ("Render and upload all
   cards" on every series: `cards.render_series` per series, as the admin queues it) or by the
   scheduled job ("Render and upload due cards": `cards.render_due_cards`, as beat sends it);
3. second pass: the same again, with nothing to do;
4. a style change (card type `anime`) on every tenth series, then the same path once more.

The parts are real processes: the Celery worker as `./tcm run` and compose start it (`celery -A
tcm_site worker --concurrency N`, prefork), the real Redis (a private key prefix), SQLite or
PostgreSQL (a throw-away database), and the tests' fake Plex (tests/fakes/plex.py) in a process
of its own (bench/plexproc.py) with real-sized stills served from memory: 1920x1080, and
3840x2160 for every fifth show. Connection settings are the defaults (unwatched: blur).

Per phase it prints cards/min, Plex requests per card by kind, the CPU per card split into
render / Plex I/O / database / the rest of the task / outside tasks (Celery and the worker's
main process), measured inside the pool processes by bench/probe/sitecustomize.py, the fake's
share of the machine's CPU, and at the end the peak RSS of every worker process. The floor,
measured in the same run in this process: the renderer alone, the same mix of stills and styles,
times the worker processes (the most cards/min those processes could make if nothing but
rendering cost anything).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from plexproc import FakePlexProcess  # noqa: E402
from stack import Stack, machine_cpu  # noqa: E402

PROBE = Path(__file__).resolve().parent / "probe"


def render_floor(watched: float, four_k_share: float) -> tuple[float, dict[str, float]]:
    """Median CPU ms of one card from the renderer alone, for the library's mix of stills and
    styles; and the medians it is made of."""
    import statistics

    from cards.render import CardSpec, render
    from cards.render.samples import save_landscape

    folder = tempfile.mkdtemp(prefix="tcm-bench-floor-")
    stills = {
        "1080p": save_landscape(f"{folder}/hd.jpg", 1920, 1080),
        "4K": save_landscape(f"{folder}/uhd.jpg", 3840, 2160),
    }
    medians = {}
    for res, path in stills.items():
        for style in ("blur", "unique"):
            spec = CardSpec(
                source=path,
                title="The Long Night of the Soul",
                season_number=1,
                episode_number=3,
                style=style,
            )
            render(spec)
            times = []
            for _ in range(5):
                # CPU time, not wall time: the machine is shared, and the workers' CPU per card
                # is what this is compared with.
                t0 = time.process_time()
                render(spec)
                times.append((time.process_time() - t0) * 1000)
            medians[f"{res} {style}"] = statistics.median(times)
    mix = 0.0
    for res, share in (("1080p", 1 - four_k_share), ("4K", four_k_share)):
        mix += share * (watched * medians[f"{res} unique"] + (1 - watched) * medians[f"{res} blur"])
    return mix, medians


class Sampler(threading.Thread):
    """Peak RSS of every process in the worker's tree, every 0.2 s, and peak USS (the memory
    only that process holds: RSS counts the pages a pool process shares with the main process
    it was forked from too)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak: dict[int, int] = {}
        self.peak_uss: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self.done = threading.Event()

    def run(self) -> None:
        import psutil

        while not self.done.is_set():
            try:
                main = psutil.Process(self.pid)
                procs = [main, *main.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for p in procs:
                try:
                    info = p.memory_full_info()
                except psutil.NoSuchProcess:
                    continue
                self.peak[p.pid] = max(self.peak.get(p.pid, 0), info.rss)
                self.peak_uss[p.pid] = max(self.peak_uss.get(p.pid, 0), info.uss)
                self.names.setdefault(p.pid, "main" if p.pid == self.pid else "pool")
            time.sleep(0.2)


def tree_cpu_all(pid: int, seen: dict[int, float]) -> float:
    """CPU seconds of a process tree, remembering each process's last reading (a process that
    ended keeps what it used)."""
    import psutil

    try:
        main = psutil.Process(pid)
        procs = [main, *main.children(recursive=True)]
    except psutil.NoSuchProcess:
        procs = []
    for p in procs:
        try:
            t = p.cpu_times()
            seen[p.pid] = t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return sum(seen.values())


def process_cpu(pid: int) -> float:
    import psutil

    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


class Run:
    def __init__(self, args: argparse.Namespace, db: str, path: str) -> None:
        self.args, self.db, self.path = args, db, path
        self.rows: list[dict] = []

    def probe(self) -> dict[str, float]:
        import redis

        client = redis.Redis.from_url(self.stack.redis_url)
        total: Counter = Counter()
        for value in client.hgetall(self.stack.prefix + "bench-probe").values():
            total.update(json.loads(value))
        return dict(total)

    def measure(self, name: str, work) -> dict:
        fake, stack = self.fake, self.stack
        fake.call("reset")
        uploads0 = fake.call("uploads")[1]
        cpu0 = {
            "worker": tree_cpu_all(stack.pid("worker"), self.worker_seen),
            "fake": process_cpu(fake.pid),
            "machine": machine_cpu(),
            **{f"probe_{k}": v for k, v in self.probe().items()},
        }
        load0 = os.getloadavg()[0]
        t0 = time.monotonic()
        detail = work()
        elapsed = time.monotonic() - t0
        time.sleep(0.3)  # the last task's probe write
        uploads = fake.call("uploads")[1] - uploads0
        probe = self.probe()
        cpu = {
            "worker": tree_cpu_all(stack.pid("worker"), self.worker_seen) - cpu0["worker"],
            "fake": process_cpu(fake.pid) - cpu0["fake"],
            "machine": machine_cpu() - cpu0["machine"],
        }
        split = {k: probe.get(k, 0.0) - cpu0.get(f"probe_{k}", 0.0) for k in probe}
        row = {
            "phase": name,
            "seconds": elapsed,
            "uploads": uploads,
            "cards": detail.get("cards", uploads),
            "requests": fake.call("counts"),
            "cpu": cpu,
            "split": split,
            "load": (load0 + os.getloadavg()[0]) / 2,
            "detail": detail,
        }
        self.rows.append(row)
        self.report(row)
        return row

    def report(self, row: dict) -> None:
        cards = row["cards"]
        per_min = cards / row["seconds"] * 60 if row["seconds"] else 0
        requests = row["requests"]
        total_requests = sum(requests.values())
        print(
            f"\n[{self.db}, {self.path}] {row['phase']}: {row['seconds']:.1f} s, {cards} cards, "
            f"{row['uploads']} uploads"
            + (f", {per_min:,.0f} cards/min" if cards and row["uploads"] else "")
            + f" (load {row['load']:.1f})"
        )
        if row["detail"].get("summary"):
            print(f"  summary: {row['detail']['summary']}")
        per = max(cards, 1)
        print(
            f"  Plex requests: {total_requests}"
            + (f", {total_requests / per:.2f} per card" if cards else "")
        )
        for kind, n in sorted(requests.items(), key=lambda kv: -kv[1]):
            print(f"    {kind:32s} {n:7d}" + (f"  {n / per:6.3f}/card" if cards else ""))
        cpu, split = row["cpu"], row["split"]
        machine = cpu["machine"] or 1
        print(
            f"  CPU: worker tree {cpu['worker']:.1f} s, fake Plex {cpu['fake']:.1f} s "
            f"({cpu['fake'] / machine:.0%} of the machine's busy CPU, "
            f"{cpu['machine']:.1f} s over {row['seconds']:.0f} s on {os.cpu_count()} cores)"
        )
        if cards and split.get("tasks"):
            render, plex, db = split.get("render", 0), split.get("plex", 0), split.get("db", 0)
            task = split.get("task", 0)
            rest = task - render - plex - db
            outside = cpu["worker"] - task
            ms = 1000 / cards
            print(
                f"  CPU per card (ms): render {render * ms:.1f}, Plex I/O {plex * ms:.1f}, "
                f"database {db * ms:.1f}, rest of the task {rest * ms:.1f}, outside tasks "
                f"(Celery, worker main process) {outside * ms:.1f}; total {cpu['worker'] * ms:.1f}"
                f" ({int(split['tasks'])} tasks)"
            )

    # --- the run

    def __call__(self) -> None:
        args = self.args
        shows = max(1, args.episodes // args.per_show)
        self.fake = FakePlexProcess(shows, args.per_show, args.four_k_every, args.watched).start()
        self.n = self.fake.info["episodes"]
        env = {"TCM_BENCH_PROBE": "1"}
        self.stack = Stack(db=self.db, log_level="INFO", access_log=False, extra_env=env)
        self.stack.env["PYTHONPATH"] = f"{PROBE}{os.pathsep}{ROOT}"
        self.worker_seen: dict[int, float] = {}
        try:
            self.run()
        finally:
            self.stack.stop()
            self.stack.cleanup()
            self.fake.stop()

    def run(self) -> None:
        from celery import Celery

        stack, fake = self.stack, self.fake
        self.connection_pk = int(
            stack.setup(
                "from connections.models import PlexConnection\n"
                f"c = PlexConnection.objects.create(name='bench', url={fake.url!r}, "
                f"token={fake.token!r}, timeout=30)\nprint(c.pk)"
            )
        )
        stack.start_worker(self.args.concurrency)
        sampler = Sampler(stack.pid("worker"))
        sampler.start()
        app = Celery(broker=stack.redis_url, backend=stack.redis_url, set_as_current=False)
        options = {"global_keyprefix": stack.prefix}
        app.conf.broker_transport_options = options
        app.conf.result_backend_transport_options = options
        self.app = app
        print(
            f"\n=== {self.db}, {self.path} path: {self.n} episodes "
            f"({self.args.per_show} per show, every {self.args.four_k_every}th show 4K; stills "
            f"{self.fake.info['still_bytes']} bytes), {self.args.concurrency} worker processes"
        )

        def sync() -> dict:
            summary = self.task("cards.sync_library", self.connection_pk).get(timeout=600)
            return {"cards": 0, "summary": {k: v for k, v in summary.items() if v}}

        self.measure("first sync", sync)
        self.series = [
            int(pk)
            for pk in stack.query(
                "from cards.models import Series\n"
                "print(' '.join(str(pk) for pk in Series.objects.order_by('pk')"
                ".values_list('pk', flat=True)))"
            ).split()
        ]
        self.measure("first pass", lambda: self.everything(self.series, self.n))
        self.measure("second pass", lambda: self.everything(self.series, 0))
        changed = self.series[::10]
        count = int(
            stack.query(
                "from cards.models import Series, Episode\n"
                f"Series.objects.filter(pk__in={changed}).update(card_type='anime')\n"
                f"print(Episode.objects.filter(series_id__in={changed}).count())"
            )
        )
        self.measure(
            f"style change ({len(changed)} series)", lambda: self.everything(changed, count)
        )
        sampler.done.set()
        states = stack.query(
            "from cards.models import TitleCard\nfrom django.db.models import Count\n"
            "print(dict(TitleCard.objects.values_list('state').annotate(n=Count('pk'))))"
        )
        print(f"\n  cards by state at the end: {states}")
        pool = sorted(
            (rss, pid) for pid, rss in sampler.peak.items() if sampler.names[pid] == "pool"
        )
        main = [rss for pid, rss in sampler.peak.items() if sampler.names[pid] == "main"]
        print(
            "  peak RSS: pool processes "
            + ", ".join(
                f"{rss / 2**20:.0f} MiB (USS {sampler.peak_uss.get(pid, 0) / 2**20:.0f})"
                for rss, pid in pool
            )
            + f"; worker main process {max(main, default=0) / 2**20:.0f} MiB"
        )
        self.peak_pool = max((rss for rss, _ in pool), default=0)

    def task(self, name: str, *args: object):
        return self.app.send_task(name, args=list(args), queue="tcm")

    def everything(self, series: list[int], expected: int) -> dict:
        """Bring the cards of these series up to date by this run's path; returns when the
        work is done (the series jobs ended; or the scheduled job ended and the `expected`
        uploads arrived)."""
        before = self.fake.call("uploads")[1]
        if self.path == "series":
            results = [self.task("cards.render_series", pk) for pk in series]
            deadline = time.monotonic() + self.args.timeout
            while not all(r.ready() for r in results):
                if time.monotonic() > deadline:
                    sys.exit("timed out waiting for the series jobs")
                time.sleep(0.1)
            summary: Counter = Counter()
            for r in results:
                summary.update({k: v for k, v in r.get().items() if isinstance(v, int)})
            return {"cards": expected, "summary": dict(summary)}
        summary = self.task("cards.render_due_cards").get(timeout=self.args.timeout)
        deadline = time.monotonic() + self.args.timeout
        while self.fake.call("uploads")[1] - before < expected:
            if time.monotonic() > deadline:
                sys.exit("timed out waiting for the uploads")
            time.sleep(0.1)
        self.wait_idle()
        return {"cards": expected, "summary": summary}

    def wait_idle(self) -> None:
        """Until the queue is empty and no worker runs a task."""
        import redis

        client = redis.Redis.from_url(self.stack.redis_url)
        inspect = self.app.control.inspect(timeout=1)
        while True:
            if not client.llen(self.stack.prefix + "tcm"):
                active = inspect.active() or {}
                if not any(active.values()):
                    return
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=5000)
    parser.add_argument("--per-show", type=int, default=50)
    parser.add_argument("--four-k-every", type=int, default=5)
    parser.add_argument("--watched", type=float, default=0.3)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--paths", default="series,scheduled")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()

    print(f"load average at start: {os.getloadavg()}")
    four_k = 1 / args.four_k_every if args.four_k_every else 0.0
    mix, medians = render_floor(args.watched, four_k)
    floor = args.concurrency * 60_000 / mix
    print(
        "floor, the renderer alone in this process (CPU ms a card): "
        + ", ".join(f"{k} {v:.0f}" for k, v in medians.items())
        + f"; the library's mix {mix:.0f} ms -> {floor:,.0f} cards/min on "
        f"{args.concurrency} cores with nothing else to do"
    )
    results = []
    for db in args.db.split(","):
        for path in args.paths.split(","):
            run = Run(args, db, path)
            run()
            results.append(run)
    print(f"\n=== summary (cards/min; floor {floor:,.0f})")
    print(
        "| db | path | first sync s | first pass s | cards/min | CPU ms/card (x floor) | "
        "req/card | second pass s (uploads) | style change s (cards/min) | peak RSS pool MiB |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|---|---:|")
    for run in results:
        rows = {r["phase"].split(" (")[0]: r for r in run.rows}
        first, second, style = rows["first pass"], rows["second pass"], rows["style change"]
        per_min = first["cards"] / first["seconds"] * 60
        style_rate = style["cards"] / style["seconds"] * 60
        req = sum(first["requests"].values()) / max(first["cards"], 1)
        cpu_ms = first["cpu"]["worker"] * 1000 / max(first["cards"], 1)
        print(
            f"| {run.db} | {run.path} | {rows['first sync']['seconds']:.1f} | "
            f"{first['seconds']:.1f} | {per_min:,.0f} | {cpu_ms:.0f} ({cpu_ms / mix:.2f}) | "
            f"{req:.2f} | "
            f"{second['seconds']:.1f} ({second['uploads']}) | {style['seconds']:.1f} "
            f"({style_rate:,.0f}) | {run.peak_pool / 2**20:.0f} |"
        )
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
