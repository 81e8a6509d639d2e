"""Text layout: measure, wrap into balanced lines, shrink to fit, and draw inside the canvas.

Widths are measured with the real fonts (including fallback fonts and letter spacing), never by
counting characters. Each line is drawn once into small greyscale masks (stroke and fill), and the
masks are pasted onto the card in colour: strokes of every line first, so that a stroke never
covers a neighbouring letter's fill.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, features

from . import effects, fonts

RGB = tuple[int, int, int]

# Fraction of the nominal size a title may shrink to before words are broken and text is cut.
MIN_SCALE = 0.2
# Breaking after these reads naturally ("Star Wars: | A New Hope").
BREAK_AFTER = (":", ",", ";", "-", "\u2010", "\u2013", "\u2014", ".", "!", "?")
HYPHENS = ("-", "\u2010", "\u2013", "\u2014")
HAVE_RAQM = features.check_feature("raqm")


@dataclass(frozen=True)
class TextStyle:
    """How a piece of text is drawn, in canvas pixels."""

    font: str  # path of the primary font file
    size: float
    color: RGB = (255, 255, 255)
    kerning: float = 0.0  # extra space between letters
    word_spacing: float = 0.0  # extra space for every space character
    stroke_width: float = 0.0
    stroke_color: RGB = (0, 0, 0)
    line_spacing: float = 0.0  # added to the font's own line height
    # Where wrapped lines put their weight: above 0 longer top lines, below 0 longer bottom
    # lines, 0 balanced (-1 to 1).
    split_bias: float = 0.0

    @property
    def px(self) -> int:
        return max(1, round(self.size))

    @property
    def stroke_px(self) -> int:
        return max(1, round(self.stroke_width)) if self.stroke_width > 0 else 0

    def scaled(self, factor: float) -> TextStyle:
        return dataclasses.replace(
            self,
            size=self.size * factor,
            kerning=self.kerning * factor,
            word_spacing=self.word_spacing * factor,
            stroke_width=self.stroke_width * factor,
            line_spacing=self.line_spacing * factor,
        )

    def pitch(self) -> float:
        """Baseline-to-baseline distance."""
        ascent, descent = fonts.load(self.font, self.px).getmetrics()
        return max(1.0, ascent + descent + self.line_spacing)

    def descent(self) -> int:
        """How far the font's box reaches below the baseline: where a line "ends" for types
        placed by the bottom of their text box."""
        return fonts.load(self.font, self.px).getmetrics()[1]


def cap_height(style: TextStyle) -> float:
    """How far the style's capitals rise above the baseline: for setting a line on a row (a
    banner, a bar) by the body the eye sees, whatever its descenders and accents do."""
    return float(-fonts.load(style.font, style.px).getbbox("H", anchor="ls")[1])


def is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


@dataclass
class _Piece:
    x: float
    text: str
    font: object  # ImageFont.FreeTypeFont


def _pieces(text: str, style: TextStyle) -> tuple[list[_Piece], float, set[str]]:
    """Where each bit of text goes on a line starting at x = 0; the line's advance width; the
    characters no font has."""
    runs, missing = fonts.font_runs(text, style.font)
    pieces: list[_Piece] = []
    x = 0.0
    spaced = style.kerning != 0 or style.word_spacing != 0
    for run, path in runs:
        rtl = is_rtl(run)
        if rtl and not HAVE_RAQM:
            run = run[::-1]  # crude visual order; Raqm does this properly when present
        font = fonts.load(path, style.px, rtl)
        if rtl or not spaced:
            # Drawn in one go (a right-to-left run must be, for shaping): letter spacing only
            # between this run and the next.
            pieces.append(_Piece(x, run, font))
            x += _length(font, run) + style.kerning + style.word_spacing * run.count(" ")
            continue
        # Letter spacing: place characters one by one. The advance of a character is measured
        # with its right neighbour so the font's pair kerning is kept.
        lengths = _lengths_of(font)
        # A long run repeats a few dozen pairs of letters: each pair's advance worked out once.
        advances: dict[str, float] = {}
        for i, ch in enumerate(run):
            pair = run[i : i + 2]  # ch and its right neighbour, or ch alone at the end
            advance = advances.get(pair)
            if advance is None:
                nxt = pair[1:]
                advance = lengths(pair) - lengths(nxt) if nxt else lengths(ch)
                advances[pair] = advance
            if not ch.isspace():
                pieces.append(_Piece(x, ch, font))
            x += advance + style.kerning + (style.word_spacing if ch == " " else 0)
    if text:
        x -= style.kerning  # no letter spacing after the last letter
    return pieces, max(0.0, x), missing


_LENGTHS: dict[tuple[object, float, int, str], float] = {}
_MAX_LENGTHS = 16384


def _length(font: ImageFont.FreeTypeFont, text: str) -> float:
    """font.getlength(text), remembered. Letter-spaced text is measured a pair of letters at a
    time, and wrapping and fitting measure the same words again at each try: a title measures
    a few hundred pairs, most of them the same from card to card. Keyed by the font's file and
    size, not the font object, so the cache never keeps a font (a CJK face is megabytes) alive."""
    key = (font.path, font.size, int(font.layout_engine), text)
    length = _LENGTHS.get(key)
    if length is None:
        if len(_LENGTHS) >= _MAX_LENGTHS:
            _LENGTHS.clear()
        length = _LENGTHS[key] = font.getlength(text)
    return length


_WIDTHS: dict[tuple[str, str, int, float, float], float] = {}
_MAX_WIDTHS = 4096


def _lengths_of(font: ImageFont.FreeTypeFont) -> Callable[[str], float]:
    """_length(font, ...) for one font: letter-spaced text measures a few hundred pairs of
    letters with the same font, and the font's part of the key is the same for all of them."""
    face = (font.path, font.size, int(font.layout_engine))

    def length(text: str) -> float:
        key = (*face, text)
        value = _LENGTHS.get(key)
        if value is None:
            if len(_LENGTHS) >= _MAX_LENGTHS:
                _LENGTHS.clear()
            value = _LENGTHS[key] = font.getlength(text)
        return value

    return length


def measure(text: str, style: TextStyle) -> float:
    """The advance width of text on one line, remembered: wrapping and shrinking measure the
    same words and lines again at every try, and each measure cuts the text into font runs and
    letters anew. Keyed by everything _pieces reads of the style (the pixel size, not the
    size), like _length, so the width is the one _pieces gives."""
    key = (text, style.font, style.px, style.kerning, style.word_spacing)
    width = _WIDTHS.get(key)
    if width is None:
        if len(_WIDTHS) >= _MAX_WIDTHS:
            _WIDTHS.clear()
        width = _WIDTHS[key] = _pieces(text, style)[1]
    return width


# --- wrapping -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    text: str
    joiner: str  # what joins it to the next token on the same line: " " or "" (after a hyphen)


def _tokens(paragraph: str) -> list[_Token]:
    tokens: list[_Token] = []
    for word in paragraph.split():
        # A hyphenated word may break after its hyphen ("SPIDER- | MAN").
        start = 0
        for i, ch in enumerate(word):
            if ch in HYPHENS and 0 < i < len(word) - 1:
                tokens.append(_Token(word[start : i + 1], ""))
                start = i + 1
        tokens.append(_Token(word[start:], " "))
    return tokens


def _join(tokens: Sequence[_Token]) -> str:
    return "".join(t.text + t.joiner for t in tokens[:-1]) + tokens[-1].text


def _balanced_split(
    widths: list[float],
    gaps: list[float],
    bonus: list[bool],
    lines: int,
    max_width: float,
    bias: float = 0.0,
) -> list[int]:
    """Break points (token indexes where a line starts) for exactly `lines` lines.

    Minimises the sum of squared line widths relative to each line's target (an even split, or
    with `bias` longer top lines (above 0) or bottom lines (below 0)), with a heavy penalty for
    a line wider than max_width and a small reward for breaking after punctuation.
    """
    n = len(widths)
    lines = max(1, min(lines, n))
    prefix = [0.0]
    for i in range(n):
        prefix.append(prefix[-1] + widths[i] + (gaps[i] if i < n - 1 else 0.0))

    def width(i: int, j: int) -> float:  # tokens i..j-1 on one line
        return prefix[j] - prefix[i] - (gaps[j - 1] if j - 1 < n - 1 else 0.0)

    target = max(1.0, width(0, n) / lines)

    def goal(k: int) -> float:  # line k's (1-based) target width
        if lines == 1 or not bias:
            return target
        place = (k - 1) / (lines - 1) - 0.5  # -0.5 for the top line, 0.5 for the bottom one
        return target * (1 - bias * place)

    # The search below tries the start i of line k from the right (short lines first) and stops
    # once no longer line can win: the same answer as trying them all, for a fraction of the
    # work on a long title (a 500-character one made a million cost() calls). It holds when a
    # line's cost cannot fall as it grows: the prefix widths never fall (no token or gap below
    # nothing) and the overflow penalty grows with the width (max_width above 0). Otherwise
    # every start is tried, as the plain search does.
    monotone = max_width > 0 and all(prefix[m] <= prefix[m + 1] for m in range(n))
    # Over max_width a line's penalty is steep: 1000 + 1000 * (w - max_width) / max_width is
    # slope * w, so each token a longer line takes costs it at least slope times that token.
    slope = 1000.0 / max_width if monotone else 0.0
    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(lines + 1)]
    back = [[0] * (n + 1) for _ in range(lines + 1)]
    best[0][0] = 0.0
    for k in range(1, lines + 1):
        aim = goal(k)
        before, best_k, back_k = best[k - 1], best[k], back[k]
        # floor[i]: the lowest cost of k - 1 lines ending anywhere up to i, the part of a total
        # that a line starting at i or earlier cannot beat.
        floor = before[:]
        for i in range(1, n + 1):
            if floor[i - 1] < floor[i]:
                floor[i] = floor[i - 1]
        # lift[i]: the same for a line over max_width that starts at i or earlier, counting
        # what the lines before it save by ending earlier against what such a line then pays
        # more: the lowest of before[m] - slope * prefix[m] up to i, plus slope * prefix[i].
        lift = [inf] * (n + 1)
        low = inf
        for i in range(n + 1):
            if before[i] != inf and before[i] - slope * prefix[i] < low:
                low = before[i] - slope * prefix[i]
            lift[i] = low + slope * prefix[i]
        if not monotone:  # no bound holds: nothing is cut
            floor = lift = [-inf] * (n + 1)
        # Where k - 1 lines can end (best[k - 1] is infinite elsewhere): nowhere but 0 before
        # the first line, and never so late that a line after them would get no token.
        last = 0 if k == 1 else n - (lines - k + 1)
        # Line k ends at token j; the lines left need at least one token each.
        for j in range(k, n - (lines - k) + 1):
            end = prefix[j]
            gap = gaps[j - 1] if j - 1 < n - 1 else 0.0
            reward = j < n and bonus[j - 1]
            top, start, bar = inf, 0, inf
            # The slack (bar - top) is far above any rounding (** may be off by an ulp, and
            # lift adds and takes away slope * prefix) and far below any real difference: only
            # starts that cannot win are cut.
            room = 1e-9 * (slope * end + 1.0)
            for i in range(min(j - 1, last), k - 2, -1):
                # The same arithmetic, in the same order, as a cost(i, j, k) of its own would do.
                w = end - prefix[i] - gap
                c = (w / aim) ** 2
                if w > max_width:
                    c += 1000.0 + 1000.0 * (w - max_width) / max_width
                if reward:
                    c -= 0.3
                # Every earlier start makes this line at least as wide (so c at least as high)
                # and the lines before it cost at least floor[i]: when even that sum loses, so
                # do they all; and over max_width, when lift[i] + c loses.
                if w >= 0 and (floor[i] + c > bar or (w > max_width and lift[i] + c > bar)):
                    break
                total = before[i] + c
                # Ties go to the earliest start, as they do scanning from the left (an infinite
                # total never wins, as an unreachable start is skipped there).
                if total < top or (total == top and top != inf):
                    top, start = total, i
                    bar = top + 1e-9 * abs(top) + room
            best_k[j], back_k[j] = top, start
    starts = []
    j = n
    for k in range(lines, 0, -1):
        j = back[k][j]
        starts.append(j)
    return starts[::-1]


def _wrap_paragraph(tokens: list[_Token], style: TextStyle, max_width: float, limit: int):
    """The fewest balanced lines (at most `limit`) that fit; `limit` lines if none fit."""
    widths = [measure(t.text, style) for t in tokens]
    space = measure("a a", style) - measure("aa", style)
    gaps = [(space if t.joiner else 0.0) + style.kerning for t in tokens]
    bonus = [t.text.endswith(BREAK_AFTER) for t in tokens]
    for count in range(1, max(1, limit) + 1):
        starts = _balanced_split(widths, gaps, bonus, count, max_width, style.split_bias)
        lines = [
            _join(tokens[a:b]) for a, b in zip(starts, [*starts[1:], len(tokens)], strict=True)
        ]
        if all(measure(line, style) <= max_width for line in lines) or count >= len(tokens):
            return lines
    return lines


def _wrap(paragraphs: list[list[_Token]], style: TextStyle, max_width: float, limit: int):
    lines: list[str] = []
    for index, tokens in enumerate(paragraphs):
        later = len(paragraphs) - index - 1
        budget = max(1, limit - len(lines) - later)
        lines.extend(_wrap_paragraph(tokens, style, max_width, budget))
    return lines


def _block_height(count: int, style: TextStyle) -> float:
    ascent, descent = fonts.load(style.font, style.px).getmetrics()
    return (count - 1) * style.pitch() + ascent + descent


def _cut_to_width(text: str, style: TextStyle, max_width: float, ellipsis: bool) -> str:
    """The longest prefix of text (plus "…") that fits max_width."""
    suffix = "…" if ellipsis else ""
    low, high = 0, len(text)
    while low < high:  # binary search on the prefix length
        mid = (low + high + 1) // 2
        if measure(text[:mid].rstrip() + suffix, style) <= max_width:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + suffix


def _hard_wrap(text: str, style: TextStyle, max_width: float, limit: int) -> list[str]:
    """Last resort at the smallest size: fill lines greedily, breaking inside words, and end the
    last line with "…" when the text does not fit."""
    lines: list[str] = []
    rest = " ".join(text.split())
    while rest and len(lines) < limit:
        last = len(lines) == limit - 1
        if measure(rest, style) <= max_width:
            lines.append(rest)
            rest = ""
            break
        if last:
            lines.append(_cut_to_width(rest, style, max_width, ellipsis=True))
            rest = ""
            break
        piece = _cut_to_width(rest, style, max_width, ellipsis=False)
        # Prefer the last space inside the piece as the break.
        cut = piece.rfind(" ")
        piece = piece[:cut] if cut > 0 else piece
        piece = piece or rest[:1]
        lines.append(piece)
        rest = rest[len(piece) :].lstrip()
    return lines


def fit_line(
    segments: Sequence[tuple[str, TextStyle]], max_width: float
) -> list[tuple[str, TextStyle]]:
    """Shrink one line of styled pieces (the episode line) until it fits max_width; at the
    smallest size, cut it with "…". Measured again after every step: rounded pixel sizes and
    hinting make small text wider than its size says, so one proportional shrink can leave a
    long line wider than the canvas."""

    def width(pieces: Sequence[tuple[str, TextStyle]]) -> float:
        return sum(measure(text, style) for text, style in pieces)

    current, scale = list(segments), 1.0
    for _ in range(10):
        ratio = max_width / max(width(current), 1e-6)
        if ratio >= 1.0:
            return current
        if scale <= MIN_SCALE:
            break
        scale = max(MIN_SCALE, scale * ratio * 0.98)
        current = [(text, style.scaled(scale)) for text, style in segments]
    kept, used = [], 0.0
    for text, style in current:
        if used + measure(text, style) <= max_width:
            kept.append((text, style))
            used += measure(text, style)
            continue
        cut = _cut_to_width(text, style, max_width - used, ellipsis=True)
        if measure(cut, style) <= max_width - used:
            kept.append((cut, style))
        break
    return kept


def fit(
    text: str,
    style: TextStyle,
    max_width: float,
    max_lines: int,
    max_height: float | None = None,
) -> tuple[list[str], TextStyle]:
    """Wrap text into at most max_lines balanced lines (more only if the text has more explicit
    line breaks), shrinking the style until the lines fit max_width and max_height."""
    paragraphs = [_tokens(p) for p in text.split("\n")]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs or max_width <= 0:
        return [], style
    limit = max(max_lines, len(paragraphs))
    scale = 1.0
    for _ in range(10):
        current = style.scaled(scale)
        lines = _wrap(paragraphs, current, max_width, limit)
        widest = max(measure(line, current) for line in lines)
        height = _block_height(len(lines), current)
        ratio = max_width / max(widest, 1e-6)
        if max_height:
            ratio = min(ratio, max_height / max(height, 1e-6))
        if ratio >= 1.0:
            return lines, current
        if scale <= MIN_SCALE:
            break
        # Widths scale with the size, so jump close to the answer; the loop checks the result.
        scale = max(MIN_SCALE, min(scale * ratio * 0.99, scale * 0.97))
    current = style.scaled(MIN_SCALE)
    lines = _hard_wrap(" ".join(p for p in text.split("\n")), current, max_width, limit)
    if max_height and lines:
        dropped = False
        while len(lines) > 1 and _block_height(len(lines), current) > max_height:
            lines.pop()
            dropped = True
        if _block_height(len(lines), current) > max_height:
            lines = []  # not even one line fits at the smallest size
        elif dropped:
            lines[-1] = _cut_to_width(lines[-1], current, max_width, ellipsis=True)
    return lines, current


# --- drawing --------------------------------------------------------------------------------


@dataclass
class _Part:
    """One styled piece of a line, rendered: masks cropped to the ink, whose top-left sits at
    (dx, dy) from the line's origin (left end of the baseline)."""

    style: TextStyle
    fill: Image.Image
    stroke: Image.Image | None
    dx: int
    dy: int


@dataclass
class Line:
    parts: list[_Part]
    width: float  # advance width
    ascent: int
    descent: int
    x: float = 0.0  # origin: left end of the baseline, in canvas pixels
    y: float = 0.0

    def ink(self) -> tuple[int, int, int, int] | None:
        """Bounding box of what this line draws, in canvas pixels."""
        box = None
        for part in self.parts:
            if part.fill.width == 0 or part.fill.height == 0:
                continue
            left = round(self.x) + part.dx
            top = round(self.y) + part.dy
            b = (left, top, left + part.fill.width, top + part.fill.height)
            box = b if box is None else _union(box, b)
        return box


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def render_line(segments: Sequence[tuple[str, TextStyle]], missing: set[str] | None = None) -> Line:
    """Render text pieces (each with its own style) side by side into masks."""
    parts: list[_Part] = []
    x = 0.0
    ascent = descent = 0
    for text, style in segments:
        pieces, width, lost = _pieces(text, style)
        if missing is not None:
            missing |= lost
        primary = fonts.load(style.font, style.px)
        a, d = primary.getmetrics()
        ascent, descent = max(ascent, a), max(descent, d)
        if pieces:
            parts.append(_render_part(pieces, style, x))
        x += width
    return Line(parts, x, ascent, descent)


@lru_cache(maxsize=1024)
def _glyph(font: ImageFont.FreeTypeFont, text: str, stroke: int) -> tuple[Image.Image, int, int]:
    """The mask of text drawn from the left end of its baseline, and the offset of the mask's
    top-left from there. Cached: a series' titles reuse a few dozen letters at one size, so a
    worker soon stops rasterising (stroking is the expensive part) and only pastes."""
    box = font.getbbox(text, anchor="ls", stroke_width=stroke)
    left, top, right, bottom = (int(v) for v in box)  # whole pixels already; the stubs say float
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text(
        (-left, -top), text, font=font, fill=255, anchor="ls", stroke_width=stroke, stroke_fill=255
    )
    return mask, left, top


def _render_part(pieces: list[_Piece], style: TextStyle, x0: float) -> _Part:
    """Masks (fill, and stroke when there is one) just big enough for the pieces' glyphs."""
    stroke = style.stroke_px
    placed = [
        (
            round(x0 + p.x),
            _glyph(p.font, p.text, 0),
            _glyph(p.font, p.text, stroke) if stroke else None,
        )
        for p in pieces
    ]
    outer = [
        (x + g[1], g[2], x + g[1] + g[0].width, g[2] + g[0].height)
        for x, f, o in placed
        for g in [o or f]
    ]
    left, top = min(b[0] for b in outer), min(b[1] for b in outer)
    size = (max(b[2] for b in outer) - left, max(b[3] for b in outer) - top)
    fill = Image.new("L", size, 0)
    outline = Image.new("L", size, 0) if stroke else None
    for x, glyph, stroked in placed:
        fill.paste(255, (x + glyph[1] - left, glyph[2] - top), glyph[0])
        if outline is not None and stroked is not None:
            outline.paste(255, (x + stroked[1] - left, stroked[2] - top), stroked[0])
    return _Part(style, fill, outline, left, top)


class Block:
    """Lines placed on the canvas."""

    def __init__(self, lines: list[Line]):
        self.lines = lines

    @classmethod
    def stack(
        cls,
        lines: list[Line],
        x: float,
        y: float,
        pitch: float,
        align: str = "center",
        grow: str = "up",
    ) -> Block:
        """Place lines one under another. grow="up": the last baseline is at y and extra lines
        go upwards; grow="down": the first baseline is at y."""
        first = y - pitch * (len(lines) - 1) if grow == "up" else y
        for i, line in enumerate(lines):
            if align == "center":
                line.x = x - line.width / 2
            elif align == "right":
                line.x = x - line.width
            else:
                line.x = x
            line.y = first + i * pitch
        return cls(lines)

    def bbox(self) -> tuple[int, int, int, int] | None:
        box = None
        for line in self.lines:
            ink = line.ink()
            if ink is not None:
                box = ink if box is None else _union(box, ink)
        return box

    def shift(self, dx: float, dy: float) -> None:
        for line in self.lines:
            line.x += dx
            line.y += dy

    def centre_on(self, y: float) -> None:
        """Move the block up or down so its capital letters are centred on the row y, from the
        first line's cap height to the last baseline (descenders hang below, as the eye
        expects)."""
        first, last = self.lines[0], self.lines[-1]
        cap = max(part.style.size for part in first.parts) * 0.7 if first.parts else 0
        self.shift(0, y - (first.y - cap + last.y) / 2)

    def keep_inside(self, width: int, height: int, margin: int = 0) -> None:
        """Move the block back onto the canvas if any ink sticks out (a long word, a big custom
        size, a vertical shift); ink that is larger than the canvas is cut when drawing."""
        box = self.bbox()
        if box is None:
            return
        dx = dy = 0.0
        if box[2] - box[0] <= width - 2 * margin:
            dx = max(0, margin - box[0]) - max(0, box[2] - (width - margin))
        if box[3] - box[1] <= height - 2 * margin:
            dy = max(0, margin - box[1]) - max(0, box[3] - (height - margin))
        self.shift(dx, dy)

    def draw(
        self, canvas: Image.Image, shadow: tuple[RGB, float, float, int, int] | None = None
    ) -> list[tuple[int, int, int, int]]:
        """Paint onto the canvas; returns each line's ink box (left, top, right, bottom).

        shadow: (colour, opacity, blur radius, dx, dy) for a soft drop shadow under the text.
        """
        if shadow is not None:
            self._draw_shadow(canvas, *shadow)
        for layer in ("stroke", "fill"):
            for line in self.lines:
                for part in line.parts:
                    mask = part.stroke if layer == "stroke" else part.fill
                    if mask is None:
                        continue
                    color = part.style.stroke_color if layer == "stroke" else part.style.color
                    _paste(canvas, color, mask, round(line.x) + part.dx, round(line.y) + part.dy)
        # Not clipped to the canvas: the boxes are how tests see that nothing was drawn outside it.
        return [ink for line in self.lines if (ink := line.ink()) is not None]

    def _draw_shadow(
        self, canvas: Image.Image, color: RGB, opacity: float, radius: float, dx: int, dy: int
    ) -> None:
        masked = self.mask(int(radius * 3) + 2)
        if masked is not None:
            glow(canvas, *masked, color, opacity, radius, dx, dy)

    def mask(self, pad: int = 0) -> tuple[Image.Image, int, int] | None:
        """Everything the block draws (fill and stroke) as one mask with `pad` pixels of room on
        every side, and where its top-left goes on the canvas; None for a block with no ink. For
        glows and shadows under the text (a type may add its own shapes to the mask first)."""
        box = self.bbox()
        if box is None:
            return None
        left, top = box[0] - pad, box[1] - pad
        size = (box[2] - box[0] + 2 * pad, box[3] - box[1] + 2 * pad)
        layer = Image.new("L", size, 0)
        for line in self.lines:
            for part in line.parts:
                at = (round(line.x) + part.dx - left, round(line.y) + part.dy - top)
                for mask in (part.fill, part.stroke):
                    if mask is not None:
                        layer.paste(255, at, mask)
        return layer, left, top


def glow(
    canvas: Image.Image,
    mask: Image.Image,
    left: int,
    top: int,
    color: RGB,
    opacity: float,
    radius: float,
    dx: int = 0,
    dy: int = 0,
    spread: float = 0.0,
) -> None:
    """A soft shadow of `mask` (placed at left, top) painted in colour: grown by `spread`
    pixels, blurred by `radius`, at `opacity`, moved by (dx, dy). The mask needs about 3 x
    radius of empty room round its ink, or the glow is cut square."""
    soft = effects.soft_small(mask, radius, spread)
    soft = soft.resize(mask.size, Image.Resampling.BILINEAR).point(lambda v: int(v * opacity))
    _paste(canvas, color, soft, left + dx, top + dy)


def nudge(low: float, high: float, limit: float, margin: float = 0) -> float:
    """How far to move a span (low..high) to bring it inside margin..limit - margin; nothing
    when it cannot fit. For boxes and panes that must stay on the card with their text."""
    if high - low > limit - 2 * margin:
        return 0.0
    return max(0.0, margin - low) - max(0.0, high - (limit - margin))


def drop_shadow(
    canvas: Image.Image,
    mask: Image.Image,
    x: int,
    y: int,
    shadow: tuple[RGB, float, float, int, int],
) -> None:
    """Paint the soft shadow of a shape (its mask, "L", top-left at (x, y) on the canvas): text
    lines, a logo's alpha, a rounded panel. shadow: (colour, opacity, blur radius, dx, dy). The
    mask gets the room round its ink a glow needs."""
    color, opacity, radius, dx, dy = shadow
    pad = int(radius * 3) + 2
    layer = Image.new("L", (mask.width + 2 * pad, mask.height + 2 * pad), 0)
    layer.paste(mask, (pad, pad))
    glow(canvas, layer, x - pad, y - pad, color, opacity, radius, dx, dy)


def _paste(canvas: Image.Image, color: RGB, mask: Image.Image, x: int, y: int) -> None:
    """Paint colour through a mask at (x, y), cutting whatever lies outside the canvas."""
    left, top = max(0, x), max(0, y)
    right, bottom = min(canvas.width, x + mask.width), min(canvas.height, y + mask.height)
    if left >= right or top >= bottom:
        return
    if (left, top, right, bottom) != (x, y, x + mask.width, y + mask.height):
        mask = mask.crop((left - x, top - y, right - x, bottom - y))
    canvas.paste(effects.ink(canvas, color), (left, top, right, bottom), mask)


# For card types that draw shapes of their own (rings, bars) the way text is drawn.
paint = _paste
