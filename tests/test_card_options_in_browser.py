"""The series form's card type options in a real browser: choosing another card type shows that
type's fields (a colour picker, numbers with their limits, checkboxes, selects), a picked colour
lands in its box, and a bad value comes back as an error naming the option."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cards.models import Series
from tests.support import submit, without_type_pictures

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Page

    Screenshot = Callable[[Page, str], Path]

pytestmark = pytest.mark.slow

SHOWN_GROUPS = """
() => [...document.querySelectorAll('.tcm-option-group')]
  .filter(g => g.offsetParent !== null).map(g => g.dataset.cardType)
"""


def test_changing_the_card_type_changes_the_fields(
    admin_page: Page, screenshot: Screenshot, plex_connection
) -> None:
    series = Series.objects.create(connection=plex_connection, rating_key="1", title="Harbour")
    page = admin_page
    without_type_pictures(page)
    page.goto(f"/admin/cards/series/{series.pk}/change/")
    # Inherited: the connection's type (standard) is the one whose fields show.
    assert page.evaluate(SHOWN_GROUPS) == ["standard"]
    page.locator(".tcm-options").scroll_into_view_if_needed()
    screenshot(page, "options-standard")

    page.select_option("#id_card_type", "landscape")
    assert page.evaluate(SHOWN_GROUPS) == ["landscape"]
    width = page.locator("#id_options-landscape-box_width")
    assert (
        width.get_attribute("type"),
        width.get_attribute("min"),
        width.get_attribute("max"),
    ) == (
        "number",
        "1",
        "100",
    )
    assert page.locator("#id_options-landscape-add_bounding_box").is_checked()  # its default
    assert page.locator("select#id_options-landscape-darken").is_visible()
    # The colour picker writes into its box.
    swatch = page.locator("[data-for=id_options-landscape-box_color]")
    assert swatch.get_attribute("type") == "color"
    swatch.evaluate("e => { e.value = '#ffd700'; e.dispatchEvent(new Event('input')); }")
    assert page.locator("#id_options-landscape-box_color").input_value() == "#ffd700"
    width.fill("500")
    page.select_option("#id_options-landscape-darken", "all")
    page.locator(".tcm-options").scroll_into_view_if_needed()
    screenshot(page, "options-landscape")

    submit(page, "input[name=_continue]")
    error = page.locator(".field-options .errorlist")
    assert "box width: bad value '500' for option box_width: must be between 1 and 100" in (
        error.inner_text()
    )
    # Only the refused option is marked.
    assert page.locator(".tcm-refused").evaluate_all("rows => rows.map(r => r.dataset.option)") == [
        "box_width"
    ]
    # Still landscape, with what was typed, after the error.
    assert page.evaluate(SHOWN_GROUPS) == ["landscape"]
    assert page.locator("#id_options-landscape-box_color").input_value() == "#ffd700"
    screenshot(page, "options-refused")
    assert Series.objects.get().extras == {}

    page.locator("#id_options-landscape-box_width").fill("24")
    submit(page, "input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert Series.objects.get().extras == {"box_color": "#ffd700", "box_width": 24, "darken": "all"}
    assert page.locator("#id_options-landscape-box_width").input_value() == "24"
    screenshot(page, "options-saved")

    page.select_option("#id_card_type", "textless")
    assert page.evaluate(SHOWN_GROUPS) == ["textless"]
    page.select_option("#id_card_type", "")
    assert page.evaluate(SHOWN_GROUPS) == ["standard"]
