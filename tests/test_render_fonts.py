"""Fonts: bundled and custom fonts, and per-character fallback so no glyph comes out as an empty
box."""

from __future__ import annotations

import dataclasses

import pytest
from PIL import ImageChops

from cards.render import CardSpec, FontSpec, RenderError, fonts, layout, render
from cards.render.layout import TextStyle
from cards.render.samples import save_landscape

MIXED = "Señor Ñandú — 日本語"
CYRILLIC = "Война и мир: Глава первая"


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> str:
    return save_landscape(str(tmp_path_factory.mktemp("still") / "still.jpg"), 400, 225)


def test_every_bundled_font_loads_and_has_its_licence_beside_it() -> None:
    files = sorted(fonts.FONT_DIR.glob("*.[ot]tf"))
    assert len(files) >= 3
    for path in files:
        assert fonts.load(str(path), 40).getlength("A") > 0
    assert (fonts.FONT_DIR / "OFL-1.1.txt").exists()
    assert (fonts.FONT_DIR / "Apache-2.0.txt").exists()
    assert len(list(fonts.FONT_DIR.glob("*.copyright.txt"))) >= 3


def test_characters_the_font_lacks_come_from_a_fallback_font() -> None:
    # Quicksand has Latin (with ñ) but no CJK: the kanji are drawn with the CJK fallback.
    runs, missing = fonts.font_runs(MIXED, fonts.ROUNDED)
    assert missing == set()
    assert runs[0] == ("Señor Ñandú — ", fonts.ROUNDED)
    assert runs[-1] == ("日本語", fonts.CJK)
    # League Spartan has no Cyrillic at all.
    runs, missing = fonts.font_runs(CYRILLIC, fonts.GEOMETRIC_BOLD)
    assert missing == set()
    assert {font for _, font in runs} >= {fonts.WIDE_COVERAGE}
    assert "".join(text for text, _ in runs) == CYRILLIC


def test_fallback_glyphs_are_real_glyphs_not_empty_boxes() -> None:
    style = TextStyle(font=fonts.ROUNDED, size=80)
    with_fallback = layout.render_line([("日本語", style)]).parts[0].fill
    # What the font alone would draw: three identical .notdef boxes.
    alone = fonts.load(fonts.ROUNDED, 80).getmask("日本語")
    assert with_fallback.size != alone.size or with_fallback.tobytes() != bytes(alone)
    glyphs = [layout.render_line([(ch, style)]).parts[0].fill.tobytes() for ch in "日本語"]
    assert len(set(glyphs)) == 3  # three different characters, not three boxes


@pytest.mark.parametrize("card_type", ["standard", "olivier", "tinted_frame", "anime"])
def test_mixed_script_titles_render_without_warnings(still: str, card_type: str) -> None:
    for title in (MIXED, CYRILLIC):
        result = render(
            CardSpec(source=still, title=title, card_type=card_type, width=640, height=360)
        )
        assert result.warnings == []


def test_a_character_no_font_has_is_left_out_and_reported(still: str) -> None:
    result = render(CardSpec(source=still, title="Party 🎉", width=640, height=360))
    assert any("🎉" in warning for warning in result.warnings)


def test_a_custom_font_file_is_used_for_the_title(still: str) -> None:
    base = CardSpec(source=still, title="The Long Night", width=640, height=360)
    bundled = render(base).image
    custom = render(
        dataclasses.replace(base, font=FontSpec(file=fonts.SERIF, color="#FF0000"))
    ).image
    assert bundled.tobytes() != custom.tobytes()
    box = render(base).text_boxes[0]
    r, g, _ = custom.crop(box).split()
    red = ImageChops.multiply(r.point(lambda v: 255 * (v > 200)), g.point(lambda v: 255 * (v < 80)))
    assert red.histogram()[255] > 50, "the title is not drawn in the custom colour"


def test_font_settings_change_the_title(still: str) -> None:
    base = CardSpec(source=still, title="The Long Night", width=640, height=360)
    plain = render(base)
    bigger = render(dataclasses.replace(base, font=FontSpec(size=1.5)))
    assert (
        bigger.text_boxes[0][2] - bigger.text_boxes[0][0]
        > (plain.text_boxes[0][2] - plain.text_boxes[0][0]) * 1.3
    )
    shifted = render(dataclasses.replace(base, font=FontSpec(vertical_shift=-100)))
    assert shifted.text_boxes[0][1] < plain.text_boxes[0][1] - 10
    lower = render(dataclasses.replace(base, font=FontSpec(case="lower")))
    assert lower.image.tobytes() != plain.image.tobytes()
    replaced = render(dataclasses.replace(base, font=FontSpec(replacements=(("Long", "Short"),))))
    assert replaced.text_boxes[0] != plain.text_boxes[0]


def test_kerning_stroke_and_interline_spacing_change_the_title(still: str) -> None:
    base = CardSpec(source=still, title="The Long Night", width=640, height=360)
    plain = render(base)
    # Kerning scales the type's letter spacing (standard's is negative, as in the reference).
    pilot = dataclasses.replace(base, title="Pilot")
    tight = render(dataclasses.replace(pilot, font=FontSpec(kerning=20.0))).text_boxes[0]
    loose = render(dataclasses.replace(pilot, font=FontSpec(kerning=-20.0))).text_boxes[0]
    assert loose[2] - loose[0] > tight[2] - tight[0] + 20
    no_stroke = render(dataclasses.replace(base, font=FontSpec(stroke_width=0))).text_boxes[0]
    thick = render(dataclasses.replace(base, font=FontSpec(stroke_width=4.0))).text_boxes[0]
    assert thick[2] - thick[0] > no_stroke[2] - no_stroke[0]
    red_stroke = render(dataclasses.replace(base, font=FontSpec(stroke_color="#FF0000"))).image
    r, g, _ = red_stroke.crop(plain.text_boxes[0]).split()
    red = ImageChops.multiply(r.point(lambda v: 255 * (v > 150)), g.point(lambda v: 255 * (v < 80)))
    assert red.histogram()[255] > 20, "the stroke is not drawn in the stroke colour"
    two_lines = dataclasses.replace(base, title="The Long\nNight")
    tight = render(two_lines).text_boxes
    loose = render(dataclasses.replace(two_lines, font=FontSpec(interline_spacing=60))).text_boxes
    assert loose[1][1] - loose[0][1] > tight[1][1] - tight[0][1] + 5


def test_an_unreadable_font_is_a_clear_error(tmp_path, still: str) -> None:
    bad = tmp_path / "broken.ttf"
    bad.write_text("not a font")
    with pytest.raises(RenderError, match="cannot read font"):
        render(CardSpec(source=still, title="x", font=FontSpec(file=str(bad))))
    with pytest.raises(RenderError, match="font file not found"):
        render(CardSpec(source=still, title="x", font=FontSpec(file=str(tmp_path / "nope.ttf"))))
    with pytest.raises(RenderError, match="not a font file"):
        render(CardSpec(source=still, title="x", font=FontSpec(file=still)))
