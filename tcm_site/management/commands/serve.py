"""Run the whole app in the foreground: web server (Granian), Celery worker and Celery beat.

Ctrl-C (or SIGTERM) stops all three; if one of them dies the others are stopped too, so that a
half-running stack never looks healthy. `./tcm run` calls this after migrating.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tcm_site import webserver


class Command(BaseCommand):
    help = "Run web server, Celery worker and Celery beat together until Ctrl-C."
    # `./tcm run` has just run migrate, which showed the system checks' warnings; a second time
    # here (and in ensure_admin) only repeats them.
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--listen", default=os.environ.get("TCM_LISTEN", "0.0.0.0:8000"))
        parser.add_argument(
            "--concurrency", type=int, default=int(os.environ.get("TCM_WORKER_CONCURRENCY", "2"))
        )

    def handle(self, *args: object, listen: str, concurrency: int, **options: object) -> None:
        # Before anything starts: a worker and a beat beside a web server that cannot listen
        # would run a second installation's schedule for nothing.
        try:
            webserver.check_free(listen)
        except (ValueError, webserver.ListenError) as exc:
            raise CommandError(str(exc)) from None
        python = sys.executable
        level = settings.LOG_LEVEL.lower()
        commands = {
            "web": [python, "-m", "tcm_site.webserver"],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "tcm_site",
                "worker",
                "--loglevel",
                level,
                "--concurrency",
                str(concurrency),
                "--hostname",
                "tcm@%h",
            ],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "tcm_site",
                "beat",
                "--loglevel",
                level,
                "--pidfile",
                "",
            ],
        }
        procs: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(signum: int = 0, frame: object = None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

        env = {**os.environ, "TCM_LISTEN": listen}  # --listen, for the web server
        for name, cmd in commands.items():
            # Own process groups: Ctrl-C reaches only us, and we stop the children in order
            # (a second SIGINT would make Celery abandon running tasks).
            procs[name] = subprocess.Popen(cmd, start_new_session=True, env=env)

        port = listen.rsplit(":", 1)[-1]
        host = listen.rsplit(":", 1)[0]
        shown = "localhost" if host in ("0.0.0.0", "", "::", "[::]") else host
        announced = False
        started = time.monotonic()
        exit_code = 0
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    self.stderr.write(f"{name} exited with code {proc.returncode}; stopping tcm.")
                    exit_code = proc.returncode or 1
                    stopping = True
                    break
            waiting = not announced and not stopping and time.monotonic() - started < 120
            if waiting and self._healthy(port):
                self.stdout.write(
                    self.style.SUCCESS(
                        f"\ntcm is running. Admin: http://{shown}:{port}/admin/  "
                        f"Health: http://{shown}:{port}/healthz  (Ctrl-C stops it)\n"
                    )
                )
                announced = True
            time.sleep(0.5)

        self.stdout.write("Stopping web, worker and beat…")
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.stdout.write("Stopped.")
        sys.exit(exit_code)

    @staticmethod
    def _healthy(port: str) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
                return resp.status == 200
        except Exception:
            return False
