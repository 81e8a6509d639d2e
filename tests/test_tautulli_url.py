"""Tautulli's address as users paste it from the browser becomes the API v2 endpoint."""

from __future__ import annotations

import pytest

from connections.tautulli import TautulliClient, api_url
from tests.fakes.tautulli import FakeTautulli


@pytest.mark.parametrize(
    ("pasted", "endpoint"),
    [
        ("http://192.168.0.29:8181/", "http://192.168.0.29:8181/api/v2"),
        ("http://192.168.0.29:8181", "http://192.168.0.29:8181/api/v2"),
        ("http://192.168.0.29:8181/api/v2", "http://192.168.0.29:8181/api/v2"),
        ("http://192.168.0.29:8181/api/v2/", "http://192.168.0.29:8181/api/v2"),
        ("http://192.168.0.29:8181/home", "http://192.168.0.29:8181/api/v2"),
        ("HTTP://192.168.0.29:8181/home#x", "http://192.168.0.29:8181/api/v2"),
        ("https://nas.lan/tautulli/", "https://nas.lan/tautulli/api/v2"),
        ("https://nas.lan/tautulli", "https://nas.lan/tautulli/api/v2"),
        ("https://nas.lan/tautulli/home", "https://nas.lan/tautulli/api/v2"),
        ("https://nas.lan/tautulli/api/v2", "https://nas.lan/tautulli/api/v2"),
        (
            "http://nas.lan:8181/tautulli/auth/login?redirect_uri=/tautulli/home",
            "http://nas.lan:8181/tautulli/api/v2",
        ),
        ("http://nas.lan:8181/settings?x=1", "http://nas.lan:8181/api/v2"),
        ("http://nas.lan:8181/api/v1", "http://nas.lan:8181/api/v2"),
    ],
)
def test_it_turns_a_browser_address_into_the_api_endpoint(pasted: str, endpoint: str) -> None:
    assert api_url(pasted) == endpoint


@pytest.mark.parametrize("suffix", ["", "/", "/home", "/api/v2", "/api/v2/"])
def test_it_reaches_a_tautulli_with_an_http_root(suffix: str) -> None:
    with FakeTautulli(http_root="/tautulli") as fake:
        root = fake.url.rstrip("/")
        TautulliClient(root + suffix, fake.api_key).status()
        assert fake.count("status") == 1


def test_it_sends_the_api_key_as_a_form_parameter_not_in_the_url(
    fake_tautulli: FakeTautulli,
) -> None:
    # Tautulli reads no JSON body and no header; a form body keeps the key out of any URL.
    client = TautulliClient(fake_tautulli.url, fake_tautulli.api_key)
    client.status()
    assert fake_tautulli.api_key not in client.endpoint
    assert fake_tautulli.count("status") == 1
