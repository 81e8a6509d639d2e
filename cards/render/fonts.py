"""Font files: the bundled ones, loading (cached), and per-character fallback.

A title font rarely covers every script a TV title can contain. Rather than drawing an empty box
(".notdef") for a character the chosen font lacks, the text is cut into runs, each drawn with the
first font in the chain [chosen font, DejaVu Sans Bold, Droid Sans Fallback] that has the
character in its character map.
"""

from __future__ import annotations

import io
import struct
from functools import lru_cache
from pathlib import Path

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
        data = Path(path).read_bytes()
        return frozenset(_mapped(data, _best_subtable(data)))
    except (OSError, ValueError, struct.error, IndexError):
        return None


# The Unicode subtables of a font's character map, most complete first (platform, encoding).
_CMAP_ORDER = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


def _best_subtable(data: bytes) -> int | None:
    """The offset of the best Unicode subtable of the font's (the first font's, in a
    collection) character map, or None when it has none. Read straight from the file (the
    OpenType spec's table directory and cmap): a full font parser costs a command-line card
    more than the card's text, and only this map is wanted."""
    start = 0
    if data[:4] == b"ttcf":
        (start,) = struct.unpack_from(">I", data, 12)
    (tables,) = struct.unpack_from(">H", data, start + 4)
    for i in range(tables):
        tag, _, offset, _ = struct.unpack_from(">4sIII", data, start + 12 + 16 * i)
        if tag == b"cmap":
            break
    else:
        raise ValueError("no cmap table")
    (count,) = struct.unpack_from(">H", data, offset + 2)
    found: dict[tuple[int, int], int] = {}
    for i in range(count):
        platform, encoding, sub = struct.unpack_from(">HHI", data, offset + 4 + 8 * i)
        found.setdefault((platform, encoding), offset + sub)
    for key in _CMAP_ORDER:
        at = found.get(key)
        if at is not None and struct.unpack_from(">H", data, at)[0] in (0, 4, 6, 12, 13):
            return at
    return None


def _mapped(data: bytes, at: int | None) -> set[int]:
    """The code points a cmap subtable maps to a glyph other than .notdef (glyph 0). Whole
    ranges go into the set at once: a CJK font maps some 28,000."""
    codes: set[int] = set()
    if at is None:
        return codes
    (kind,) = struct.unpack_from(">H", data, at)
    if kind == 0:
        codes.update(code for code in range(256) if data[at + 6 + code])
    elif kind == 6:
        first, count = struct.unpack_from(">HH", data, at + 6)
        glyphs = struct.unpack_from(f">{count}H", data, at + 10)
        codes.update(first + i for i, glyph in enumerate(glyphs) if glyph)
    elif kind == 4:
        _format4(data, at, codes)
    else:  # 12: each code of a group its own glyph; 13: the group's codes share one glyph
        (groups,) = struct.unpack_from(">I", data, at + 12)
        for i in range(groups):
            first, last, glyph = struct.unpack_from(">III", data, at + 16 + 12 * i)
            if kind == 13 and glyph == 0:
                continue
            codes.update(range(first + (kind == 12 and glyph == 0), last + 1))
    return codes


def _format4(data: bytes, at: int, codes: set[int]) -> None:
    (segments,) = struct.unpack_from(">H", data, at + 6)
    segments //= 2
    ends_at = at + 14
    starts_at = ends_at + 2 * segments + 2
    deltas_at = starts_at + 2 * segments
    ranges_at = deltas_at + 2 * segments
    ends = struct.unpack_from(f">{segments}H", data, ends_at)
    starts = struct.unpack_from(f">{segments}H", data, starts_at)
    deltas = struct.unpack_from(f">{segments}H", data, deltas_at)
    offsets = struct.unpack_from(f">{segments}H", data, ranges_at)
    segments_ = zip(starts, ends, deltas, offsets, strict=True)
    for i, (first, last, delta, offset) in enumerate(segments_):
        if first > last or first == 0xFFFF:
            continue
        if offset == 0:  # glyph = code + delta: .notdef for at most one code of the range
            codes.update(range(first, last + 1))
            codes.discard((-delta) & 0xFFFF if first <= (-delta) & 0xFFFF <= last else -1)
            continue
        # The offset counts from its own place in the idRangeOffset array.
        base = ranges_at + 2 * i + offset
        glyphs = struct.unpack_from(f">{last - first + 1}H", data, base)
        codes.update(
            first + j for j, glyph in enumerate(glyphs) if glyph and (glyph + delta) & 0xFFFF
        )


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
    # Which font draws each character, worked out once per character of the text: a long title
    # is mostly the same few letters, and this runs at every measure of a new line.
    chosen: dict[str, str | None] = {}
    for char in text:
        if char.isspace():
            # Every font has a space; keep it in the run it interrupts so runs stay long.
            font = current_font if has_glyph(current_font, " ") else primary
        else:
            if char in chosen:
                found = chosen[char]
            else:
                found = chosen[char] = next((f for f in chain if has_glyph(f, char)), None)
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
