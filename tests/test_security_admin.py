"""The admin is closed to strangers: every admin page and the card image view send an anonymous
visitor to the login page, a POST without a CSRF token is refused, and the answers carry the
security headers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from connections.models import PlexConnection
from tests.support import admin_pages, one_of_each

pytestmark = pytest.mark.django_db

TOKEN = "security-plex-token-0123456789"
API_KEY = "security-tautulli-key-0123456789"


@pytest.fixture
def objects() -> list:
    return one_of_each(token=TOKEN, api_key=API_KEY)


def test_every_admin_page_sends_an_anonymous_visitor_to_the_login(
    client: Client, objects: list
) -> None:
    pages = admin_pages(objects)
    login = reverse("admin:login")
    # The card image is among them (a custom view of the card admin).
    card = next(o for o in objects if type(o).__name__ == "TitleCard")
    assert reverse("admin:cards_titlecard_image", args=[card.pk]) in pages
    assert len(pages) > 60

    for url in pages:
        if url == login:
            continue
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{login}?next="), (url, response["Location"])


def test_an_anonymous_action_post_does_nothing(client: Client, objects: list) -> None:
    plex = PlexConnection.objects.get()
    response = client.post(
        reverse("admin:connections_plexconnection_changelist"),
        {"action": "delete_selected", "_selected_action": [plex.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert PlexConnection.objects.filter(pk=plex.pk).exists()


@pytest.fixture
def strict_client(admin_user: User) -> Client:
    """A logged-in browser whose requests are CSRF-checked, as real ones are."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    return client


def test_a_post_without_a_csrf_token_is_refused(strict_client: Client, objects: list) -> None:
    plex = PlexConnection.objects.get()
    change = reverse("admin:connections_plexconnection_change", args=[plex.pk])
    form = {
        "name": "renamed",
        "url": plex.url,
        "token": "",
        "timeout": "30",
        "upload_limit": "10",
        "label": "tcm",
        "card_type": "standard",
        "watched_style": "unique",
        "unwatched_style": "unique",
        "watched_policy": "owner",
    }
    refused = [
        strict_client.post(change, form),
        strict_client.post(
            reverse("admin:connections_plexconnection_changelist"),
            {"action": "delete_selected", "_selected_action": [plex.pk], "post": "yes"},
        ),
        strict_client.post(reverse("admin:password_change"), {"old_password": "x"}),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert PlexConnection.objects.get().name == "home plex"

    # With the token the page itself hands out, the same post goes through.
    strict_client.get(change)
    token = strict_client.cookies["csrftoken"].value
    saved = strict_client.post(change, form, headers={"X-CSRFToken": token})
    assert saved.status_code == 302
    assert PlexConnection.objects.get().name == "renamed"


def test_the_login_form_needs_a_csrf_token(admin_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "admin", "password": "password"})
    assert response.status_code == 403


def test_answers_carry_the_security_headers(client: Client, objects: list) -> None:
    answers = [
        client.get(reverse("admin:login")),
        client.get(reverse("admin:index")),
        client.post("/webhooks/tautulli/not-a-secret/", "1", content_type="application/json"),
    ]
    for response in answers:
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_session_cookie_is_out_of_reach_of_scripts(client: Client, admin_user: User) -> None:
    client.post(reverse("admin:login"), {"username": "admin", "password": "password"})
    assert client.cookies["sessionid"]["httponly"]
    assert client.cookies["sessionid"]["samesite"] == "Lax"
