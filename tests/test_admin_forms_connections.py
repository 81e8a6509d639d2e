"""The connection forms, through the real admin add and change pages as a logged-in user: a URL
or key a server could never answer to is a clear error on its field, nothing is saved, and
nothing stored before is lost."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from connections.models import PlexConnection, TautulliConnection
from tests.support import tautulli_admin_form

pytestmark = pytest.mark.django_db

TOKEN = "stored-plex-token-0123456789"
API_KEY = "stored-tautulli-key-0123456789"

SCHEME = "Use an http:// or https:// URL"
PORT = "The port must be a number from 1 to 65535."
SPACES = "A URL cannot contain spaces."
HOST = "The URL needs a host name or IP address."
NOT_A_URL = "This is not a valid URL"
BAD_HOST = "is not a valid host name"
PLEX_WEB = "This is the address of Plex Web"
OWN_ADDRESS = "Use the server's own address, e.g. http://192.168.1.10:32400"

BAD_URLS = {
    "no scheme": ("192.168.1.10:32400", SCHEME),
    "host and port, no scheme": ("plex.local:32400", SCHEME),
    "a space inside": ("http://192.168.1.10 :32400", SPACES),
    "a space in the host": ("http://my plex:32400", SPACES),
    "a tab": ("http://plex\t:32400", SPACES),
    "an ideographic space": ("http://plex\u3000box:32400", SPACES),
    "file scheme": ("file:///etc/passwd", SCHEME),
    "javascript scheme": ("javascript:alert(document.cookie)", SCHEME),
    "ftp scheme": ("ftp://192.168.1.10", SCHEME),
    "port 0": ("http://192.168.1.10:0", PORT),
    "port 65536": ("http://192.168.1.10:65536", PORT),
    "port 99999": ("http://192.168.1.10:99999", PORT),
    "negative port": ("http://192.168.1.10:-1", PORT),
    "port not a number": ("http://192.168.1.10:plex", PORT),
    "no host": ("http://", HOST),
    "no host, only a port": ("http://:32400", HOST),
    "no host, only a path": ("http:///web", HOST),
    "unclosed IPv6 bracket": ("http://[::1", NOT_A_URL),
    "an encoded space in the host": ("http://my%20plex:32400", BAD_HOST),
    "credentials": ("http://admin:hunter2@192.168.1.10:32400", "credentials"),
    "a Plex token in the query": (
        "http://192.168.1.10:32400/web/index.html?X-Plex-Token=abcdefghij0123456789",
        "Remove the token or API key from the URL",
    ),
    "an API key in the query": (
        "http://192.168.1.10:8181/home?apikey=0123456789abcdef",
        "Remove the token or API key from the URL",
    ),
    # What the browser shows while Plex Web is open: the app's address, not the server's.
    "Plex Web": ("https://app.plex.tv/desktop/#!/", PLEX_WEB),
    "Plex Web, no fragment": ("https://app.plex.tv/desktop", PLEX_WEB),
    "plex.tv": ("https://plex.tv/", PLEX_WEB),
    "www.plex.tv": ("https://www.plex.tv/en/", PLEX_WEB),
    "Plex Web served by the server": ("http://192.168.1.10:32400/web/index.html#!/", "#"),
    "an empty fragment": ("http://192.168.1.10:32400/#", "#"),
}
# Every refusal of a browser address says what to enter instead.
HINTED = [name for name, (_, expected) in BAD_URLS.items() if expected in (PLEX_WEB, "#")]
BAD_KEYS = {
    "empty": ("", "This field is required."),
    "only spaces": ("   ", "Remove the spaces before or after the value."),
    "a trailing space": ("abc123def456 ", "Remove the spaces before or after the value."),
    "a leading newline": ("\nabc123def456", "Remove the spaces before or after the value."),
    "a space inside": ("abc123 def456", "The value must not contain spaces."),
    "a tab inside": ("abc123\tdef456", "The value must not contain spaces."),
}


def plex_form(**changes: str) -> dict[str, str]:
    data = {
        "name": "home plex",
        "url": "http://192.168.1.10:32400",
        "token": TOKEN,
        "verify_tls": "on",
        "timeout": "30",
        "enabled": "on",
        "libraries": "",
        "upload_limit": "10",
        "label": "tcm",
        "card_type": "standard",
        "watched_style": "unique",
        "unwatched_style": "unique",
        "font": "",
        "watched_policy": "owner",
    }
    return {**data, **changes}


def tautulli_form(plex: PlexConnection, **changes: str) -> dict[str, str]:
    return tautulli_admin_form(plex, **{"api_key": API_KEY, **changes})


def field_errors(response, field: str) -> list[str]:
    """The errors the page shows on `field` (the page is the form again, not a redirect)."""
    assert response.status_code == 200, (response.status_code, response.content[:300])
    form = response.context["adminform"].form
    return [str(e) for e in form.errors.get(field, [])]


def assert_error(response, field: str, expected: str) -> None:
    errors = field_errors(response, field)
    assert any(expected in e for e in errors), errors
    # The page says so, in the error list beside the field.
    assert "errorlist" in response.content.decode()


@pytest.fixture
def plex() -> PlexConnection:
    return PlexConnection.objects.create(
        name="stored plex", url="http://192.168.1.5:32400", token=TOKEN
    )


@pytest.fixture
def tautulli(plex: PlexConnection) -> TautulliConnection:
    return TautulliConnection.objects.create(
        name="stored tautulli", url="http://192.168.1.5:8181", api_key=API_KEY, plex=plex
    )


def test_a_good_form_saves(admin_client: Client) -> None:
    response = admin_client.post(reverse("admin:connections_plexconnection_add"), plex_form())
    assert response.status_code == 302
    assert PlexConnection.objects.get().token == TOKEN


def test_spaces_around_a_pasted_url_are_trimmed(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:connections_plexconnection_add"),
        plex_form(url="  http://192.168.1.10:32400\n"),
    )
    assert response.status_code == 302
    assert PlexConnection.objects.get().url == "http://192.168.1.10:32400"


@pytest.mark.parametrize(("url", "expected"), BAD_URLS.values(), ids=BAD_URLS.keys())
def test_a_bad_plex_url_is_refused_on_the_add_page(
    admin_client: Client, url: str, expected: str
) -> None:
    response = admin_client.post(
        reverse("admin:connections_plexconnection_add"), plex_form(url=url)
    )
    assert_error(response, "url", expected)
    assert not PlexConnection.objects.exists()


@pytest.mark.parametrize("name", HINTED)
def test_a_browser_address_is_refused_with_the_address_to_use(
    admin_client: Client, name: str
) -> None:
    url, _ = BAD_URLS[name]
    response = admin_client.post(
        reverse("admin:connections_plexconnection_add"), plex_form(url=url)
    )
    assert_error(response, "url", OWN_ADDRESS)
    assert not PlexConnection.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://192.168.1.10:32400",
        "https://192-168-1-10.0123456789abcdef0123456789abcdef.plex.direct:32400",
        "http://plex.tv.home.lan:32400",  # a LAN name that merely starts like plex.tv
    ],
)
def test_a_server_address_near_plex_tv_is_accepted(admin_client: Client, url: str) -> None:
    response = admin_client.post(
        reverse("admin:connections_plexconnection_add"), plex_form(url=url)
    )
    assert response.status_code == 302, field_errors(response, "url")


@pytest.mark.parametrize(("url", "expected"), BAD_URLS.values(), ids=BAD_URLS.keys())
def test_a_bad_url_on_the_change_page_loses_nothing(
    admin_client: Client, plex: PlexConnection, url: str, expected: str
) -> None:
    before = PlexConnection.objects.values().get()
    response = admin_client.post(
        reverse("admin:connections_plexconnection_change", args=[plex.pk]),
        plex_form(name="renamed", url=url, token=""),
    )
    assert_error(response, "url", expected)
    assert PlexConnection.objects.values().get() == before
    assert PlexConnection.objects.get().token == TOKEN


@pytest.mark.parametrize(("url", "expected"), BAD_URLS.values(), ids=BAD_URLS.keys())
def test_bad_tautulli_and_tcm_urls_are_refused(
    admin_client: Client, plex: PlexConnection, url: str, expected: str
) -> None:
    add = reverse("admin:connections_tautulliconnection_add")
    assert_error(admin_client.post(add, tautulli_form(plex, url=url)), "url", expected)
    assert_error(admin_client.post(add, tautulli_form(plex, tcm_url=url)), "tcm_url", expected)
    assert not TautulliConnection.objects.exists()


@pytest.mark.parametrize(("key", "expected"), BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_a_bad_token_or_api_key_is_refused_on_the_add_page(
    admin_client: Client, plex: PlexConnection, key: str, expected: str
) -> None:
    response = admin_client.post(
        reverse("admin:connections_plexconnection_add"), plex_form(name="new", token=key)
    )
    assert_error(response, "token", expected)
    response = admin_client.post(
        reverse("admin:connections_tautulliconnection_add"), tautulli_form(plex, api_key=key)
    )
    assert_error(response, "api_key", expected)
    assert PlexConnection.objects.get() == plex  # only the stored one
    assert not TautulliConnection.objects.exists()


@pytest.mark.parametrize(
    ("key", "expected"),
    [v for k, v in BAD_KEYS.items() if k != "empty"],
    ids=[k for k in BAD_KEYS if k != "empty"],
)
def test_a_bad_key_on_the_change_page_keeps_the_stored_one(
    admin_client: Client, tautulli: TautulliConnection, key: str, expected: str
) -> None:
    plex = tautulli.plex
    response = admin_client.post(
        reverse("admin:connections_plexconnection_change", args=[plex.pk]),
        plex_form(name="renamed", token=key),
    )
    assert_error(response, "token", expected)
    response = admin_client.post(
        reverse("admin:connections_tautulliconnection_change", args=[tautulli.pk]),
        tautulli_form(plex, name="renamed", api_key=key),
    )
    assert_error(response, "api_key", expected)
    assert PlexConnection.objects.get().token == TOKEN
    assert PlexConnection.objects.get().name == "stored plex"
    assert TautulliConnection.objects.get().api_key == API_KEY
    assert TautulliConnection.objects.get().name == "stored tautulli"


def test_an_empty_key_on_the_change_page_keeps_the_stored_one(
    admin_client: Client, tautulli: TautulliConnection
) -> None:
    response = admin_client.post(
        reverse("admin:connections_tautulliconnection_change", args=[tautulli.pk]),
        tautulli_form(tautulli.plex, api_key=""),
    )
    assert response.status_code == 302
    assert TautulliConnection.objects.get().api_key == API_KEY


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("timeout", "0", "greater than or equal to 1"),
        ("timeout", "601", "less than or equal to 600"),
        ("timeout", "-5", "greater than or equal to"),
        ("timeout", "ten", "Enter a whole number."),
        ("upload_limit", "0.05", "greater than or equal to 0.1"),
        ("upload_limit", "10485760", "less than or equal to 100"),  # bytes, where MB go
        ("upload_limit", "ten", "Enter a number."),
        ("name", "", "This field is required."),
        ("name", "x" * 101, "at most 100 characters"),
    ],
)
def test_other_bad_plex_fields_are_refused(
    admin_client: Client, field: str, value: str, expected: str
) -> None:
    response = admin_client.post(
        reverse("admin:connections_plexconnection_add"), plex_form(**{field: value})
    )
    assert_error(response, field, expected)
    assert not PlexConnection.objects.exists()


@pytest.mark.parametrize(("typed", "stored"), [("10", 10 * 1024 * 1024), ("2.5", 2621440)])
def test_the_upload_limit_is_typed_in_mb_and_kept_in_bytes(
    admin_client: Client, typed: str, stored: int
) -> None:
    add = reverse("admin:connections_plexconnection_add")
    assert admin_client.post(add, plex_form(upload_limit=typed)).status_code == 302
    plex = PlexConnection.objects.get()
    assert plex.upload_limit == stored

    change = reverse("admin:connections_plexconnection_change", args=[plex.pk])
    page = admin_client.get(change).content.decode()
    assert f'name="upload_limit" value="{typed}"' in page
    # Saved again unchanged, it stays the same number of bytes.
    admin_client.post(change, plex_form(upload_limit=typed, token=""))
    assert PlexConnection.objects.get().upload_limit == stored
