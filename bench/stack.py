"""Run tcm as real processes for a benchmark: the web server and/or a Celery worker, on a
throw-away data dir, a fresh schema (SQLite there, or a throw-away PostgreSQL database) and a
private key prefix in the real Redis. Used by bench/webhook.py and bench/e2e.py.

    with Stack(db="sqlite") as stack:
        stack.setup(code)                  # Python run with Django set up (create connections…)
        stack.start_web(workers=2)         # Granian, tcm_site/webserver.py (or server="gunicorn")
        stack.start_worker(concurrency=2)  # celery worker
        ... stack.port, stack.query(code) ...
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def post_event(
    conn: http.client.HTTPConnection | None,
    port: int,
    secret: str,
    key: str,
    method: str = "POST",
) -> tuple[http.client.HTTPConnection | None, int]:
    """Post `{"rating_key": key, "event": "created"}` to the webhook as Tautulli does, on a
    keep-alive connection (made when `conn` is None). Returns the connection to use next (None
    after a broken one) and the HTTP status (0: no answer)."""
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"rating_key": key, "event": "created"})
    try:
        conn.request(
            method,
            f"/webhooks/tautulli/{secret}/",
            body=body,
            headers={"Content-Type": "application/json"},
        )
        response = conn.getresponse()
        response.read()
        return conn, response.status
    except (OSError, http.client.HTTPException):
        conn.close()
        return None, 0


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its children."""
    import psutil

    try:
        main = psutil.Process(pid)
        processes = [main, *main.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (every process, the kernel's work included),
    from /proc/stat; 0.0 where there is none."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()[1:]
    except OSError:
        return 0.0
    # user nice system idle iowait irq softirq steal ...: all but idle and iowait are work.
    busy = sum(int(v) for i, v in enumerate(fields[:8]) if i not in (3, 4))
    return busy / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds (user, system) used so far by a process and its children."""
    import psutil

    user = system = 0.0
    main = psutil.Process(pid)
    for process in [main, *main.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        user, system = user + times.user, system + times.system
    return user, system


class Stack:
    def __init__(
        self,
        *,
        db: str = "sqlite",
        postgres_url: str = "postgres://postgres@127.0.0.1:5432",
        redis_url: str = "redis://127.0.0.1:6379/0",
        log_level: str = "INFO",
        access_log: bool = True,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = tempfile.mkdtemp(prefix="tcm-bench-")
        self.prefix = f"tcm-bench-{uuid.uuid4().hex[:10]}:"
        self.redis_url = redis_url
        self.postgres_url = postgres_url
        self.port = free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("TCM_", "DATABASE_", "REDIS_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="tcm_site.settings",
            PYTHONPATH=str(ROOT),
            TCM_DATA_DIR=self.data_dir,
            TCM_ENV_FILE=os.devnull,
            TCM_PUBLIC_URL="http://192.168.1.20:8000",
            REDIS_URL=redis_url,
            TCM_REDIS_PREFIX=self.prefix,
            TCM_LISTEN=f"127.0.0.1:{self.port}",
            TCM_LOG_LEVEL=log_level,
            TCM_ACCESS_LOG="1" if access_log else "0",
            **(extra_env or {}),
        )
        self.pg_db = None
        if db == "postgres":
            import psycopg

            self.pg_db = f"tcm_bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(f"{postgres_url}/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.pg_db}"')
            env["DATABASE_URL"] = f"{postgres_url}/{self.pg_db}"
        self.env = env
        self.db = db

    # --- Django code in a subprocess

    def query(self, code: str) -> str:
        """Run `code` with Django set up; its stdout."""
        done = subprocess.run(
            [PYTHON, "-c", "import django; django.setup()\n" + code],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            sys.exit(done.stderr)
        return done.stdout.strip()

    def setup(self, code: str = "") -> str:
        """Migrate the fresh schema, then run `code`."""
        migrate = (
            "from django.core.management import call_command as c\nc('migrate', verbosity=0)\n"
        )
        return self.query(migrate + code)

    # --- processes

    def _start(self, name: str, cmd: list[str]) -> subprocess.Popen:
        log = open(Path(self.data_dir) / f"{name}.log", "w")  # noqa: SIM115 - lives with the process
        process = subprocess.Popen(
            cmd, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes[name] = process
        return process

    def start_web(
        self, workers: int = 2, threads: int = 4, probe: str = "/healthz", server: str = "granian"
    ) -> None:
        self.env.update(TCM_WEB_WORKERS=str(workers), TCM_WEB_THREADS=str(threads))
        if server == "gunicorn":
            if importlib.util.find_spec("gunicorn") is None:
                sys.exit("--server gunicorn: first .venv/bin/pip install gunicorn==27.0.1")
            conf = Path(__file__).resolve().parent / "gunicorn_conf.py"
            cmd = [PYTHON, "-m", "gunicorn", "-c", str(conf), "tcm_site.wsgi"]
        else:
            cmd = [PYTHON, "-m", "tcm_site.webserver"]
        process = self._start("web", cmd)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                sys.exit(f"the web server exited; see {self.data_dir}/web.log")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", probe)
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        sys.exit("the web server did not answer in time")

    def start_worker(self, concurrency: int = 2) -> None:
        self._start(
            "worker",
            [PYTHON, "-m", "celery", "-A", "tcm_site", "worker", "--loglevel", "INFO",
             "--concurrency", str(concurrency), "--hostname", f"bench-{uuid.uuid4().hex[:6]}@%h"],
        )  # fmt: skip
        # Ready when it answers a ping through the same Redis corner.
        from celery import Celery

        app = Celery(broker=self.redis_url)
        app.conf.broker_transport_options = {"global_keyprefix": self.prefix}
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or self.processes["worker"].poll() is not None:
                print((Path(self.data_dir) / "worker.log").read_text()[-3000:], file=sys.stderr)
                sys.exit("the worker did not start")
        app.close()

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    # --- teardown

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def cleanup(self) -> None:
        import redis

        client = redis.Redis.from_url(self.redis_url)
        stale = list(client.scan_iter(match=f"{self.prefix}*"))
        if stale:
            client.delete(*stale)
        if self.pg_db:
            import psycopg

            with psycopg.connect(f"{self.postgres_url}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{self.pg_db}" WITH (FORCE)')
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.cleanup()
