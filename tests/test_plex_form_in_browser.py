"""The Plex connection's form in a real browser: the upload size limit reads "10" (MB) in a box
as wide as the others, and the card styles are pictures, blur preselected for unwatched
episodes, that a person can choose with the keyboard alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from connections.models import PlexConnection
from tests.support import submit, without_type_pictures

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.fakes.plex import FakePlex

    Screenshot = Callable[[Page, str], Path]

pytestmark = pytest.mark.slow

# Each picture of a style choice: loaded, and how big it is shown.
PICTURES_JS = """
() => [...document.querySelectorAll('.tcm-style img')].map(img => ({
  loaded: img.complete && img.naturalWidth > 0, width: img.clientWidth, height: img.clientHeight,
}))
"""


def fill_connection(page: object, fake_plex: FakePlex) -> None:
    page.fill("#id_name", "home plex")
    page.fill("#id_url", fake_plex.url)
    page.fill("#id_token", fake_plex.token)


def test_the_upload_limit_is_a_readable_size_in_mb(
    admin_page: Page, fake_plex: FakePlex, screenshot: Screenshot
) -> None:
    page = admin_page
    without_type_pictures(page)
    page.goto("/admin/connections/plexconnection/add/")
    limit = page.locator("#id_upload_limit")
    screenshot(page, "plex-form-add")

    assert limit.input_value() == "10"
    label = page.locator("label[for=id_upload_limit]").inner_text()
    assert "(MB)" in label
    # The whole number shows, in a box as wide as the URL's.
    assert limit.evaluate("e => e.scrollWidth <= e.clientWidth")
    url_box = page.locator("#id_url").bounding_box()
    assert limit.bounding_box()["width"] >= 0.95 * url_box["width"]
    assert (limit.get_attribute("min"), limit.get_attribute("max")) == ("0.1", "100")

    fill_connection(page, fake_plex)
    limit.fill("2.5")
    submit(page, "input[name=_continue]")
    page.wait_for_url("**/change/")
    screenshot(page, "plex-form-saved")

    assert PlexConnection.objects.get().upload_limit == 2621440  # 2.5 x 1024 x 1024 bytes
    assert page.locator("#id_upload_limit").input_value() == "2.5"


def test_the_styles_are_pictures_chosen_with_the_keyboard(
    admin_page: Page, fake_plex: FakePlex, screenshot: Screenshot
) -> None:
    page = admin_page
    without_type_pictures(page)
    page.goto("/admin/connections/plexconnection/add/")
    picker = page.locator("#id_unwatched_style")
    picker.scroll_into_view_if_needed()
    page.wait_for_function(
        "[...document.querySelectorAll('.tcm-style img')].every(i => i.complete)"
    )
    screenshot(page, "plex-form-styles")

    pictures = page.evaluate(PICTURES_JS)
    assert len(pictures) == 16  # eight styles, for watched and for unwatched
    assert all(p["loaded"] and (p["width"], p["height"]) == (160, 90) for p in pictures)
    checked = page.locator("input[name=unwatched_style]:checked")
    assert checked.get_attribute("value") == "blur"
    watched = page.locator("input[name=watched_style]:checked")
    assert watched.get_attribute("value") == "unique"

    # Keyboard only: from the last watched choice, Tab enters the unwatched group at its
    # checked radio; the left arrow picks the one before it, unique.
    page.focus("input[name=watched_style][value='art blur grayscale']")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.name, document.activeElement.value]")
    assert focused == ["unwatched_style", "blur"]
    page.keyboard.press("ArrowLeft")
    assert checked.get_attribute("value") == "unique"
    screenshot(page, "plex-form-unique-for-both")

    fill_connection(page, fake_plex)
    submit(page)
    page.wait_for_url("**/plexconnection/")

    saved = PlexConnection.objects.get()
    assert (saved.watched_style, saved.unwatched_style) == ("unique", "unique")
