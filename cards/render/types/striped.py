"""striped: a white sheet over the card with slanted stripes cut out of it, through which the
still shows; a black italic title in a corner with the episode line in crimson above it.

The stripes are random, but the same card always gets the same ones: the randomness is seeded
from the series and the episode numbers (not the title, so fixing a typo keeps the look), and a
re-render gives the same bytes.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterator
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from .. import effects, fonts, scale
from ..layout import Block
from .base import BASE_HEIGHT, Card, CardType, Option, parse_color

GOLCA_LIKE = fonts.bundled("texgyreadventor-bolditalic.otf")  # a geometric bold italic

# Stripe widths by size class (reference px).
CLASSES = {"s": (15, 40), "m": (50, 200), "l": (250, 500)}
# random[...]: each stripe's class drawn from the letters; otherwise a sequence of classes,
# widths ("100") and ranges ("50-100"), used once, or over and over with a trailing "+".
_ITEM = r"(?:[sml]|\d{1,4}(?:-\d{1,4})?)"
PATTERN = rf"random\[[sml]+\]|{_ITEM}(?:,?{_ITEM})*\+?"
POSITIONS = ("lower left", "upper left", "upper right", "lower right")


class Striped(CardType):
    name = "striped"
    label = "Striped"
    rank = 26
    pixels = True  # a sheet laid through a mask, and text, over the still
    aliases = ("polygon",)

    # Text (the reference's sizes are at density 100: 100 pt = 139 px; Adventor runs wider than
    # the reference's face, so it is set a little smaller to fill the same width).
    title_font = GOLCA_LIKE
    title_size = 130
    title_color = "black"
    title_kerning = -2
    # The reference's "+25" word spacing measures as a normal space in its pictures.
    title_word_spacing = 0
    title_case = "source"
    title_max_lines = 3
    title_max_width = 2300
    title_edge = 35  # from the top or bottom edge to the text's line box

    season_format = "Season {season_number}"
    episode_format = "Episode {episode_number}"
    episode_case = "source"
    episode_font = GOLCA_LIKE
    episode_size = 60
    episode_color = "#DC143C"  # crimson
    episode_kerning = 1
    episode_gap = 40  # between the episode line's baseline and the title's top

    # Stripes.
    stripe_top = (50, 450)  # a stripe's top edge is somewhere in here
    stripe_bottom = (1200, 1750)
    text_gap = 70  # stripes stop this far short of the text

    options = {
        "angle": Option("number", 79.5, "lean of the stripes, degrees", minimum=45, maximum=135),
        "inset": Option(
            "number", 50, "px kept clear at the left and right", minimum=0, maximum=800
        ),
        "inter_stripe_spacing": Option(
            "number", 8, "px of overlay between stripes", minimum=0, maximum=200
        ),
        "overlay_color": Option("color", None, "colour of the sheet over the picture (white)"),
        "polygons": Option(
            "text",
            "random[ssmmmlll]",
            "stripe widths: random[ssmmmlll] (s 15-40, m 50-200, l 250-500 px, drawn at random), "
            "a fixed order like smlm, repeated with a + (sml+), or px widths and ranges: 100,50-80",
            pattern=PATTERN,
        ),
        "episode_text_color": Option("color", None, "colour of the episode line (crimson)"),
        "episode_text_size": Option(
            "number", 1.0, "scale of the episode line's size", minimum=0.2, maximum=3
        ),
        "separator": Option("text", "-", "between the season and the episode part"),
        "text_position": Option("choice", "lower left", "corner the text sits in", POSITIONS),
    }

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        pass  # the still as it is

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        position = str(card.option("text_position"))
        upper, right = position.startswith("upper"), position.endswith("right")
        inset = card.px(float(card.option("inset")))
        x = card.width - inset if right else inset
        align = "right" if right else "left"
        title, episode = self.text(card, x, align, upper)
        blocks = [block for block in (title, episode) if block is not None]
        boxes = [box for block in blocks if (box := block.bbox())]
        text_box = None
        if boxes:
            text_box = (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
        self.overlay(card, canvas, text_box, upper)
        for block in blocks:
            card.draw(canvas, block)

    def text(
        self, card: Card, x: float, align: str, upper: bool
    ) -> tuple[Block | None, Block | None]:
        """The title and the episode line above it, in their corner."""
        title_style = card.title_style
        ascent, descent = fonts.load(title_style.font, title_style.px).getmetrics()
        edge = card.px(self.title_edge)
        scale = float(card.option("episode_text_size"))
        style = card.style(
            self.episode_font,
            self.episode_size * scale,
            card.option("episode_text_color") or self.episode_color,
            kerning=self.episode_kerning * scale,
        )
        separator = str(card.option("separator")).strip()
        segments = card.episode_segments(style, style, f" {separator} " if separator else " ")
        gap = card.px(self.episode_gap)
        if upper:
            # Episode line first, its line box `edge` from the top; the title below it.
            e_ascent = fonts.load(style.font, style.px).getmetrics()[0]
            episode = card.line_block(segments, x, edge + e_ascent, align)
            top = edge + (e_ascent + gap if episode else 0)
            title = card.title_block(x, top + ascent, align, "down")
            return title, episode
        title = card.title_block(x, card.height - edge - descent, align, "up")
        box = title.bbox() if title else None
        baseline = (box[1] if box else card.height - edge - descent) - gap
        return title, card.line_block(segments, x, baseline, align)

    def overlay(
        self,
        card: Card,
        canvas: Image.Image,
        text_box: tuple[int, int, int, int] | None,
        upper: bool,
    ) -> None:
        """The sheet over the card, with the stripes cut out of it."""
        slope = 1 / math.tan(math.radians(float(card.option("angle"))))
        mask, array = _sheet_mask(canvas)
        pen = ImageDraw.Draw(mask)
        shapes = []
        for stripe, cut in self.stripes(card, slope, text_box, upper):
            pen.polygon(stripe, fill=0)
            if cut:
                # The part near the text is painted back over rather than left out of the
                # polygon, so the stripe's edges are the same pixels whatever the text is.
                pen.polygon(cut, fill=255)
            shapes.append((stripe, cut))
        color = card.option("overlay_color") or parse_color("white")
        _lay(canvas, mask, shapes, effects.ink(canvas, color), array)

    def stripes(self, card: Card, slope: float, text_box, upper: bool) -> Iterator[tuple]:
        """The stripes as polygons on the canvas, each with the polygon (or None) of the part
        that would run into the text. x runs along the row the stripes lean from (the bottom
        edge when they lean right): row y of a stripe is shifted right by shift(y) >= 0."""
        w, h = card.width, card.height
        rng = random.Random(
            f"striped|{card.spec.series_name}|{card.spec.season_number}|{card.spec.episode_number}"
        )
        inset = card.px(float(card.option("inset")))
        spacing = card.px(float(card.option("inter_stripe_spacing")))
        gap = card.px(self.text_gap)

        def shift(y: float) -> float:
            return (h - y) * slope if slope >= 0 else -y * slope

        def polygon(left: float, right: float, top: float, bottom: float):
            return [
                (left + shift(top), top),
                (right + shift(top), top),
                (right + shift(bottom), bottom),
                (left + shift(bottom), bottom),
            ]

        x = inset
        for width in widths(str(card.option("polygons")).strip().lower(), rng):
            width = max(1.0, card.px(width))
            top = card.px(rng.uniform(*self.stripe_top))
            bottom = card.from_bottom(BASE_HEIGHT - rng.uniform(*self.stripe_bottom))
            left, right = x, x + width
            x = right + spacing
            # Leaning, the stripe's ends reach furthest at its top (or bottom) row.
            if right + max(shift(top), shift(bottom)) > w - inset + 0.5:
                break  # the card is full: further stripes would only stick out more
            kept = (top, bottom)
            if text_box is not None:
                kept = self.clear_of_text((left, right), top, bottom, shift, text_box, gap, upper)
            if kept[1] - kept[0] < card.px(50):
                continue
            cut = None
            if kept != (top, bottom):
                # One pixel wider than the stripe, so no edge pixel of it is left behind.
                ends = (kept[1], bottom + 1) if kept[0] == top else (top - 1, kept[0])
                cut = polygon(left - 1, right + 1, *ends)
            yield polygon(left, right, top, bottom), cut

    @staticmethod
    def clear_of_text(span, top, bottom, shift, text_box, gap, upper) -> tuple[float, float]:
        """What is kept of a stripe (top, bottom) that would run into the text: it stops `gap`
        short of it."""
        left, right, text_top, text_bottom = text_box[0], text_box[2], text_box[1], text_box[3]
        edge = text_top - gap if not upper else text_bottom + gap
        reaches = bottom > edge if not upper else top < edge
        if not reaches:
            return top, bottom
        x0, x1 = span[0] + shift(edge), span[1] + shift(edge)
        if x1 < left - gap or x0 > right + gap:
            return top, bottom
        return (top, edge) if not upper else (edge, bottom)


def widths(pattern: str, rng: random.Random) -> Iterator[float]:
    """Stripe widths (reference px) from a polygons pattern, as many as are asked for (or, for a
    sequence without "+", once through it)."""
    chosen = re.fullmatch(r"random\[([sml]+)\]", pattern)
    if chosen:
        while True:
            yield rng.uniform(*CLASSES[rng.choice(chosen[1])])
    repeat = pattern.endswith("+")
    items = re.findall(_ITEM, pattern.rstrip("+"))
    if not items:
        return
    while True:
        for item in items:
            if item in CLASSES:
                yield rng.uniform(*CLASSES[item])
            elif "-" in item:
                low, high = sorted(int(v) for v in item.split("-"))
                yield rng.uniform(low, high)
            else:
                yield float(item)
        if not repeat:
            return


BAND = 96  # rows _lay works through at a time
EDGE = 3  # px round a polygon's edge its pixels may differ from the line (raster, smoothing)


def _lay(canvas: Image.Image, mask: Image.Image, shapes: list, ink: Any, array: Any = None) -> None:
    """Paint `ink` through the stripes' mask (their polygons, 0 inside) smoothed along its rows,
    in place: what pasting the colour through `mask.filter(BoxBlur((1, 0)))` does, pixel for
    pixel. Polygons are drawn without anti-aliasing: a three-pixel average along the rows turns
    the stair steps of the near-vertical edges into a smooth edge.

    Band by band of rows, the sheet between the stripes gets the colour as a plain fill and the
    stripes' insides are left alone; only the columns round their edges are smoothed and pasted
    through the mask (_pieces). Smoothing and blending the whole card cost more than everything
    else the card draws. On an array (core.PixelCanvas) the edges are laid by _lay_edges on the
    card's own pixels, `array` being the mask's pixels."""
    w, h = canvas.size
    fill = _filler(canvas, ink)
    if hasattr(canvas, "pixels"):
        canvas.flush()  # type: ignore[attr-defined]  # what was asked for before goes first
        edges = []
        for kind, box in _pieces(shapes, w, h):
            if kind == "fill":
                fill(box)
            else:
                edges.append(box)
        if array is None:
            import numpy as np

            array = np.asarray(mask)
        _lay_edges(canvas.pixels, array, edges, ink)  # type: ignore[attr-defined]
        return
    smooth = ImageFilter.BoxBlur((1, 0))
    for kind, (c, y0, d, y1) in _pieces(shapes, w, h):
        if kind == "fill":
            fill((c, y0, d, y1))
            continue
        # Smoothed with a column of room either side, as over the whole.
        left, right = max(0, c - 1), min(w, d + 1)
        part = mask.crop((left, y0, right, y1)).filter(smooth)
        part = part.crop((c - left, 0, d - left, y1 - y0))
        canvas.paste(ink, (c, y0, d, y1), part)


def _pieces(shapes: list, w: int, h: int) -> Iterator[tuple[str, tuple[int, int, int, int]]]:
    """The boxes (left, top, right, bottom) _lay works on, band by band, left to right: "fill"
    for the sheet between the stripes (the smoothed mask is 255 all over it), "edge" for the
    columns round the stripes' edges, to be pasted through the smoothed mask. What is in
    neither, the stripes' insides, is left alone. No two boxes share a pixel."""
    for y0 in range(0, h, BAND):
        y1 = min(h, y0 + BAND)
        near, inside, cuts = [], [], []
        for stripe, cut in shapes:
            top, bottom = stripe[0][1], stripe[2][1]
            span = _span(stripe, y0, y1)
            if span is None:
                continue
            near.append((span[0] - EDGE, span[3] + EDGE))
            cut_span = _span(cut, y0, y1) if cut is not None else None
            if cut_span is not None:
                # A cut is a little wider than its stripe: it may reach into the next one.
                cuts.append((cut_span[0] - EDGE, cut_span[3] + EDGE))
            whole = top + EDGE <= y0 and bottom - EDGE >= y1 and cut_span is None
            if whole and span[1] + EDGE < span[2] - EDGE:
                inside.append((span[1] + EDGE, span[2] - EDGE))
        clear = _merged(inside, w)
        if cuts:
            clear = [part for hole in clear for part in _without(hole, _merged(cuts, w))]
        x = 0
        for a, b in _merged(near, w):
            if a > x:
                yield "fill", (x, y0, a, y1)  # the sheet between
            for c, d in _without((a, b), clear):
                yield "edge", (c, y0, d, y1)
            x = b
        if x < w:
            yield "fill", (x, y0, w, y1)


def _lay_edges(pixels: Any, mask: Any, boxes: list, ink: Any) -> None:
    """Paste `ink` (RGB) on the BGR `pixels` through `mask` (the same size, 0 or 255 only)
    smoothed along its rows, box by box: the bytes Pillow's paste of the colour through
    `mask.filter(BoxBlur((1, 0)))` gives, by OpenCV and numpy on the pixels themselves. Pillow
    took 150 crops, smoothings and pastes, each on a patch copied out of the array and back.

    A three-pixel average of a mask of 0s and 255s is 0 or 255 where a pixel's row neighbours
    are as it is: the pixel stays as it was (0) or takes the colour (255), which is copying the
    colour through the mask itself. Only the pixels next to a change of the mask along the row
    get 85 or 170 (an exact third of the sum, Pillow's rounding keeps it), a blend of the pixel
    with the colour: a few per row and edge, blended as Pillow does (DIV255 on uint16)."""
    import cv2
    import numpy as np

    if not boxes:
        return
    if not pixels.flags.c_contiguous:  # worked on flattened, below
        work = np.ascontiguousarray(pixels)
        _lay_edges(work, mask, boxes, ink)
        pixels[...] = work
        return
    mask = np.ascontiguousarray(mask)
    w = mask.shape[1]
    color = np.array(ink, np.uint8)[::-1]  # as BGR
    found, where = [], []
    for c, y0, d, y1 in boxes:
        # The changes along the rows, between a column and the next, with a column of room
        # either side (the average reaches one column out).
        left, right = max(0, c - 1), min(w, d + 1)
        room = mask[y0:y1, left:right]
        changes = cv2.findNonZero(cv2.compare(room[:, :-1], room[:, 1:], cv2.CMP_NE))
        if changes is not None:
            found.append(changes.reshape(-1, 2))
            where.append((left, y0, c, d))
    if found:
        # Worked on as indexes into the flattened pixels: numpy's indexing by row and column
        # arrays took ten times as long.
        counts = [len(points) for points in found]
        points = np.concatenate(found).astype(np.intp)
        left_, top_, c_, d_ = (np.repeat(v, counts) for v in np.array(where, np.intp).T)
        columns = points[:, 0] + left_  # a change between this column and the next
        at = (points[:, 1] + top_) * w + columns
        flat_mask = mask.reshape(-1)
        # The two pixels either side of a change are blended; a pixel between two changes is
        # reached twice, to the same bytes. Each has one neighbour the other side of itself,
        # whose level tells its average: 85 + 85 if that neighbour is 255. At the card's edges
        # the edge pixel counts again, as in Pillow's smoothing.
        outer = np.stack(
            [
                flat_mask.take(at - (columns > 0)),
                flat_mask.take(at + 1 + (columns + 1 < w - 1)),
            ],
            axis=1,
        )
        alpha = (outer // 3 + 85).astype(np.uint16)
        # A pixel in a column of room belongs to a box of its own, or none: where the mask
        # changes at a box's side (never, where the boxes are what _pieces means them to be)
        # the pixels are taken one by one, else as the pair.
        inside = np.stack([columns >= c_, columns + 1 < d_], axis=1)
        if inside.all():
            width = 6
            starts = at * 3
            alpha = np.repeat(alpha, 3, axis=1)
        else:
            width = 3
            starts = ((at[:, None] + np.arange(2)) * 3)[inside]
            alpha = alpha[inside][:, None]
        flat = pixels.reshape(-1)  # a view: the canvas's pixels are one block
        channels = starts[:, None] + np.arange(width)
        # Pillow's blend of the colour through 85 or 170, its rounding.
        blend = flat.take(channels).astype(np.uint16) * (255 - alpha)
        blend += np.tile(color.astype(np.uint16), width // 3) * alpha + 128
        blended = ((blend + (blend >> 8)) >> 8).astype(np.uint8)
    # The colour copied through the mask itself (a paste through 255 gives the colour), over a
    # patch the size of the widest box: OpenCV's fill, numpy's broadcast of a colour is slow.
    sheet = np.empty((BAND, max(d - c for c, _, d, _ in boxes), 3), np.uint8)
    cv2.rectangle(sheet, (0, 0), (sheet.shape[1], BAND), tuple(int(v) for v in color), -1)
    for c, y0, d, y1 in boxes:
        region = pixels[y0:y1, c:d]
        cv2.copyTo(sheet[: y1 - y0, : d - c], mask[y0:y1, c:d], region)
    if found:
        flat.put(channels, blended)


def _sheet_mask(canvas: Image.Image) -> tuple[Image.Image, Any]:
    """A white "L" mask the canvas's size to draw the stripes on, and on an array
    (core.PixelCanvas) a numpy array of the same memory (else None): np.asarray() of the mask
    would copy it, 1-2 ms, so the mask is Pillow's image on the array (scale.shared_image)."""
    if hasattr(canvas, "pixels"):
        import numpy as np

        array = np.full((canvas.height, canvas.width), 255, np.uint8)
        mask = scale.shared_image(array, "L", canvas.size)
        if mask is not None:
            return mask, array
    return Image.new("L", canvas.size, 255), None


def _filler(canvas: Image.Image, ink: Any) -> Any:
    """What fills a box (left, top, right, bottom; right and bottom left out) with `ink`:
    Image.paste(ink, box) on a Pillow card, the same pixels by rectangle() on an array."""
    if hasattr(canvas, "pixels"):
        rectangle = canvas.rectangle  # type: ignore[attr-defined]
        return lambda box: rectangle((box[0], box[1], box[2] - 1, box[3] - 1), ink)
    return lambda box: canvas.paste(ink, box)


def _span(shape: list, y0: int, y1: int) -> tuple[float, float, float, float] | None:
    """Where a stripe's (or a cut's) left edge lies at its leftmost and rightmost between rows
    y0 and y1, and its right edge, or None when it does not reach those rows."""
    top, bottom = shape[0][1], shape[2][1]
    if bottom + EDGE < y0 or top - EDGE >= y1:
        return None
    rows = (max(y0, top), min(y1, bottom))
    lefts = [_x_at(shape[0], shape[3], y) for y in rows]
    rights = [_x_at(shape[1], shape[2], y) for y in rows]
    return min(lefts), max(lefts), min(rights), max(rights)


def _x_at(a: tuple[float, float], b: tuple[float, float], y: float) -> float:
    """Where the line from a to b crosses row y."""
    if b[1] == a[1]:
        return a[0]
    return a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1])


def _merged(spans: list[tuple[float, float]], limit: int) -> list[tuple[int, int]]:
    """Spans rounded outwards, cut to 0..limit, overlapping ones merged, in order."""
    out: list[list[int]] = []
    for a, b in sorted(spans):
        lo, hi = max(0, math.floor(a)), min(limit, math.ceil(b))
        if lo >= hi:
            continue
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(a, b) for a, b in out]


def _without(span: tuple[int, int], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """What is left of span once the holes (in order, merged) are taken out of it."""
    a, b = span
    parts = []
    for c, d in holes:
        c, d = math.ceil(c), math.floor(d)
        if d <= a or c >= b or c >= d:
            continue
        if c > a:
            parts.append((a, c))
        a = max(a, d)
    if a < b:
        parts.append((a, b))
    return parts
