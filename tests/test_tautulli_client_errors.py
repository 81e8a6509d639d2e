"""Every way a call to Tautulli goes wrong is one error that says what happened, and whether a
retry helps; none of them carries the API key."""

from __future__ import annotations

import logging

import pytest

from connections.tautulli import (
    ApiDisabled,
    CannotConnect,
    CommandFailed,
    InvalidApiKey,
    NotTautulli,
    TautulliClient,
    TautulliError,
)
from tests.fakes.tautulli import FakeTautulli


def _error(client: TautulliClient) -> TautulliError:
    with pytest.raises(TautulliError) as info:
        client.status()
    return info.value


def test_it_reports_a_refused_connection_as_transient(closed_port: int) -> None:
    error = _error(TautulliClient(f"http://127.0.0.1:{closed_port}", "k" * 32))
    assert isinstance(error, CannotConnect)
    assert error.transient
    assert "connection refused" in str(error)


def test_it_reports_an_unknown_host() -> None:
    error = _error(TautulliClient("http://nonexistent.invalid:8181", "k" * 32))
    assert isinstance(error, CannotConnect)
    assert "does not resolve" in str(error)
    assert "nonexistent.invalid" in str(error)


def test_it_reports_a_timeout(silent_port: int) -> None:
    error = _error(TautulliClient(f"http://127.0.0.1:{silent_port}", "k" * 32, timeout=0.5))
    assert isinstance(error, CannotConnect)
    assert error.transient
    assert "no answer within 0.5 s" in str(error)


def test_it_recognises_a_web_page_as_not_tautulli(fake_tautulli: FakeTautulli) -> None:
    fake_tautulli.html = True
    error = _error(TautulliClient(fake_tautulli.url, fake_tautulli.api_key))
    assert isinstance(error, NotTautulli)
    assert not error.transient
    assert "text/html" in str(error)


def test_it_recognises_a_wrong_path_as_not_tautulli() -> None:
    # Tautulli behind an http root, URL given without it: the server's 404 page answers.
    with FakeTautulli(http_root="tautulli") as fake:
        error = _error(TautulliClient(f"http://127.0.0.1:{fake.port}/", fake.api_key))
    assert isinstance(error, NotTautulli)
    assert "HTTP 404" in str(error)


def test_it_reports_a_wrong_api_key(fake_tautulli: FakeTautulli) -> None:
    error = _error(TautulliClient(fake_tautulli.url, "f" * 32))
    assert isinstance(error, InvalidApiKey)
    assert not error.transient
    assert "rejected the API key" in str(error)


def test_it_reports_a_disabled_api(fake_tautulli: FakeTautulli) -> None:
    fake_tautulli.api_enabled = False
    error = _error(TautulliClient(fake_tautulli.url, fake_tautulli.api_key))
    assert isinstance(error, ApiDisabled)
    assert "Enable API" in str(error)


def test_it_reports_a_command_that_raised_inside_tautulli(fake_tautulli: FakeTautulli) -> None:
    fake_tautulli.fail("status")
    error = _error(TautulliClient(fake_tautulli.url, fake_tautulli.api_key))
    assert isinstance(error, CommandFailed)
    assert error.transient
    assert "Check the logs for errors" in str(error)


def test_it_reports_a_refused_command_with_tautullis_message(
    fake_tautulli: FakeTautulli,
) -> None:
    fake_tautulli.fail("add_notifier_config", "Failed to add notification agent.", status=400)
    client = TautulliClient(fake_tautulli.url, fake_tautulli.api_key)
    with pytest.raises(CommandFailed) as info:
        client.add_notifier_config()
    assert not info.value.transient
    assert info.value.tautulli_message == "Failed to add notification agent."


def test_no_error_or_log_line_carries_the_api_key(
    fake_tautulli: FakeTautulli,
    silent_port: int,
    closed_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = fake_tautulli.api_key
    caplog.set_level(logging.DEBUG)
    errors = []
    for url, timeout in [
        (f"http://127.0.0.1:{closed_port}", 5),
        ("http://nonexistent.invalid:8181", 5),
        (f"http://127.0.0.1:{silent_port}", 0.3),
        (fake_tautulli.url, 5),
    ]:
        fake_tautulli.api_enabled = url != fake_tautulli.url
        errors.append(_error(TautulliClient(url, key, timeout=timeout)))
    fake_tautulli.api_enabled = True
    fake_tautulli.html = True
    errors.append(_error(TautulliClient(fake_tautulli.url, key)))
    for error in errors:
        assert key not in str(error)
        assert key not in repr(error.args)
    assert key not in caplog.text
