"""Font files: the bundled ones, loading (cached), and per-character fallback.

A title font rarely covers every script a TV title can contain. Rather than drawing an empty box
(".notdef") for a character the chosen font lacks, the text is cut into runs, each drawn with the
first font in the chain [chosen font, DejaVu Sans Bold, Droid Sans Fallback] that has the
character in its character map.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError
from PIL import ImageFont

from .spec import RenderError

FONT_DIR = Path(__file__).resolve().parent / "fonts"


def bundled(name: str) -> str:
    return str(FONT_DIR / name)


CONDENSED = bundled("RobotoCondensed-Medium.ttf")
SANS = bundled("Manrope-Regular.ttf")
SANS_SEMIBOLD = bundled("Manrope-SemiBold.ttf")
SANS_BOLD = bundled("Manrope-Bold.ttf")
SERIF = bundled("EBGaramond12-Regular.otf")
ROUNDED = bundled("Quicksand-Bold.ttf")
DISPLAY = bundled("BebasNeue-Regular.otf")
GEOMETRIC_BOLD = bundled("LeagueSpartan-Bold.otf")
WIDE_COVERAGE = bundled("DejaVuSans-Bold.ttf")
CJK = bundled("DroidSansFallbackFull.ttf")

FALLBACKS = (WIDE_COVERAGE, CJK)

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")


def check_font_file(path: str) -> None:
    """Fail early, with the path in the message, for a custom font that cannot be used."""
    p = Path(path)
    if not p.is_file():
        raise RenderError(f"font file not found: {path}")
    if p.suffix.lower() not in FONT_SUFFIXES:
        raise RenderError(f"not a font file (expected .ttf or .otf): {path}")
    load(path, 12)


def check_font_data(data: bytes, name: str) -> None:
    """check_font_file for a font not saved yet (an upload): read from its bytes the way load()
    reads a file. Raises RenderError naming it."""
    if Path(name).suffix.lower() not in FONT_SUFFIXES:
        raise RenderError(f"“{name}” is not a .ttf or .otf file")
    try:
        ImageFont.truetype(io.BytesIO(data), 12, layout_engine=ImageFont.Layout.BASIC)
    except OSError as exc:
        raise RenderError(f"“{name}” is not a font the renderer can read ({exc})") from None


@lru_cache(maxsize=256)
def load(path: str, size: int, rtl: bool = False) -> ImageFont.FreeTypeFont:
    """The font at a pixel size. Basic layout is the fast path; right-to-left runs get Raqm
    (bidi and shaping) when Pillow has it."""
    engine = ImageFont.Layout.BASIC
    if rtl and ImageFont.core.HAVE_RAQM:
        engine = ImageFont.Layout.RAQM
    try:
        return ImageFont.truetype(path, max(1, size), layout_engine=engine)
    except OSError as exc:
        raise RenderError(f"cannot read font {path}: {exc}") from None


@lru_cache(maxsize=32)
def coverage(path: str) -> frozenset[int] | None:
    """The code points the font has glyphs for; None when the character map cannot be read (the
    font is then trusted with everything rather than refused)."""
    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            cmap = font["cmap"].getBestCmap() or {}
    except (TTLibError, OSError, KeyError, AssertionError, ValueError):
        return None
    return frozenset(cmap)


def has_glyph(path: str, char: str) -> bool:
    codes = coverage(path)
    return codes is None or ord(char) in codes


def font_runs(text: str, primary: str) -> tuple[list[tuple[str, str]], set[str]]:
    """Cut text into (run, font path) pieces by which font can draw each character.

    Returns the runs and the characters no font in the chain has; those are left out, which is
    better than an empty box.
    """
    chain = (primary, *FALLBACKS)
    runs: list[tuple[str, str]] = []
    missing: set[str] = set()
    current: list[str] = []
    current_font = primary
    for char in text:
        if char.isspace():
            # Every font has a space; keep it in the run it interrupts so runs stay long.
            font = current_font if has_glyph(current_font, " ") else primary
        else:
            found = next((f for f in chain if has_glyph(f, char)), None)
            if found is None:
                missing.add(char)
                continue
            font = found
        if font != current_font and current:
            runs.append(("".join(current), current_font))
            current = []
        current_font = font
        current.append(char)
    if current:
        runs.append(("".join(current), current_font))
    return runs, missing
