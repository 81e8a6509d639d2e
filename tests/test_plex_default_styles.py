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
from tests.support import child_env, run_python

KEEPS_OLD_ROWS = """
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
call_command("migrate", "connections", "0001", verbosity=0)
state = MigrationExecutor(connection).loader.project_state(("connections", "0001_initial"))
Old = state.apps.get_model("connections", "PlexConnection")
Old.objects.create(name="saved before", url="http://192.168.1.10:32400", token="t")
call_command("migrate", verbosity=0)
from connections.models import PlexConnection
kept = PlexConnection.objects.get(name="saved before")
print(kept.watched_style, kept.unwatched_style)
"""


def test_a_new_connection_blurs_unwatched_episodes() -> None:
    new = PlexConnection(name="home plex", url="http://192.168.1.10:32400", token="t")
    assert (new.watched_style, new.unwatched_style) == ("unique", "blur")


@pytest.mark.slow
def test_connections_saved_before_keep_their_styles(tmp_path) -> None:
    env = child_env(DATABASE_URL=f"sqlite:///{tmp_path / 'old.sqlite3'}")
    # (In a process of its own, on a database of its own: the migrations run from the start.)
    assert run_python(KEEPS_OLD_ROWS, env, timeout=120).splitlines()[-1] == "unique unique"


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
