"""Saving a Tautulli connection whose tcm URL points at this machine, or that has none, saves it
and warns: Tautulli usually runs in another container or host, where localhost is itself."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from connections.models import PlexConnection, TautulliConnection
from tests.support import tautulli_admin_form

pytestmark = pytest.mark.django_db

API_KEY = "0123456789abcdef0123456789abcdef"
LOCAL_WARNING = (
    "which points at the machine Tautulli itself runs on. Unless Tautulli runs on this machine "
    "outside any container, set 'tcm URL as Tautulli sees it' to an address Tautulli can reach."
)


@pytest.fixture
def plex() -> PlexConnection:
    return PlexConnection.objects.create(name="plex", url="http://192.168.1.10:32400", token="t")


def _form(plex: PlexConnection, tcm_url: str) -> dict[str, str]:
    return tautulli_admin_form(plex, api_key=API_KEY, tcm_url=tcm_url)


def _save(client: Client, url: str, data: dict[str, str]) -> list[tuple[str, str]]:
    """Post the admin form as the page does; the messages the next page shows."""
    response = client.post(url, data, follow=True)
    assert response.redirect_chain, "the form was not saved: " + response.content.decode()[:2000]
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def _add(client: Client, plex: PlexConnection, tcm_url: str) -> list[tuple[str, str]]:
    return _save(client, reverse("admin:connections_tautulliconnection_add"), _form(plex, tcm_url))


@pytest.mark.parametrize(
    "tcm_url",
    [
        "http://localhost:8000",
        "http://127.0.0.1:8000",
        "http://127.0.1.1:8000",
        "http://[::1]:8000",
        "http://0.0.0.0:8000",
    ],
)
def test_it_saves_and_warns_when_the_tcm_url_is_local(
    admin_client: Client, plex: PlexConnection, tcm_url: str
) -> None:
    messages = _add(admin_client, plex, tcm_url)

    saved = TautulliConnection.objects.get()
    assert saved.tcm_url == tcm_url
    assert [level for level, _ in messages] == ["success", "warning"]
    warning = messages[1][1]
    assert warning == (
        f"home tautulli: Tautulli will post to {tcm_url}/webhooks/tautulli/***/, {LOCAL_WARNING}"
    )
    assert saved.webhook_secret not in warning
    assert API_KEY not in warning


def test_it_warns_when_a_change_makes_the_tcm_url_local(
    admin_client: Client, plex: PlexConnection
) -> None:
    assert [level for level, _ in _add(admin_client, plex, "http://192.168.1.20:8000")] == [
        "success"
    ]
    connection = TautulliConnection.objects.get()
    change = reverse("admin:connections_tautulliconnection_change", args=[connection.pk])

    messages = _save(admin_client, change, _form(plex, "http://localhost:8000"))

    assert [level for level, _ in messages] == ["success", "warning"]
    assert messages[1][1].startswith(
        "home tautulli: Tautulli will post to http://localhost:8000/webhooks/tautulli/***/"
    )
    assert TautulliConnection.objects.get().tcm_url == "http://localhost:8000"


def test_it_says_nothing_when_the_tcm_url_is_on_the_network(
    admin_client: Client, plex: PlexConnection, settings: object
) -> None:
    settings.TCM_PUBLIC_URL = "http://localhost:8000"  # the connection's own URL wins

    messages = _add(admin_client, plex, "http://192.168.1.20:8000")

    assert [level for level, _ in messages] == ["success"]


def test_without_a_tcm_url_it_warns_when_tcm_public_url_is_local(
    admin_client: Client, plex: PlexConnection, settings: object
) -> None:
    settings.TCM_PUBLIC_URL = "http://127.0.0.1:8000"

    messages = _add(admin_client, plex, "")

    assert TautulliConnection.objects.get().tcm_url == ""
    assert [level for level, _ in messages] == ["success", "warning"]
    assert messages[1][1] == (
        "home tautulli: Tautulli will post to http://127.0.0.1:8000/webhooks/tautulli/***/ "
        f"(TCM_PUBLIC_URL: the connection has no tcm URL), {LOCAL_WARNING}"
    )


def test_without_a_tcm_url_it_warns_when_tcm_public_url_is_unset(
    admin_client: Client, plex: PlexConnection, settings: object
) -> None:
    settings.TCM_PUBLIC_URL = ""

    messages = _add(admin_client, plex, "")

    assert TautulliConnection.objects.exists()
    assert messages[1:] == [
        (
            "warning",
            "home tautulli: tcm does not know at which address Tautulli reaches it: set 'tcm URL "
            "as Tautulli sees it' on this connection (or TCM_PUBLIC_URL), e.g. "
            "http://192.168.1.20:8000.",
        )
    ]


def test_without_a_tcm_url_it_says_nothing_when_tcm_public_url_is_on_the_network(
    admin_client: Client, plex: PlexConnection, settings: object
) -> None:
    settings.TCM_PUBLIC_URL = "http://192.168.1.20:8000"

    messages = _add(admin_client, plex, "")

    assert [level for level, _ in messages] == ["success"]
