"""No admin page shows a secret: every page of every model (lists, add, change, history, delete
confirmations, custom views) and the page after every admin action - when the fake Plex and fake
Tautulli answer, and when they refuse - is searched for the Plex token, the Tautulli API key and
the webhook secret. The webhook secret may appear only masked.

Everything logged meanwhile, at DEBUG, by every logger (Django's, plexapi's, urllib3's,
Celery's, ours) is searched too: what tcm's console handler writes, and what the log records
themselves carry."""

from __future__ import annotations

import io
import logging
import logging.config
from collections.abc import Iterator

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from connections.models import TautulliConnection
from tcm_site.logs import RedactSecrets, redact
from tests.fakes.plex import FakePlex
from tests.fakes.tautulli import FakeTautulli
from tests.support import admin_pages, one_of_each

pytestmark = pytest.mark.django_db


class RawRecords(logging.Handler):
    """Keeps each record's message and traceback as the logger made them."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + record.stack_info
        self.lines.append(text)


class Logs:
    """Everything logged while installed, at DEBUG, by every logger, seen twice.

    `written` is what tcm's console handler (settings.LOGGING: the root's handler, with the
    redacting filter) writes - what an operator reads in `docker compose logs`. `raw` is each
    record as its logger made it, from a handler put on the root in front of the console
    handler: the redacting filter rewrites the record itself (msg, args, exc_text), so every
    handler after it sees the redacted text only.
    """

    def __init__(self) -> None:
        self.raw = RawRecords()
        self.written = io.StringIO()
        self._levels: dict[logging.Logger, tuple[int, bool]] = {}
        self._streams: list[tuple[logging.StreamHandler, object]] = []

    def install(self) -> None:
        root = logging.getLogger()
        # Quiet loggers would hide what they say at DEBUG: settings.LOGGING puts urllib3 and
        # redis at WARNING, Django's default config "django" at INFO, and plexapi sets INFO on
        # itself when imported. A logger that does not propagate (django.server) would never
        # reach the root's handlers.
        loggers = [root, *logging.root.manager.loggerDict.values()]
        for logger in loggers:
            if not isinstance(logger, logging.Logger):
                continue  # a placeholder for a logger nobody made yet: it will inherit
            self._levels.setdefault(logger, (logger.level, logger.propagate))
            if logger.level > logging.DEBUG:
                logger.setLevel(logging.DEBUG)
            logger.propagate = True
        consoles = [
            h for h in root.handlers if any(isinstance(f, RedactSecrets) for f in h.filters)
        ]
        for handler in consoles:
            if handler.stream is not self.written:
                old = handler.setStream(self.written)
                self._streams.append((handler, old))
        if self.raw not in root.handlers:
            root.handlers.insert(0, self.raw)

    def uninstall(self) -> None:
        logging.getLogger().removeHandler(self.raw)
        for handler, stream in self._streams:
            handler.setStream(stream)
        for logger, (level, propagate) in self._levels.items():
            logger.setLevel(level)
            logger.propagate = propagate


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Logs]:
    """All log output of the test (see Logs)."""
    capture = Logs()
    real_dict_config = logging.config.dictConfig

    def dict_config(config: dict) -> None:
        # Logging can be configured anew in the middle of the test, dropping the capture:
        # django_celery_beat's "Run selected tasks" action imports the Celery app's modules,
        # and Celery's Django fixup answers with django.setup(), which applies settings.LOGGING
        # again (a new console handler, urllib3 back at WARNING). Put the capture back at once.
        real_dict_config(config)
        capture.install()

    monkeypatch.setattr(logging.config, "dictConfig", dict_config)
    capture.install()
    assert capture._streams, "no handler with tcm's redacting filter on the root logger"
    try:
        yield capture
    finally:
        capture.uninstall()


def assert_logs_clean(logs: Logs, secret_values: list[str], loggers: tuple[str, ...]) -> None:
    """No secret in the log output; `loggers` must have said something (the check is not
    vacuous, and their DEBUG lines were let through)."""
    written = logs.written.getvalue()
    assert logs.raw.lines and written
    said = {line.split(" ", 2)[1].rstrip(":") for line in logs.raw.lines}
    for name in loggers:
        assert any(n == name or n.startswith(f"{name}.") for n in said), f"nothing from {name}"
        assert f" {name}" in written, f"the console wrote nothing from {name}"
    for secret in secret_values:
        assert secret not in written, "tcm's log output shows a secret"
    # Before the filter: tcm_site/logs.py redacts at the handler ("one filter on every handler
    # scrubs them all, so no call site has to remember"), so a record may carry a secret - a
    # URL with X-Plex-Token or apikey that plexapi or requests put in a message - as long as
    # no handler writes it. What must hold for every record, then, is that the filter knows
    # the form the secret is in: through redact(), each one comes out clean.
    for line in logs.raw.lines:
        clean = redact(line)  # once a line, not once a secret: the same text each time
        for secret in secret_values:
            assert secret not in clean, f"the filter misses a secret in: {line[:300]}"


@pytest.fixture
def objects(logs: Logs, fake_plex: FakePlex, fake_tautulli: FakeTautulli) -> list:
    fake_plex.add_series("Harbour", episodes=2)
    return one_of_each(
        token=fake_plex.token,
        api_key=fake_tautulli.api_key,
        plex_url=fake_plex.url,
        tautulli_url=fake_tautulli.url,
    )


def secrets(fake_plex: FakePlex, fake_tautulli: FakeTautulli) -> list[str]:
    webhook = [t.webhook_secret for t in TautulliConnection.objects.all()]
    return [fake_plex.token, fake_tautulli.api_key, *webhook]


def assert_clean(text: str, secret_values: list[str], where: str) -> None:
    for secret in secret_values:
        assert secret not in text, f"{where} shows a secret"


@pytest.mark.slow
def test_no_admin_page_shows_a_secret(
    logs: Logs,
    admin_client: Client,
    objects: list,
    fake_plex: FakePlex,
    fake_tautulli: FakeTautulli,
) -> None:
    pages = admin_pages(objects)
    assert len(pages) > 60
    hidden = secrets(fake_plex, fake_tautulli)
    for url in pages:
        response = admin_client.get(url)
        if response.status_code == 405:  # POST only (the live preview): its answer to a post
            response = admin_client.post(url, {})
        assert response.status_code in (200, 302, 400, 403, 404), (url, response.status_code)
        body = b"".join(response) if response.streaming else response.content
        assert_clean(body.decode(errors="replace"), hidden, url)

    tautulli = next(o for o in objects if isinstance(o, TautulliConnection))
    change = admin_client.get(
        reverse("admin:connections_tautulliconnection_change", args=[tautulli.pk])
    )
    assert "/webhooks/tautulli/***/" in change.content.decode()
    # Django's template engine logs, at DEBUG, every variable it cannot resolve together with
    # the whole context (forms, widgets, objects): the pages' data, in the log.
    assert_logs_clean(logs, hidden, ("django.template", "django.request"))


def every_action(user: User, objects: list) -> list[tuple[object, str]]:
    """(object, action name) for every action every model admin offers."""
    request = RequestFactory().get("/admin/")
    request.user = user
    found = []
    for model, model_admin in admin.site._registry.items():
        target = next((o for o in objects if isinstance(o, model)), None)
        if target is not None:
            found += [(target, name) for name in model_admin.get_actions(request)]
    return found


def run_actions(
    client: Client, user: User, objects: list, hidden: list[str], when: str
) -> set[str]:
    """Run every action on the page, checking each page after; `hidden` grows by the webhook
    secrets that come up meanwhile (rotation)."""
    ran = set()
    for obj, action in every_action(user, objects):
        meta = obj._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        # Without "post": delete_selected shows its confirmation page and deletes nothing.
        response = client.post(
            url,
            {"action": action, "_selected_action": [obj.pk]},
            follow=True,
        )
        assert response.status_code == 200, (action, response.status_code)
        shown = response.content.decode()
        shown += "".join(m.message for m in response.context["messages"])
        # A rotated webhook secret must not show from then on, on pages nor in the logs.
        hidden += [secret for secret in secrets_now() if secret not in hidden]
        assert_clean(shown, hidden, f"{when}: the page after {action}")
        ran.add(f"{meta.model_name}.{action}")
    return ran


def secrets_now() -> list[str]:
    # Rotating the webhook secret makes a new one: it must not show either.
    return [t.webhook_secret for t in TautulliConnection.objects.all()]


@pytest.mark.slow
def test_no_action_page_shows_a_secret(
    logs: Logs,
    admin_client: Client,
    admin_user: User,
    objects: list,
    fake_plex: FakePlex,
    fake_tautulli: FakeTautulli,
) -> None:
    hidden = secrets(fake_plex, fake_tautulli)
    ran = run_actions(admin_client, admin_user, objects, hidden, "servers answering")
    assert {
        "plexconnection.test_connection",
        "tautulliconnection.create_agents",
        "tautulliconnection.send_test_notification",
        "tautulliconnection.rotate_webhook_secret",
        "titlecard.delete_selected",
    } <= ran

    # The same with Plex rejecting the token and Tautulli the key, then with both gone.
    fake_plex.revoke_token()
    fake_tautulli.api_key = "another-key-" + "x" * 20
    run_actions(admin_client, admin_user, objects, hidden, "keys rejected")
    fake_plex.refuse()
    fake_tautulli.stop()
    run_actions(admin_client, admin_user, objects, hidden, "servers gone")
    for url in admin_pages(objects):
        content = admin_client.get(url)
        body = b"".join(content) if content.streaming else content.content
        assert_clean(body.decode(errors="replace"), hidden + secrets_now(), url)
    # The requests to Plex and Tautulli were logged (urllib3 and plexapi are quiet by default).
    loggers = ("urllib3.connectionpool", "plexapi", "connections.tautulli", "django.template")
    assert_logs_clean(logs, hidden, loggers)
