"""Out of the box an episode nobody has watched yet gets a spoiler-safe card: a new Plex
connection's unwatched style is blur (watched stays unique). Connections saved before keep the
styles they had. The form offers every style as a picture, served by a login-protected view."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from cards.render import STYLES
from connections.forms import preview_slug
from connections.models import PlexConnection
from tests.support import migrate, migrate_to_latest


def test_a_new_connection_blurs_unwatched_episodes() -> None:
    new = PlexConnection(name="home plex", url="http://192.168.1.10:32400", token="t")
    assert (new.watched_style, new.unwatched_style) == ("unique", "blur")


# Transactional: SQLite's schema editor cannot alter tables inside the atomic block of a test.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_connections_saved_before_keep_their_styles() -> None:
    # Only connections goes back to 0001 (no migration of another app needs a later one): on the
    # suite's own database, which is cheaper than a process of its own migrating one from the
    # start, and runs on PostgreSQL as well.
    old = migrate([("connections", "0001_initial")]).get_model("connections", "PlexConnection")
    try:
        old.objects.create(name="saved before", url="http://192.168.1.10:32400", token="t")
    finally:
        migrate_to_latest()  # also the schema the rest of the suite expects
    kept = PlexConnection.objects.get(name="saved before")
    assert (kept.watched_style, kept.unwatched_style) == ("unique", "unique")


@pytest.mark.django_db
def test_the_add_form_preselects_blur_for_unwatched(admin_client: Client) -> None:
    html = admin_client.get(reverse("admin:connections_plexconnection_add")).content.decode()

    radios = re.findall(r'<input type="radio" name="(\w+)" value="([\w ]+)"([^>]*)>', html)
    for field, checked in (("watched_style", "unique"), ("unwatched_style", "blur")):
        offered = {value: "checked" in rest for name, value, rest in radios if name == field}
        assert offered == {style: style == checked for style in STYLES}
    for style in STYLES:
        url = reverse("admin:connections_plexconnection_style_preview", args=[preview_slug(style)])
        assert html.count(f'<img src="{url}?v=') == 2  # beside both fields' choice


@pytest.mark.django_db
@pytest.mark.parametrize("style", STYLES)
def test_each_style_has_its_picture(admin_client: Client, style: str) -> None:
    url = reverse("admin:connections_plexconnection_style_preview", args=[preview_slug(style)])
    response = admin_client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).size == (320, 180)


@pytest.mark.django_db
def test_the_pictures_differ_and_need_a_login(admin_client: Client, client: Client) -> None:
    def picture(style: str, who: Client = admin_client) -> object:
        return who.get(
            reverse("admin:connections_plexconnection_style_preview", args=[preview_slug(style)])
        )

    assert len({picture(style).content for style in STYLES}) == len(STYLES)
    assert picture("nonsense").status_code == 404
    assert picture("blur", client).status_code == 302  # to the login page
