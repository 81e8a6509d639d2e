"""The connection's pages explain the watched threshold and never show a secret."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from connections.models import TautulliConnection


@pytest.mark.django_db
def test_the_change_page_explains_the_watched_threshold(
    admin_client: Client, tautulli_connection: TautulliConnection
) -> None:
    page = admin_client.get(
        reverse("admin:connections_tautulliconnection_change", args=[tautulli_connection.pk])
    )
    text = page.content.decode()

    assert page.status_code == 200
    assert "TV Episode Watched Percent" in text
    assert "Video played threshold" in text
    assert "1-2 % above Plex" in text
    # The webhook URL is shown with its secret masked.
    assert "http://192.168.1.20:8000/webhooks/tautulli/***/" in text


@pytest.mark.django_db
def test_no_page_shows_the_api_key_or_the_webhook_secret(
    admin_client: Client, tautulli_connection: TautulliConnection
) -> None:
    pages = [
        reverse("admin:connections_tautulliconnection_changelist"),
        reverse("admin:connections_tautulliconnection_change", args=[tautulli_connection.pk]),
        reverse("admin:connections_tautulliconnection_add"),
    ]
    for url in pages:
        content = admin_client.get(url).content.decode()
        assert tautulli_connection.api_key not in content
        assert tautulli_connection.webhook_secret not in content


@pytest.mark.django_db
def test_saving_the_page_keeps_the_stored_api_key(
    admin_client: Client, tautulli_connection: TautulliConnection
) -> None:
    url = reverse("admin:connections_tautulliconnection_change", args=[tautulli_connection.pk])
    response = admin_client.post(
        url,
        {
            "name": "home tautulli",
            "url": tautulli_connection.url,
            "api_key": "",
            "plex": tautulli_connection.plex_id,
            "verify_tls": "on",
            "timeout": "5",
            "tcm_url": "http://192.168.1.21:8000",
            "agent_name": "tcm",
            "trigger_on_watched": "on",
            "username": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = TautulliConnection.objects.get()
    assert saved.api_key == tautulli_connection.api_key
    assert saved.tcm_url == "http://192.168.1.21:8000"
    assert saved.webhook_secret == tautulli_connection.webhook_secret


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["add", "change"])
def test_the_agent_help_keeps_its_placeholder(
    admin_client: Client, tautulli_connection: TautulliConnection, page: str
) -> None:
    args = [tautulli_connection.pk] if page == "change" else []
    html = admin_client.get(
        reverse(f"admin:connections_tautulliconnection_{page}", args=args)
    ).content.decode()

    # Shown as text: "<agent name>" unescaped is an unknown tag the browser drops.
    assert "“&lt;agent name&gt; - Recently Added”" in html
    assert "“&lt;agent name&gt; - Watched”" in html
    assert "<agent name>" not in html
