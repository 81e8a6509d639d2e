"""Fixtures shared by the whole suite: a real Celery worker on the real Redis, the fake Plex and
Tautulli, and a real browser (Playwright driving Debian's chromium) on a live server."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import functools
import inspect
import io
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

    from cards.render import CardSpec, RenderResult
    from connections.models import PlexConnection, TautulliConnection
    from tests.fakes.plex import FakePlex
    from tests.fakes.tautulli import FakeTautulli

_TESTS_DIR = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _secrets_of_this_test_only() -> Iterator[None]:
    """The log redaction forgets the secrets a test made when it ends, as a new process would.

    Every connection a test saves brings new random secrets, and tcm_site.logs recompiles one
    pattern of all the secrets it knows for each new one and matches every log line against
    it: over one worker's thousands of tests that grew to seconds per test (the secrets of
    hundreds of connections, where an installation has a handful)."""
    from tcm_site import logs

    known, pattern = set(logs._known), logs._known_pattern
    yield
    with logs._known_lock:
        logs._known.intersection_update(known)
        logs._known_pattern = pattern


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[object]:
    """A real Celery worker (threads in this process) consuming from the test run's Redis queues.

    Needs a transactional database: the worker's threads use their own connections and only see
    committed rows.
    """
    import celery.contrib.testing.tasks  # noqa: F401  (the ping task start_worker checks with)
    from celery.contrib.testing.worker import start_worker

    from tcm_site.celery import app

    # The consumer waits in BRPOP for up to polling_interval seconds (kombu's default: 1) and
    # stopping the worker waits for that wait to end: a tenth makes each teardown that much
    # shorter.
    options = app.conf.broker_transport_options
    app.conf.broker_transport_options = {**options, "polling_interval": 0.1}
    with start_worker(
        app, pool="threads", concurrency=4, perform_ping_check=True, shutdown_timeout=20
    ) as worker:
        yield worker
    app.conf.broker_transport_options = options


@pytest.fixture
def empty_broker_queue() -> Iterator[None]:
    """This run's broker queue, emptied first (a test before may have queued tasks no worker
    ran); tests.support.broker_messages() reads what is queued in it since."""
    import redis
    from django.conf import settings

    queue = os.environ["TCM_REDIS_PREFIX"] + settings.CELERY_TASK_DEFAULT_QUEUE
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(queue)
    yield


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What tcm's own console handler (the one with the redacting filter, from settings.LOGGING)
    writes during the test."""
    from tcm_site.logs import RedactSecrets

    handler = next(
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler)
        and any(isinstance(f, RedactSecrets) for f in h.filters)
    )
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(old)


@pytest.fixture
def fake_tautulli() -> Iterator[FakeTautulli]:
    """A fake Tautulli on loopback (tests/fakes/tautulli.py), with a fresh state."""
    from tests.fakes.tautulli import FakeTautulli

    with FakeTautulli() as fake:
        yield fake


@pytest.fixture
def tautulli_connection(fake_tautulli: FakeTautulli, db: None) -> TautulliConnection:
    """A Tautulli connection to the fake Tautulli; Tautulli reaches tcm at a LAN address."""
    from connections.models import PlexConnection, TautulliConnection

    plex = PlexConnection.objects.create(name="plex", url="http://127.0.0.1:32400", token="t")
    return TautulliConnection.objects.create(
        name="home tautulli",
        url=fake_tautulli.url,
        api_key=fake_tautulli.api_key,
        plex=plex,
        tcm_url="http://192.168.1.20:8000",
        timeout=5,
        # The agent tests were written about the two agents for items; the third one (Plex back
        # up, on by default) has its own tests (test_plex_back_up_releases_work.py).
        trigger_on_plex_up=False,
    )


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers (a hung server)."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)  # the kernel completes the handshakes; nobody ever reads or answers
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def fake_plex() -> Iterator[FakePlex]:
    """A fake Plex Media Server on loopback (tests/fakes/plex.py), empty."""
    from tests.fakes.plex import FakePlex

    with FakePlex() as fake:
        yield fake


@pytest.fixture
def plex_connection(fake_plex: FakePlex, db: None) -> PlexConnection:
    """A Plex connection to the fake Plex, with a short timeout so that hangs fail fast."""
    from connections.models import PlexConnection

    return PlexConnection.objects.create(
        name="home plex", url=fake_plex.url, token=fake_plex.token, timeout=2
    )


@pytest.fixture
def plex_tautulli(plex_connection: PlexConnection) -> TautulliConnection:
    """A Tautulli connection whose Plex is the fake Plex: webhook events for it reach Plex."""
    from connections.models import TautulliConnection

    return TautulliConnection.objects.create(
        name="tautulli", url="http://127.0.0.1:9", api_key="k" * 32, plex=plex_connection
    )


@pytest.fixture
def quick_retries(settings: Any) -> Any:
    """Retries, lock waits and watched re-checks in fractions of a second instead of minutes."""
    settings.TCM_RETRY_BASE_DELAY = 0.2
    settings.TCM_RETRY_MAX_DELAY = 0.5
    settings.TCM_LOCK_RETRY_DELAY = 0.2
    settings.TCM_WATCHED_RECHECK_DELAYS = [0.3] * 5
    return settings


@pytest.fixture(scope="session")
def _chromium() -> Iterator[tuple[Browser, asyncio.AbstractEventLoop]]:
    """One headless chromium (the system's, never a downloaded one) driven by Playwright for the
    whole pytest process (each xdist worker has its own), and the event loop Playwright drives
    it from: launching it took a second or more of every browser test. Skips, saying why, when
    Playwright or chromium is missing (`.ci/run` installs chromium).

    Playwright's sync API marks its event loop as running in this thread after each of its
    calls, for as long as it lives, and Django then refuses every ORM call as one made from
    async code. So the loop counts as running only while a browser test runs (`browser` below):
    it is cleared here once chromium is up and the tests without a browser never see it."""
    from tests.support import chromium_path

    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed"
    )
    executable = chromium_path()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    playwright = sync_api.sync_playwright().start()
    loop = asyncio.get_running_loop()
    try:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
    except BaseException:
        # Not left marked as running for the rest of the session's tests either.
        try:
            playwright.stop()
        finally:
            asyncio._set_running_loop(None)
        raise
    asyncio._set_running_loop(None)
    try:
        yield launched, loop
    finally:
        # Stopping runs the loop once more: it must count as running meanwhile.
        asyncio._set_running_loop(loop)
        try:
            launched.close()
            playwright.stop()
        finally:
            asyncio._set_running_loop(None)


@pytest.fixture
def browser(
    _chromium: tuple[Browser, asyncio.AbstractEventLoop], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Browser]:
    """The session's chromium, for one test: a test makes its own context (`browser.new_context`),
    which isolates its cookies, storage and pages from every other test's; any context it leaves
    open is closed at its end."""
    launched, loop = _chromium
    # Playwright's calls need their loop to count as running (its tasks ask for the running
    # loop); each call marks it so again anyway.
    asyncio._set_running_loop(loop)
    # While the loop counts as running, Django would refuse every ORM call of the test as one
    # made from async code. The test's own calls are plain synchronous ones; the server runs in
    # a thread of its own.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections

    try:
        yield launched
    finally:
        try:
            for context in launched.contexts:
                context.close()
        finally:
            # The ORM calls made while the loop counted as running got a database connection of
            # their own (Django keeps connections per context then); left open, PostgreSQL would
            # refuse to drop the test database at the end. (Not one a test's transaction is open
            # on.)
            for connection in connections.all(initialized_only=True):
                if not connection.in_atomic_block:
                    connection.close()
            # The next test, with or without a browser, starts with no loop running.
            asyncio._set_running_loop(None)


@pytest.fixture
def admin_page(
    browser: Browser, live_server: LiveServer, transactional_db: None, django_user_model: Any
) -> Iterator[Page]:
    """A browser page logged in to the admin of a live server (1400 x 900, light theme) as a
    superuser; `page.goto("/admin/...")` takes paths. The server sees what the test commits.

    Logged in with a session cookie the test client made (`force_login`), not through the login
    form: the form is tested in tests/test_first_run_in_browser.py, and typing it cost every
    test two page loads."""
    from django.conf import settings
    from django.test import Client

    from tests.support import BROWSER_VIEWPORT

    admin = django_user_model.objects.create_superuser("admin", "", "browser-test-pw-5150")
    client = Client()
    client.force_login(admin)
    context = browser.new_context(
        base_url=live_server.url, viewport=BROWSER_VIEWPORT, color_scheme="light"
    )
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": session.key, "value": session.value, "url": live_server.url}])
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[Page, str], Path]:
    """`screenshot(page, "step")` saves a PNG of the step as a test artifact and returns its
    path: the whole page under $TCM_SCREENSHOTS/<test> when that is set (pictures someone asked
    for), else what the window shows, in the test's tmp dir. A whole admin page is thousands of
    pixels tall and took a second or more to take and encode, several times over in each browser
    test; the window's picture is a few tenths."""
    from pathlib import Path

    base = os.environ.get("TCM_SCREENSHOTS")
    folder = Path(base) / request.node.name if base else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        from playwright.sync_api import Error

        path = folder / f"{name}.png"
        try:
            page.screenshot(path=str(path), full_page=bool(base))
        except Error as error:
            # Chromium refuses a capture while the page is being swapped for the next one
            # ("Unable to capture screenshot"); the picture is an artifact, not a check, so
            # it is taken again once the page has settled.
            if "Unable to capture screenshot" not in str(error):
                raise
            page.wait_for_load_state()
            page.screenshot(path=str(path), full_page=bool(base))
        return path

    return take


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests import settings

    # A part of the suite that --db-only emptied (`-m serial` with no database test in it)
    # has nothing to prove on this database: not a failure of CI's second run.
    summary = session.config.stash.get(_DB_ONLY, None)
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED and summary and summary.emptied:
        session.exitstatus = pytest.ExitCode.OK

    if settings.OWNS_DATA_DIR:
        shutil.rmtree(os.environ["TCM_TEST_DATA_DIR"], ignore_errors=True)


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A generated 1920x1080 landscape (JPEG), made once per test module; a module that needs
    another still defines its own `still`."""
    from cards.render.samples import save_landscape

    return save_landscape(str(tmp_path_factory.mktemp("still") / "still.jpg"), 1920, 1080)


@pytest.fixture(scope="module")
def small_still(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same landscape at 480x270, for the tests that only need a card drawn."""
    from cards.render.samples import save_landscape

    return save_landscape(str(tmp_path_factory.mktemp("small") / "still.jpg"), 480, 270)


@pytest.fixture(scope="module")
def rendered() -> Callable[[CardSpec], RenderResult]:
    """render(), remembered for one test module: tests that look at the same card from different
    sides (where its text is, whether an option changes it) share one render of it instead of
    each drawing it again. A render is pure and deterministic (test_render_output and the
    re-render tests of the type files check that, with render() itself), so the shared result
    is the one each would get. Module scope frees the pictures when the module is done. Never
    change what it returns: the next test gets the same object."""
    from cards.render import render

    return functools.lru_cache(maxsize=None)(render)


def _database_use(item: pytest.Item) -> int:
    """pytest-django's order of a test: 0 with the database, 1 transactional, 2 without it."""
    from pytest_django.plugin import validate_django_db

    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    transactional = bool(marker and any(validate_django_db(marker)[:2]))
    if transactional or "transactional_db" in fixtures or "live_server" in fixtures:
        return 1
    return 0 if marker or "db" in fixtures else 2


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db-only",
        action="store_true",
        help="run only the tests that can reach the database (CI's second run, on PostgreSQL): "
        "deselect those with no django_db marker, no database fixture and no process that "
        "could open the database",
    )


# pytest-django's fixtures that give a test the database (the ones that depend on them, ours
# included, have them in the test's fixture closure too); the first one found names the reason.
_DB_FIXTURES = (
    "live_server",
    "transactional_db",
    "db",
    "django_db_setup",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "_django_db_helper",
)
# What in a test module's source could start a process that opens the database itself (a
# worker, the web server, `./tcm run`, manage.py), where pytest-django's blocker cannot see, or
# make the test depend on which database is configured. Matched on the whole module (its
# helpers and fixtures included), so a false hit only keeps a test.
_DB_REACH = re.compile(
    r"subprocess|Popen|multiprocessing|os\.system|os\.exec|os\.fork|os\.spawn"
    r"|WorkerProcess|WebServer|tcm_run|run_python|child_env|fresh_env|tcm_env|start_worker"
    r"|django_db_blocker|getfixturevalue|DATABASE|django\.db|sqlite|psycopg|postgres"
)


@functools.cache
def _source_reaches_db(path: str) -> str | None:
    """The first thing in the file at `path` that could reach the database, or None."""
    try:
        text = Path(path).read_text()
    except OSError:
        return "its source could not be read"
    found = _DB_REACH.search(text)
    return found.group(0) if found else None


def _database_reach(item: pytest.Item) -> str | None:
    """Why the test can reach the database (a marker, a fixture, a process it may start), or
    None when it cannot: without the django_db marker or a database fixture, pytest-django
    blocks every connection this process opens (in any thread), so such a test that passes
    never queried the database in-process; and its module starts no process that could.

    Conservative: anything but a plain test function, and any fixture whose source cannot be
    read, counts as reaching the database."""
    if item.get_closest_marker("django_db") is not None:
        return "django_db marker"
    if not isinstance(item, pytest.Function) or item.module is None:
        return "not a plain test function"
    cls = getattr(item, "cls", None)
    if cls is not None and getattr(cls, "databases", None):
        return "a Django test case with databases"
    fixtures = set(item.fixturenames)
    for name in _DB_FIXTURES:
        if name in fixtures:
            return f"fixture {name}"
    if item.get_closest_marker("own_database") is not None:
        # Its processes start from fresh_env (no DATABASE_ variable): they open a SQLite file
        # of their own whatever database this run was given, so a second run proves nothing.
        return None
    sources = {str(item.path)}
    # Our own fixtures that live outside the test module (conftest.py): only the function
    # itself is read, since conftest.py as a whole defines the database fixtures.
    for name in fixtures:
        for fixturedef in item._fixtureinfo.name2fixturedefs.get(name, ()):
            func = fixturedef.func
            module = inspect.getmodule(func)
            module_file = getattr(module, "__file__", None)
            if module_file is None:
                return f"fixture {name} of unknown origin"
            file = Path(module_file).resolve()
            if _TESTS_DIR not in file.parents:
                continue  # pytest's and plugins' own (pytest-django's are in _DB_FIXTURES)
            if file == Path(__file__).resolve():
                try:
                    source = inspect.getsource(func)
                except (OSError, TypeError):
                    return f"fixture {name} (its source could not be read)"
                used = _DB_REACH.search(source)
                if used:
                    return f"fixture {name} ({used.group(0)})"
            else:
                sources.add(str(file))
    for source in sorted(sources):
        found = _source_reaches_db(source)
        if found:
            return f"{Path(source).name} mentions {found}"
    return None


def _deselect_unreachable(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With --db-only, deselect the tests that cannot reach the database (_database_reach):
    on a second database they would prove nothing the first run did not."""
    if not config.getoption("db_only"):
        return
    kept: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    reasons: collections.Counter[str] = collections.Counter()
    for item in items:
        reason = _database_reach(item)
        if reason is None:
            deselected.append(item)
        else:
            kept.append(item)
            # Counted by kind: the fixture's name or the word found, not the module.
            reasons[re.sub(r" \(.*\)$|^\S+\.py ", "", reason)] += 1
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
    modules = collections.Counter(item.path.name for item in deselected)
    lines = [
        f"--db-only: kept {len(kept)} tests that can reach the database, deselected "
        f"{len(deselected)} that cannot (no django_db marker, no database fixture, no process "
        f"that could open it) in {len(modules)} modules"
    ]
    lines += [f"  kept for {reason}: {n}" for reason, n in reasons.most_common()]
    lines += [f"  deselected in {name}: {n}" for name, n in sorted(modules.items())]
    summary = _DbOnly(lines, emptied=bool(deselected) and not kept)
    config.stash[_DB_ONLY] = summary
    # pytest-xdist's workers collect and the controller reports: the summary travels back
    # with the worker's output (pytest_testnodedown).
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["tcm_db_only"] = (summary.lines, summary.emptied)


@dataclasses.dataclass
class _DbOnly:
    """What --db-only did: the lines it reports, and whether it deselected every test left."""

    lines: list[str]
    emptied: bool


_DB_ONLY = pytest.StashKey[_DbOnly]()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """On pytest-xdist's controller: keep the first worker's --db-only summary (every worker
    collects the same tests)."""
    found = getattr(node, "workeroutput", {}).get("tcm_db_only")
    if found and _DB_ONLY not in node.config.stash:
        node.config.stash[_DB_ONLY] = _DbOnly(list(found[0]), emptied=found[1])


def pytest_report_collectionfinish(config: pytest.Config) -> list[str]:
    """The --db-only count right after collection (without pytest-xdist; the details at the
    end)."""
    summary = config.stash.get(_DB_ONLY, None)
    return summary.lines[:1] if summary else []


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The --db-only summary at the end, where pytest-xdist's runs show it at all."""
    summary = config.stash.get(_DB_ONLY, None)
    if summary:
        terminalreporter.section("--db-only")
        for line in summary.lines:
            terminalreporter.write_line(line)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow tests first, so that on several xdist workers (`./tcm test`) the long ones do not
    come last and leave the other workers idle at the end.

    Within pytest-django's order (tests with the database, then transactional ones, then those
    without it), which this keeps: a transactional test empties the database, rows the migrations
    made included, so the plain database tests must come before it on a worker. Only the slow
    tests without the database, which cannot touch another test's rows, move to the very front.
    First, with --db-only, the tests that cannot reach the database go (_deselect_unreachable).
    """

    def key(item: pytest.Item) -> tuple[int, bool]:
        slow = item.get_closest_marker("slow") is not None
        use = _database_use(item)
        return (-1 if slow and use == 2 else use, not slow)

    _deselect_unreachable(config, items)
    items.sort(key=key)  # stable: otherwise the order stays as collected
