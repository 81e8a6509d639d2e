"""Which characters a font can draw is read from its character map without a font parser
(cards/render/fonts.py): the same code points fontTools finds, for every bundled font; a file
that is no font is trusted with everything rather than refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from cards.render import fonts

BUNDLED = sorted(p for p in fonts.FONT_DIR.iterdir() if p.suffix in fonts.FONT_SUFFIXES)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_the_character_map_matches_fonttools(path: Path) -> None:
    with TTFont(str(path), lazy=True, fontNumber=0) as font:
        expected = frozenset(font["cmap"].getBestCmap() or {})
    assert expected
    assert fonts.coverage(str(path)) == expected


def test_a_file_that_is_no_font_has_no_character_map(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"\x00\x01\x00\x00" + b"\xff" * 40)
    assert fonts.coverage(str(bogus)) is None
    assert fonts.has_glyph(str(bogus), "A")  # trusted rather than refused
