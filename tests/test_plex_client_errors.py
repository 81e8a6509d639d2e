"""Every Plex failure is classified: auth and not found are permanent, unavailable (timeouts,
refused connections, TLS failures, 5xx) is transient. The token never appears in a message."""

from __future__ import annotations

import time

import pytest

from connections.plex import (
    PlexAuthError,
    PlexClient,
    PlexError,
    PlexNotFound,
    PlexUnavailable,
)


def client(fake_plex, token: str | None = None, timeout: float = 1) -> PlexClient:
    return PlexClient(fake_plex.url, token or fake_plex.token, timeout=timeout)


def assert_clean(exc: PlexError, token: str) -> None:
    assert token not in str(exc)
    assert "X-Plex-Token" not in str(exc)


def test_it_reports_a_wrong_token_as_a_permanent_auth_error(fake_plex) -> None:
    with pytest.raises(PlexAuthError) as caught:
        client(fake_plex, token="wrong-token-123").server_info()
    assert not caught.value.transient
    assert "rejected the token" in str(caught.value)
    assert_clean(caught.value, "wrong-token-123")


def test_it_reports_an_unknown_key_as_not_found(fake_plex) -> None:
    fake_plex.add_series("Harbour")
    with pytest.raises(PlexNotFound) as caught:
        client(fake_plex).item(999_999)
    assert not caught.value.transient
    assert "999999" in str(caught.value)


def test_it_reports_a_server_error_as_transient(fake_plex) -> None:
    fake_plex.fail(500)
    with pytest.raises(PlexUnavailable) as caught:
        client(fake_plex).server_info()
    assert caught.value.transient
    assert "HTTP 500" in str(caught.value)
    assert_clean(caught.value, fake_plex.token)


def test_another_refusal_is_permanent(fake_plex) -> None:
    fake_plex.fail(400)
    with pytest.raises(PlexError) as caught:
        client(fake_plex).server_info()
    assert not caught.value.transient
    assert not isinstance(caught.value, PlexUnavailable)
    assert "HTTP 400" in str(caught.value)
    assert_clean(caught.value, fake_plex.token)


def test_a_request_plexapi_refuses_itself_is_permanent(fake_plex) -> None:
    # plexapi raises BadRequest without any HTTP status for arguments it cannot use: asking
    # again cannot help, so it must not count as Plex being unavailable.
    show = fake_plex.add_series("Harbour")
    plex = client(fake_plex)
    obj = plex.server.fetchItem(show)
    with pytest.raises(PlexError) as caught:
        plex._call("asking for an episode", obj.episode)
    assert not caught.value.transient
    assert "could not be asked" in str(caught.value)


def test_it_reports_a_hang_as_a_transient_timeout(fake_plex) -> None:
    fake_plex.hang(5)
    started = time.monotonic()
    with pytest.raises(PlexUnavailable) as caught:
        client(fake_plex, timeout=0.5).server_info()
    assert time.monotonic() - started < 3
    assert "timeout" in str(caught.value)
    fake_plex.recover()


def test_it_reports_a_refused_connection_as_transient(fake_plex) -> None:
    fake_plex.refuse()
    with pytest.raises(PlexUnavailable) as caught:
        client(fake_plex).server_info()
    assert "refused the connection" in str(caught.value)
    fake_plex.recover()
    assert client(fake_plex).server_info().name == "Fake Plex"


def test_it_reports_a_tls_failure(fake_plex) -> None:
    # An https URL to a plain-http server: the handshake fails.
    tls = PlexClient(fake_plex.url.replace("http://", "https://"), fake_plex.token, timeout=2)
    with pytest.raises(PlexUnavailable) as caught:
        tls.server_info()
    assert "TLS" in str(caught.value)
    assert_clean(caught.value, fake_plex.token)


def test_it_reports_a_closed_port_and_a_silent_server(silent_port, closed_port) -> None:
    with pytest.raises(PlexUnavailable) as caught:
        PlexClient(f"http://127.0.0.1:{closed_port}", "t", timeout=1).server_info()
    assert "refused" in str(caught.value)
    with pytest.raises(PlexUnavailable) as caught:
        PlexClient(f"http://127.0.0.1:{silent_port}", "t", timeout=0.5).server_info()
    assert "timeout" in str(caught.value)


def test_it_classifies_failed_image_downloads_too(fake_plex) -> None:
    show = fake_plex.add_series("Harbour")
    episode = fake_plex.episodes(show)[0]
    plex = client(fake_plex)
    thumb = plex.episode(episode).thumb
    fake_plex.fail(503, times=1)
    with pytest.raises(PlexUnavailable):
        plex.download(thumb)
    with pytest.raises(PlexNotFound):
        plex.download(f"/library/metadata/{episode}/art/1")  # episodes have no art here
    fake_plex.revoke_token()
    with pytest.raises(PlexAuthError):
        plex.download(thumb)
