"""The font form in a real browser: a text file named .ttf and the colour "notacolor" are each
refused beside their own field, and nothing is saved."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cards.models import Font
from tests.support import submit

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Page

    Screenshot = Callable[[Page, str], Path]

pytestmark = pytest.mark.slow


def test_each_refusal_shows_beside_its_field(
    admin_page: Page, screenshot: Screenshot, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.ttf"
    notes.write_text("not a font, only a name that looks like one\n")
    page = admin_page
    page.goto("/admin/cards/font/add/")
    page.fill("#id_name", "Plain")
    page.set_input_files("#id_file", str(notes))
    page.fill("#id_color", "notacolor")
    page.fill("#id_stroke_color", "#000000")
    submit(page)
    screenshot(page, "font-form-refused")

    errors = page.locator(".errornote")
    assert errors.is_visible()
    file_error = page.locator(".field-file .errorlist").inner_text()
    assert "“notes.ttf” is not a font the renderer can read" in file_error
    colour_error = page.locator(".field-color .errorlist").inner_text()
    assert "unknown colour 'notacolor'" in colour_error
    assert page.locator(".field-stroke_color .errorlist").count() == 0
    assert not Font.objects.exists()
