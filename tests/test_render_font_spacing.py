"""A font's word spacing and line-split bias (TitleCardMaker's interword spacing and its
top-heavy split): they change the title as asked, are checked, and cards made before them keep
their fingerprint."""

from __future__ import annotations

import dataclasses

import pytest

from cards.looks import font_spec
from cards.models import Font
from cards.render import CardSpec, FontSpec, RenderError, fonts, layout, render
from cards.render.layout import TextStyle
from cards.render.samples import save_landscape

TITLE = "The Night Before the Long Journey Home Again"


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> str:
    return save_landscape(tmp_path_factory.mktemp("still") / "still.jpg")


def test_word_spacing_widens_the_gaps(still: str) -> None:
    base = CardSpec(source=still, title="A B C D", width=1280, height=720)
    plain = render(base).text_boxes[0]
    wide = render(dataclasses.replace(base, font=FontSpec(word_spacing=80))).text_boxes[0]
    # Three spaces, 80 px each on a 3200 px card: 3 x 32 px on this one.
    assert (wide[2] - wide[0]) - (plain[2] - plain[0]) == pytest.approx(96, abs=8)


def lines_with(bias: float) -> list[str]:
    style = TextStyle(font=fonts.CONDENSED, size=60, split_bias=bias)
    lines, _ = layout.fit(TITLE, style, max_width=900, max_lines=3)
    return lines


def widths(lines: list[str]) -> list[float]:
    style = TextStyle(font=fonts.CONDENSED, size=60)
    return [layout.measure(line, style) for line in lines]


def test_the_bias_puts_the_weight_on_top_or_bottom() -> None:
    balanced, top, bottom = lines_with(0), lines_with(1), lines_with(-1)
    assert len(balanced) == len(top) == len(bottom) == 2
    assert widths(top)[0] > widths(top)[1]
    assert widths(bottom)[0] < widths(bottom)[1]
    assert top != bottom
    # The same words, only broken elsewhere.
    assert " ".join(top) == " ".join(bottom) == TITLE


def test_the_bias_is_checked(still: str) -> None:
    with pytest.raises(RenderError, match="line split bias 2 is not between -1 and 1"):
        render(CardSpec(source=still, title="x", font=FontSpec(line_split_bias=2)))


def test_cards_made_before_keep_their_fingerprint() -> None:
    data = CardSpec(source="s.jpg", title="x").fingerprint_data()
    assert "word_spacing" not in data["font"] and "line_split_bias" not in data["font"]
    spaced = CardSpec(source="s.jpg", title="x", font=FontSpec(word_spacing=10)).fingerprint_data()
    assert spaced["font"]["word_spacing"] == 10


def test_a_fonts_settings_reach_the_spec(db) -> None:
    font = Font.objects.create(name="airy", word_spacing=25, line_split_bias=0.5)
    spec = font_spec(font)
    assert (spec.word_spacing, spec.line_split_bias) == (25, 0.5)
    font.line_split_bias = 3
    with pytest.raises(Exception, match="less than or equal to 1"):
        font.full_clean()
