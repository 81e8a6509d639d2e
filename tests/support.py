"""Helpers for tests that start real processes (worker, web server) beside the test process."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from django.db.models import Model
    from django.test import Client
    from playwright.sync_api import Page, ViewportSize

    from connections.models import PlexConnection, TautulliConnection

ROOT = Path(__file__).resolve().parent.parent


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a tcm process that must share this test's database, data dir and Redis."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


PYTHON = sys.executable

# The admin as a person at a desktop sees it.
BROWSER_VIEWPORT: ViewportSize = {"width": 1400, "height": 900}


def chromium_path() -> str | None:
    """Debian's chromium, which the browser tests drive (Playwright's own download is never
    used), or None."""
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser")


def css_rgb(value: str) -> tuple[float, float, float]:
    """A computed CSS colour ("rgb(1, 2, 3)" or "rgba(1, 2, 3, 1)") as (r, g, b)."""
    import re

    r, g, b = (float(n) for n in re.findall(r"[\d.]+", value)[:3])
    return r, g, b


def contrast_ratio(fg: tuple[float, float, float], bg: tuple[float, float, float]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (1 to 21; AA wants 4.5 for normal text)."""

    def luminance(rgb: tuple[float, float, float]) -> float:
        def linear(c: float) -> float:
            c /= 255
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (linear(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def log_in(page: Page, username: str, password: str) -> None:
    """Log in through the admin's login form, as a person does."""
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def submit(page: Page, button: str = "input[name=_save]") -> None:
    """Press a form's submit button and wait until the answer's page has loaded. Playwright's
    click no longer waits for the navigation it starts, so a screenshot or a check right after
    it could land on the page being left (chromium then fails the capture, or the check waits
    on a document that is going away)."""
    with page.expect_navigation(wait_until="load"):
        page.click(button)


def without_type_pictures(page: Page) -> None:
    """The card type picker's pictures are not fetched on this page (each request fails, as a
    lost connection would): every form with a card type shows one picture per type, each a card
    the server draws, and loading the page waited seconds for them. For the tests that are not
    about those pictures; tests/test_preview_in_browser.py's picker test is."""
    page.route("**/type-picture/**", lambda route: route.abort())


def fresh_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for a tcm process with the production settings on a data dir of its own:
    none of this test run's TCM_, REDIS_ or DATABASE_ variables, no .env file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TCM_", "REDIS_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tcm_site.settings",
        TCM_DATA_DIR=str(data_dir),
        TCM_ENV_FILE=os.devnull,
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def tcm_env(data_dir: Path) -> dict[str, str]:
    """A fresh installation's environment for `./tcm run`, with this test run's venv (already
    installed)."""
    return fresh_env(
        data_dir,
        TCM_VENV=sys.prefix,
        TCM_WEB_WORKERS="1",
        TCM_WORKER_CONCURRENCY="1",
        TCM_ADMIN_PASSWORD="first-run-pw-2718",
        PYTHONUNBUFFERED="1",
    )


@dataclass
class Running:
    """A running `./tcm run`: where it listens, and everything it said (in `log_path`)."""

    url: str
    listen: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def kill_tree(pid: int) -> None:
    """SIGKILL a process and everything it started, at once. Its descendants may sit in process
    groups of their own (serve starts web, worker and beat each in its own session), so they
    are found by walking the tree, parents before children: a parent killed first cannot start
    a replacement for a killed child."""
    import psutil

    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for process in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()

    # Gone, or a zombie nobody reaps yet (pid 1 here may not): either way it holds no port and
    # no open file any more.
    def dead(process: psutil.Process) -> bool:
        try:
            return process.status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True

    wait_until(lambda: all(dead(p) for p in tree), timeout=10, what=f"process tree {pid} to die")


@contextlib.contextmanager
def tcm_run(data_dir: Path) -> Iterator[Running]:
    """`./tcm run --listen 127.0.0.1:<port>` on a fresh data dir, until it says it is running;
    killed at the end, with web, worker and beat. Its tests are about starting it: a graceful
    stop (serve's Ctrl-C: each child stopped in turn, ~10 s) would test nothing more."""
    from tests.redis import free_port

    data_dir.mkdir(parents=True, exist_ok=True)
    listen = f"127.0.0.1:{free_port()}"
    running = Running(f"http://{listen}", listen, data_dir / "run.log")
    with open(running.log_path, "wb") as log:
        process = subprocess.Popen(
            [str(ROOT / "tcm"), "run", "--listen", listen],
            env=tcm_env(data_dir),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:

        def started() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"./tcm run exited:\n{running.log()[-3000:]}")
            return "tcm is running" in running.log()

        wait_until(started, timeout=240, what="./tcm run to say it is running")
        yield running
    finally:
        kill_tree(process.pid)
        process.wait(10)


def run_python(code: str, env: dict[str, str], timeout: float = 60) -> str:
    """Run `code` in a fresh interpreter from the project root; its stdout, stripped."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def admin_action(
    client: Client, obj: Model | list[Model], action: str, **extra: object
) -> list[tuple[str, str]]:
    """Run a changelist action of the admin on `obj` (or several) as a logged-in user, the way
    the admin page posts it, with `extra` fields of the action bar; returns the messages the
    page then shows, as (level tag, text)."""
    from django.urls import reverse

    objs = obj if isinstance(obj, list) else [obj]
    meta = objs[0]._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    data = {"action": action, "_selected_action": [o.pk for o in objs], **extra}
    response: Any = client.post(url, data, follow=True)  # the test client's, with its extras
    assert response.status_code == 200, response.content[:500]
    assert response.redirect_chain, "the action did not run"
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def wait_until(condition: Callable[[], object], timeout: float = 20, what: str = "") -> object:
    """Poll `condition` until it returns something true (work done by a worker); fail after
    `timeout` seconds, saying what was awaited."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.05)


def finished_run(kind: str, target_id: int) -> Any:
    """The first run of the job `kind` for the object `target_id` once it is no longer running
    (a worker runs it)."""
    from cards.models import JobRun

    return wait_until(
        lambda: (
            JobRun.objects.filter(kind=kind, target_id=target_id).exclude(status="running").first()
        ),
        what=f"the job {kind} of #{target_id}",
    )


class WorkerProcess:
    """A real `celery -A tcm_site worker` (prefork) in its own process group, sharing this test's
    database, data dir and Redis prefix (child_env), so that a test can kill it, or take its
    Redis away, without taking itself down. Settings go in as environment variables, e.g.
    `WorkerProcess(TCM_RETRY_BASE_DELAY="0.2")`; `redis_url` points it at a private Redis."""

    def __init__(self, *, concurrency: int = 1, redis_url: str | None = None, **env: str) -> None:
        import tempfile
        import uuid

        self.concurrency = concurrency
        self.redis_url = redis_url or os.environ["REDIS_URL"]
        self.env = {**env, "REDIS_URL": self.redis_url}
        self.name = f"test-{uuid.uuid4().hex[:8]}"
        fd, log_path = tempfile.mkstemp(prefix="tcm-worker-", suffix=".log")
        os.close(fd)
        self.log_path = Path(log_path)
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> WorkerProcess:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "celery", "-A", "tcm_site", "worker", "--pool", "prefork",
                 "--concurrency", str(self.concurrency), "--hostname", f"{self.name}@%h",
                 "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat"],
                env=child_env(**self.env),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() takes the pool too
            )  # fmt: skip
        wait_until(self._ready, timeout, what=f"worker {self.name} to answer a ping")
        return self

    def _ready(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise AssertionError(f"worker {self.name} exited:\n{self.log()[-3000:]}")
        # A ping costs a connection and its wait (about a second on a loaded machine): none
        # before the worker says it is ready, which a look at its log tells for nothing.
        log = self.log()
        return f"{self.name}@" in log and " ready." in log and self.answers()

    def answers(self, timeout: float = 0.5) -> bool:
        """Whether the worker answers a ping through its broker."""
        from celery import Celery
        from celery.utils.nodenames import default_nodename, host_format

        app = Celery(broker=self.redis_url, set_as_current=False)
        app.conf.broker_transport_options = {"global_keyprefix": os.environ["TCM_REDIS_PREFIX"]}
        # Asked by its node name (expanded as the worker expands --hostname) for one answer: the
        # ping returns when it comes, instead of waiting out its timeout for other workers.
        node = host_format(default_nodename(f"{self.name}@%h"))
        try:
            replies = app.control.ping(destination=[node], timeout=timeout, limit=1)
        except Exception:  # the broker is down
            return False
        finally:
            app.close()
        return any(name == node for reply in replies for name in reply)

    def pool(self) -> list[int]:
        """The pids of the pool's child processes (they run the tasks)."""
        import psutil

        assert self.process is not None
        return [p.pid for p in psutil.Process(self.process.pid).children()]

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool) at once, as the OOM killer or a pulled
        plug would: nothing gets to clean up or hand back its task."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def kill_pool_child(self, pid: int) -> None:
        """SIGKILL one pool child; the main process notices and starts another."""
        os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def __enter__(self) -> WorkerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.log_path.unlink(missing_ok=True)


class WebServer:
    """tcm's real web server (`python -m tcm_site.webserver`, what `./tcm run` and the Docker image
    start) on a free loopback port, one process with two threads, sharing this test's database,
    data dir and Redis (child_env; `env` adds settings). `log()` is everything it wrote: the
    access log, Django's warnings, tcm's own lines."""

    def __init__(self, **env: str) -> None:
        from tests.redis import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            "TCM_LISTEN": f"127.0.0.1:{self.port}",
            "TCM_WEB_WORKERS": "1",
            "TCM_WEB_THREADS": "2",
            **env,
        }
        # In the test run's data dir, which goes when the run ends.
        self.log_path = Path(os.environ["TCM_DATA_DIR"]) / f"web-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.returncode: int | None = None

    def start(self, timeout: float = 60) -> WebServer:
        import socket

        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "tcm_site.webserver"],
                env=child_env(**self.env),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def listening() -> bool:
            if self.process.poll() is not None:  # type: ignore[union-attr]
                raise AssertionError(f"the web server exited:\n{self.log()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                return False
            return True

        wait_until(listening, timeout, what="the web server to listen")
        return self

    def stop(self) -> int | None:
        """SIGTERM, as Docker stops it; its exit code."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.returncode = self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None
        return self.returncode

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()  # the log stays readable; the data dir's teardown does not take it


def wsgi_request(
    method: str,
    path: str,
    body: bytes = b"",
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request through tcm's real WSGI entry point (tcm_site.wsgi, what the web server serves),
    with raw bytes and any Content-Type: Django's test client builds its request objects
    before the entry point, so it cannot show what a malformed header does there.

    Like the test client, it keeps the test's database connection open across the request
    (Django closes stale connections at request start/finish, which would end the test's
    transaction). Returns status, headers and body."""
    import io
    from urllib.parse import urlsplit

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from tcm_site.wsgi import application

    parts = urlsplit(path)
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    answer: dict[str, Any] = {}

    def start_response(status: str, response_headers: list, exc_info: Any = None) -> Any:
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = application(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content


def admin_pages(objects: list[object]) -> list[str]:
    """Every page of the admin a browser can GET: the index and site pages, each app's index, and
    for every registered model its own views (changelist, add, custom ones) plus every view that
    takes an object (change, history, delete confirmation, custom ones) for each of `objects`
    of that model. Read from the URL patterns, so views added later are included too."""
    from django.contrib import admin
    from django.urls import URLPattern, reverse

    def params(pattern: URLPattern) -> set[str]:
        return set(getattr(pattern.pattern, "converters", {})) | set(
            pattern.pattern.regex.groupindex
        )

    urls = []
    app_labels = sorted({m._meta.app_label for m in admin.site._registry})
    for pattern in admin.site.get_urls():
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue
        if pattern.name in ("logout", "view_on_site"):  # POST only; a redirect to the site
            continue
        wanted = params(pattern)
        if not wanted:
            urls.append(reverse(f"admin:{pattern.name}"))
        elif wanted == {"app_label"}:
            urls += [reverse(f"admin:{pattern.name}", args=[label]) for label in app_labels]
    for model, model_admin in admin.site._registry.items():
        mine = [o for o in objects if isinstance(o, model)]
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            wanted = params(pattern)
            if not wanted:
                urls.append(reverse(f"admin:{pattern.name}"))
            elif len(wanted) == 1:
                [name] = wanted
                urls += [reverse(f"admin:{pattern.name}", kwargs={name: o.pk}) for o in mine]
    return urls


def one_of_each(
    *,
    token: str,
    api_key: str,
    plex_url: str = "http://127.0.0.1:9",
    tautulli_url: str = "http://127.0.0.1:9",
    tcm_url: str = "http://127.0.0.1:9",
) -> list:
    """One saved object of every model the admin shows (ours, auth's, django_celery_beat's),
    filled in the way tcm fills them: a card with its file, an event with a payload, a job run
    with a summary. The connections carry the given secrets and addresses."""
    from datetime import timedelta

    from django.contrib.auth.models import Group, User
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    from cards.models import Episode, Font, JobRun, Series, TitleCard, WebhookEvent
    from connections.models import PlexConnection, TautulliConnection
    from tests.fakes.plex import make_jpeg

    plex = PlexConnection.objects.create(name="home plex", url=plex_url, token=token)
    tautulli = TautulliConnection.objects.create(
        name="home tautulli",
        url=tautulli_url,
        api_key=api_key,
        plex=plex,
        tcm_url=tcm_url,  # loopback: a fake Tautulli really posts there
    )
    font = Font.objects.create(name="Plain", color="#ffffff")
    series = Series.objects.create(connection=plex, rating_key="100", title="Harbour")
    episode = Episode.objects.create(
        connection=plex, series=series, rating_key="101", title="Pilot", season_number=1,
        episode_number=1,
    )  # fmt: skip
    name = default_storage.save("cards/admin-test.jpg", ContentFile(make_jpeg(7, (320, 180))))
    card = TitleCard.objects.create(
        episode=episode, file=name, fingerprint="f" * 64, state=TitleCard.State.UPLOADED
    )
    event = WebhookEvent.objects.create(
        connection=tautulli, rating_key="101", event="created",
        payload={"rating_key": "101", "event": "created"},
    )  # fmt: skip
    run = JobRun.objects.create(
        kind="sync_library", target_id=1, status=JobRun.Status.OK, summary={"episodes_created": 1}
    )
    interval = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    task = PeriodicTask.objects.create(
        name="admin test task", task="tcm.ping", interval=interval,
        expires=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    crontab = CrontabSchedule.objects.create(minute="5")
    solar = SolarSchedule.objects.create(event="sunrise", latitude=52, longitude=13)
    clocked = ClockedSchedule.objects.create(clocked_time=timezone.now())
    group = Group.objects.create(name="viewers")
    user = User.objects.create_user("viewer", password="not-a-secret-pw-123")
    return [
        *(plex, tautulli, font, series, episode, card, event, run),
        *(interval, task, crontab, solar, clocked, group, user),
    ]


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app (what the webhook view queues with) at another broker for
    the block, e.g. a private RedisServer a test can stop."""
    from tcm_site.celery import app

    def reconnect() -> None:
        # Celery keeps a connection and a producer pool per broker URL: drop them.
        app._pool = None
        app.amqp._producer_pool = None

    old = app.conf.broker_url
    app.conf.broker_url = url
    reconnect()
    try:
        yield
    finally:
        app.conf.broker_url = old
        reconnect()


def broker_messages(url: str | None = None) -> list[tuple[str, list]]:
    """The task messages waiting in this run's broker queue (the run's Redis prefix), oldest
    first, as (task name, args); `url`: another broker, e.g. a private RedisServer. Read from
    Redis itself, Celery's protocol 2: the body is base64 JSON of [args, kwargs, embed]."""
    import base64
    import json

    import redis
    from django.conf import settings

    client = redis.Redis.from_url(url or settings.CELERY_BROKER_URL)
    queue = os.environ["TCM_REDIS_PREFIX"] + settings.CELERY_TASK_DEFAULT_QUEUE
    messages = []
    for raw in reversed(client.lrange(queue, 0, -1)):  # LPUSH: the newest is first
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        messages.append((message["headers"]["task"], args))
    return messages


def run_queued(limit: int = 200) -> list[str]:
    """Run the task messages waiting in this run's broker queue in this thread, oldest first, and
    those they queue in turn (webhook events too, through a round of the relay), until none is
    left; returns the names of the tasks run. What a
    worker would do with them, for tests whose point is the work's effects and that the work went
    through the broker, not the worker itself (the `celery_worker` fixture costs about half a
    second a test). A message with a countdown (a retry, a delayed re-check) fails the test: where
    the timing of work is the point, keep the real worker. Take `empty_broker_queue` with it, so
    no message a test before left behind is run."""
    import base64
    import json

    import redis
    from django.conf import settings

    from cards.relay import relay_new_events
    from tcm_site.celery import app

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = os.environ["TCM_REDIS_PREFIX"] + settings.CELERY_TASK_DEFAULT_QUEUE
    ran: list[str] = []
    while True:
        raw = cast(bytes | None, client.rpop(queue))  # LPUSH: the oldest is last
        if raw is None:
            # Webhook events wait in the database for the relay (cards/relay.py), a thread of
            # every worker: one round of it, here, hands them to the broker.
            if relay_new_events().queued:
                continue
            break
        assert len(ran) < limit, f"more than {limit} tasks queued: {ran[-5:]}"
        message = json.loads(raw)
        headers = message["headers"]
        assert headers.get("eta") is None, f"{headers['task']} has a countdown: keep the worker"
        args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        # apply() runs it as a worker does, in this thread: a failure is stored in the result,
        # not raised, and the test's assertions on the effects say what went wrong.
        app.tasks[headers["task"]].apply(
            args=args, kwargs=kwargs, task_id=headers["id"], retries=headers.get("retries") or 0
        )
        ran.append(headers["task"])
    return ran


def post_webhook(
    client: Client, tautulli: TautulliConnection, key: object, event: str = "created"
) -> Any:
    """Post `{"rating_key": key, "event": event}` to a Tautulli connection's webhook, as its agent
    does, with Django's test client; returns the response (the test client's, with .json())."""
    return client.post(
        f"/webhooks/tautulli/{tautulli.webhook_secret}/",
        {"rating_key": str(key), "event": event},
        content_type="application/json",
    )


def near_miss(secret: str) -> str:
    """`secret` with its first character changed: a secret one typo away, never the secret
    itself (swapping in a fixed letter would give the secret back when it starts with it)."""
    return ("b" if secret[0] == "a" else "a") + secret[1:]


def plex_admin_form(url: str, token: str, **changes: str) -> dict[str, str]:
    """What the Plex connection's admin add/change form posts (its defaults), with `changes`."""
    data = {
        "name": "home plex",
        "url": url,
        "token": token,
        "verify_tls": "on",
        "timeout": "30",
        "enabled": "on",
        "new_series_cards": "on",
        "libraries": "",
        "upload_limit": "10",
        "label": "tcm",
        "card_type": "standard",
        "watched_style": "unique",
        "unwatched_style": "blur",
        "font": "",
        "watched_policy": "owner",
    }
    return {**data, **changes}


def tautulli_admin_form(plex: PlexConnection, **changes: str) -> dict[str, str]:
    """What the Tautulli connection's admin add/change form posts, with `changes` applied."""
    data = {
        "name": "home tautulli",
        "url": "http://192.168.1.10:8181/",
        "api_key": "0123456789abcdef0123456789abcdef",
        "plex": str(plex.pk),
        "verify_tls": "on",
        "timeout": "15",
        "tcm_url": "http://192.168.1.20:8000",
        "agent_name": "tcm",
        "trigger_on_watched": "on",
        "username": "",
    }
    return {**data, **changes}


# Card types that draw no text at all (the shared render tests expect none from them).
TEXTLESS = frozenset({"textless"})


@functools.lru_cache(maxsize=1)
def series_pictures() -> dict[str, str]:
    """A series' logo (transparent PNG) and poster (2:3 JPEG), made once per test process, as
    CardSpec fields: every card type gets them, so the ones that draw them can."""
    from cards.render import samples

    folder = Path(tempfile.mkdtemp(prefix="series-pictures-"))
    return {
        "logo": samples.save_logo(str(folder / "logo.png")),
        "poster": samples.save_poster(str(folder / "poster.jpg"), 400, 600),
    }


def admin_form_data(obj: Model, user: Any, **changes: str) -> dict[str, Any]:
    """What the admin's change form for `obj` posts unchanged (each field as the page shows it),
    with `changes` applied: a form a test can post to the change page or the live preview."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    model_admin = admin.site._registry[type(obj)]
    form = model_admin.get_form(request, obj, change=True)(instance=obj)
    forms: list[Any] = [form]
    management: dict[str, str] = {}
    # The inlines' rows and management forms too (a template's filters, season titles), as the
    # page posts them; an unsaved object posts only its inlines' empty management forms.
    inlines = model_admin.get_formsets_with_inlines(*([request, obj] if obj.pk else [request]))
    for formset_class, _ in inlines:
        formset = formset_class(instance=obj, prefix=formset_class.get_default_prefix())
        forms.extend(f for f in formset.initial_forms)
        # The saved rows only: the page's empty extra rows post nothing that counts.
        count = str(len(formset.initial_forms))
        management[f"{formset.prefix}-TOTAL_FORMS"] = management[
            f"{formset.prefix}-INITIAL_FORMS"
        ] = count
    data: dict[str, Any] = dict(management)
    for bound in (field for each in forms for field in each):
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = "" if value is None else str(value)
    return {**data, **changes}


def migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate the test database to `targets` (forwards or backwards); the historical models of
    that state (an `apps` to get_model from).

    The loader's project state of the targets, not the state the executor returns: going back
    on two apps at once, that one still has the later migrations of the app unapplied first."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)  # (its loader reads which migrations are applied)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest() -> None:
    """Every app's newest migration: the schema the rest of the suite expects after a test that
    migrated the test database back (later migrations' columns would be missing otherwise)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
