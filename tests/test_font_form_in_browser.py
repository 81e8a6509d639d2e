"""The font form in a real browser: a text file named .ttf and the colour "notacolor" are each
refused beside their own field, and nothing is saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from cards.models import Font

pytestmark = pytest.mark.slow


def test_each_refusal_shows_beside_its_field(
    admin_page: object, screenshot: object, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.ttf"
    notes.write_text("not a font, only a name that looks like one\n")
    page = admin_page
    page.goto("/admin/cards/font/add/")  # type: ignore[attr-defined]
    page.fill("#id_name", "Plain")  # type: ignore[attr-defined]
    page.set_input_files("#id_file", str(notes))  # type: ignore[attr-defined]
    page.fill("#id_color", "notacolor")  # type: ignore[attr-defined]
    page.fill("#id_stroke_color", "#000000")  # type: ignore[attr-defined]
    page.click("input[name=_save]")  # type: ignore[attr-defined]
    screenshot(page, "font-form-refused")  # type: ignore[operator]

    errors = page.locator(".errornote")  # type: ignore[attr-defined]
    assert errors.is_visible()
    file_error = page.locator(".field-file .errorlist").inner_text()  # type: ignore[attr-defined]
    assert "“notes.ttf” is not a font the renderer can read" in file_error
    colour_error = page.locator(".field-color .errorlist").inner_text()  # type: ignore[attr-defined]
    assert "unknown colour 'notacolor'" in colour_error
    assert page.locator(".field-stroke_color .errorlist").count() == 0  # type: ignore[attr-defined]
    assert not Font.objects.exists()
