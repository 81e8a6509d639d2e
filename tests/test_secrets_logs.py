"""No secret reaches a log line or a stored error. A run through webhook posts (good, refused,
unknown secret, broker down), Plex failing every way (500, hanging, refusing, rejecting the
token) and Tautulli failing every way (wrong key, not Tautulli, gone) is logged at DEBUG - every
logger, plexapi's and urllib3's request lines included - and both what the log records hold
and what tcm's redacting console handler writes are searched for the Plex token, the Tautulli
API key and the webhook secret. URLs carrying X-Plex-Token or apikey come out redacted."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable

import pytest
from django.test import Client

from cards.models import JobRun, TitleCard, WebhookEvent
from cards.relay import relay_new_events
from cards.tasks import process_webhook_event
from connections.models import PlexConnection, TautulliConnection
from tcm_site.webserver import ACCESS_FORMAT
from tests.fakes.plex import FakePlex
from tests.fakes.tautulli import FakeTautulli
from tests.support import admin_action, near_miss
from tests.test_webhook_dispatch import dead_broker  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

UNREDACTED = re.compile(r"(?i)(x-plex-token|apikey|api_key|token)=(?!\*\*\*)[^&\s'\"<>]+")


@pytest.fixture
def everything(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG, the chatty ones too."""
    caplog.set_level(logging.DEBUG)
    for name in ("plexapi", "urllib3", "requests", "celery", "kombu", "django"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def webhook_posts(client: Client, tautulli: TautulliConnection) -> None:
    url = f"/webhooks/tautulli/{tautulli.webhook_secret}/"
    assert client.post(url, {"rating_key": "5151"}, "application/json").status_code == 202
    relay_new_events()  # the relay's round, against the dead broker
    for body, status in [
        ('{"rating_key": "{rating_key}"}', 200),
        ("{not json", 400),
        ('{"rating_key": "abc"}', 400),
        ("x" * 70_000, 413),
    ]:
        assert client.post(url, body, content_type="application/json").status_code == status
    assert client.get(url).status_code == 405
    wrong = f"/webhooks/tautulli/{near_miss(tautulli.webhook_secret)}/"
    assert client.post(wrong, '"1"', content_type="application/json").status_code == 404


def plex_failures(fake_plex: FakePlex, tautulli: TautulliConnection, settings: object) -> None:
    """One event per way Plex can fail, processed by the real task in this process (with a
    retry limit of one, so that a transient failure is final at once)."""
    settings.TCM_RETRY_LIMIT = 1
    keys = fake_plex.episodes(fake_plex.add_series("Harbour", episodes=6))
    faults: list[Callable[[], object]] = [
        lambda: None,  # works: plexapi's request lines at DEBUG
        lambda: fake_plex.fail(500),
        lambda: fake_plex.hang(5),
        fake_plex.refuse,
        fake_plex.revoke_token,
        lambda: None,  # after the token was rejected: refused without a request
    ]
    for key, fault in zip(keys, faults, strict=True):
        fault()
        event = WebhookEvent.objects.create(connection=tautulli, rating_key=str(key))
        process_webhook_event.apply(args=[event.pk])
        if fault is not fake_plex.revoke_token:
            fake_plex.recover()


def tautulli_failures(admin_client: Client, fake_tautulli: FakeTautulli) -> None:
    tautulli = TautulliConnection.objects.get()
    admin_action(admin_client, tautulli, "create_agents")
    admin_action(admin_client, tautulli, "send_test_notification")  # cannot reach tcm
    real_key = fake_tautulli.api_key
    fake_tautulli.api_key = "another-key-" + "z" * 20
    admin_action(admin_client, tautulli, "create_agents")
    fake_tautulli.api_key = real_key
    fake_tautulli.html = True
    admin_action(admin_client, tautulli, "create_agents")
    fake_tautulli.html = False
    fake_tautulli.stop()
    admin_action(admin_client, tautulli, "remove_agents")
    admin_action(admin_client, tautulli, "rotate_webhook_secret")


def urls_with_secrets(plex: PlexConnection, tautulli: TautulliConnection) -> None:
    """Lines as plexapi, requests and the web server write them when a URL carries a secret."""
    logging.getLogger("plexapi").debug(
        "GET %s", f"{plex.url}/library/metadata/1/thumb?X-Plex-Token={plex.token}"
    )
    logging.getLogger("urllib3.connectionpool").debug(
        '%s "POST /api/v2?apikey=%s&cmd=status HTTP/1.1" 200 None', tautulli.url, tautulli.api_key
    )
    # Granian's access log: the format string with a dict of the request's parts.
    logging.getLogger("granian.access").info(
        ACCESS_FORMAT,
        {
            "addr": "192.168.1.30",
            "method": "POST",
            "path": f"/webhooks/tautulli/{tautulli.webhook_secret}/",
            "protocol": "HTTP/1.1",
            "status": 202,
            "dt_ms": 3.2,
        },
    )
    try:
        raise ConnectionError(f"cannot fetch {plex.url}/?X-Plex-Token={plex.token}")
    except ConnectionError:
        logging.getLogger("cards.tasks").exception("unexpected failure")


def test_no_secret_reaches_a_log_line_or_a_stored_error(
    everything: pytest.LogCaptureFixture,
    console: io.StringIO,
    client: Client,
    admin_client: Client,
    fake_plex: FakePlex,
    fake_tautulli: FakeTautulli,
    settings: object,
    dead_broker: str,  # noqa: F811
) -> None:
    plex = PlexConnection.objects.create(
        name="home plex", url=fake_plex.url, token=fake_plex.token, timeout=1
    )
    tautulli = TautulliConnection.objects.create(
        name="home tautulli",
        url=fake_tautulli.url,
        api_key=fake_tautulli.api_key,
        plex=plex,
        tcm_url="http://127.0.0.1:9",
    )
    secrets = [fake_plex.token, fake_tautulli.api_key, tautulli.webhook_secret]

    webhook_posts(client, tautulli)
    plex_failures(fake_plex, tautulli, settings)
    admin_action(admin_client, plex, "test_connection")  # the rejected token, named
    tautulli_failures(admin_client, fake_tautulli)
    urls_with_secrets(plex, tautulli)
    secrets += [t.webhook_secret for t in TautulliConnection.objects.all()]

    records = everything.text
    written = console.getvalue()
    # The run was logged: requests, failures, refusals - and redacted lines.
    for expected in (
        "could not be queued",
        "unknown webhook URL",
        "answered with an error (HTTP 500)",
        "timeout",
        "refused the connection",
        "rejected the token",
        "rejected the API key",
        "X-Plex-Token=***",
        "apikey=***",
        "/webhooks/tautulli/***/",
    ):
        assert expected in written, expected
    assert "Traceback" in written
    for secret in secrets:
        assert secret not in records, "a log record holds a secret"
        assert secret not in written, "the console shows a secret"
    assert not UNREDACTED.search(records) and not UNREDACTED.search(written)

    stored = [
        *PlexConnection.objects.values_list("last_error", flat=True),
        *TautulliConnection.objects.values_list("last_error", flat=True),
        *WebhookEvent.objects.values_list("last_error", flat=True),
        *TitleCard.objects.values_list("last_error", flat=True),
        *JobRun.objects.values_list("error", flat=True),
    ]
    assert any("HTTP 500" in e for e in stored) and any("rejected" in e for e in stored)
    for text in stored:
        assert not UNREDACTED.search(text), text
        for secret in secrets:
            assert secret not in text


def test_a_token_in_a_stored_url_is_redacted_in_logs_and_stored_errors(
    everything: pytest.LogCaptureFixture,
    console: io.StringIO,
    admin_client: Client,
    fake_plex: FakePlex,
    settings: object,
) -> None:
    """A Plex URL with the token in its query, as copied from Plex Web (the form refuses it now;
    a row from before, or one written by other means, still has it)."""
    settings.TCM_RETRY_LIMIT = 1
    key = fake_plex.episodes(fake_plex.add_series("Harbour", episodes=1))[0]
    plex = PlexConnection.objects.create(
        name="legacy", url=f"{fake_plex.url}/?X-Plex-Token={fake_plex.token}", token=fake_plex.token
    )
    tautulli = TautulliConnection.objects.create(
        name="tautulli", url="http://127.0.0.1:9", api_key="k" * 32, plex=plex
    )
    fake_plex.refuse()
    event = WebhookEvent.objects.create(connection=tautulli, rating_key=str(key))
    process_webhook_event.apply(args=[event.pk])
    admin_action(admin_client, plex, "test_connection")

    event.refresh_from_db()
    plex.refresh_from_db()
    for text in (event.last_error, plex.last_error, everything.text, console.getvalue()):
        assert "refused the connection" in text
        assert "X-Plex-Token=***" in text
        assert fake_plex.token not in text
        assert not UNREDACTED.search(text)
