"""formula_one: a race-weekend card. The still under a dark veil, a white racing frame (a thick
corner piece that carries the country's flag, four thin lines round the other side), and
centred in it "ROUND 1", the season title (the race's country), "GRAND PRIX" and the session.

The reference puts the Formula 1 logo in the frame's top edge; that is a trademark, so tcm puts
a chequered strip there instead.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from PIL import Image, ImageDraw

from .. import fonts
from .. import source as pictures
from ..layout import Block, paint
from ..scale import patch as array_patch
from .base import Card, CardType, Option, parse_color

DISPLAY = fonts.bundled("Play-Bold.ttf")  # squared, wide: Formula1 Display's look
CAP = 0.649  # Play Bold's cap height, of its size: text is placed by its capitals' tops

# Flags drawn as bands: (direction, colours top to bottom or left to right). Flags with
# emblems keep their field colours; the ones that are mostly emblem (the Union Jack, the stars
# and stripes) are not drawn and get the plain white piece, like an unknown country.
FLAGS: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {
    ("austria",): ("rows", ("#ED2939", "#FFFFFF", "#ED2939")),
    ("azerbaijan",): ("rows", ("#0092BC", "#E4002B", "#00AF66")),
    ("bahrain",): ("columns", ("#FFFFFF", "#CE1126", "#CE1126", "#CE1126")),
    ("belgi",): ("columns", ("#2D2926", "#FDDA24", "#EF3340")),
    ("canad",): ("columns", ("#D80621", "#FFFFFF", "#FFFFFF", "#D80621")),
    ("chin",): ("rows", ("#EE1C25",)),
    ("dutch", "netherlands"): ("rows", ("#AE1C28", "#FFFFFF", "#21468B")),
    ("hungar",): ("rows", ("#CE2939", "#FFFFFF", "#477050")),
    ("ital",): ("columns", ("#009246", "#FFFFFF", "#CE2B37")),
    ("mexic",): ("columns", ("#006847", "#FFFFFF", "#CE1126")),
    ("monaco",): ("rows", ("#CE1126", "#FFFFFF")),
    ("qatar",): ("columns", ("#FFFFFF", "#8A1538", "#8A1538", "#8A1538")),
    ("saudi",): ("rows", ("#006C35",)),
    ("singapore",): ("rows", ("#EF3340", "#FFFFFF")),
    ("spanish", "spain"): ("rows", ("#AA151B", "#F1BF00", "#F1BF00", "#AA151B")),
    ("abu dhabi", "emirates"): ("rows", ("#00732F", "#FFFFFF", "#000000")),
}


class FormulaOne(CardType):
    name = "formula_one"
    label = "Formula 1"
    rank = 22
    pixels = True  # a veil, then masks, pictures and polygons over the still
    aliases = ("formula 1", "f1")

    title_font = DISPLAY
    title_size = 155
    title_color = "white"
    title_case = "upper"
    title_max_lines = 1
    title_max_width = 1625
    title_top = 809  # top of its capitals

    season_format = "SEASON {season_number}"
    episode_format = "ROUND {season_number}"

    # Text lines: (size, top of the capitals), centred on the card.
    round_line = (82, 283)
    season_line = (170, 406)
    race_line = (205, 672)  # this one is centred on its row
    # size, kerning, right edge, baseline: Play is narrower than the F1 figures, so smaller
    # and spaced out to span the same width without standing taller.
    year = (125, 10, 1285, 1139)

    # The frame (reference px). The corner piece, where the flag goes:
    piece_box = (645, 125, 1451, 967)
    piece_width = 80
    corner_radius = 190
    fade_from = 800  # the piece fades out towards its bottom from here
    # Four thin lines round the other side, outermost first.
    lines = 4
    line_width = 15
    line_pitch = 26
    lines_top, lines_right, lines_bottom = 125, 2557, 1143
    lines_radius = 167
    lines_start = 1834  # where the outermost top line starts (inner ones start further left)
    lines_end = 1310  # where the outermost bottom line ends
    chequer = (1475, 1740)  # the strip in the top edge, between the piece and the lines

    options = {
        "country": Option(
            "text", "", "the race's country, for its flag (default: the season title)"
        ),
        "flag": Option("text", "", "path of a flag image for the corner piece"),
        "race": Option("text", "GRAND PRIX", "the line under the country; empty hides it"),
        "episode_text_color": Option("color", None, "default: the font colour"),
        "episode_text_size": Option(
            "number", 1.0, "scale of the ROUND line's size", minimum=0.2, maximum=3
        ),
        "frame_year": Option("int", 2024, "year on the frame; 0 hides it", minimum=0, maximum=9999),
    }

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        return image.point(lambda v: v // 2)  # a 50 % black veil

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        pixels >>= 1  # backdrop()'s veil, v // 2, in place

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        self.piece(card, canvas)
        self.thin_lines(card, canvas)
        self.chequered(card, canvas)
        color = card.title_style.color
        scale = float(card.option("episode_text_size"))
        round_color = card.option("episode_text_color") or color
        size, top = self.round_line
        if card.episode_parts:
            text = "".join(part for part, _ in card.episode_parts)
            self.centred_line(card, canvas, text, size * scale, round_color, top)
        size, top = self.season_line
        if card.season_text:
            self.centred_line(card, canvas, card.season_text, size, color, top)
        race = str(card.option("race")).strip()
        size, middle = self.race_line
        if race:
            self.centred_line(card, canvas, race.upper(), size, color, middle - size * CAP / 2)
        self.title(card, canvas)
        self.frame_year(card, canvas)

    # --- text -------------------------------------------------------------------------------

    def centred_line(self, card: Card, canvas, text: str, size: float, color, top: float) -> None:
        style = card.style(DISPLAY, size, color)
        block = card.line_block([(text, style)], card.width / 2, 0, "center")
        self.place(card, canvas, block, top)

    def place(self, card: Card, canvas, block: Block | None, top: float) -> None:
        """Put the block's first line with its capitals' top at `top` (reference px)."""
        if block is None or not block.lines[0].parts:
            return
        size = max(part.style.size for part in block.lines[0].parts)
        block.shift(0, card.px(top) + size * CAP - block.lines[0].y)
        card.draw(canvas, block)

    def title(self, card: Card, canvas: Image.Image) -> None:
        card.title = " ".join(card.title.split())  # always one line, line breaks and all
        block = card.title_block(card.width / 2, 0, "center", "down", max_height=card.height)
        self.place(card, canvas, block, self.title_top)

    def frame_year(self, card: Card, canvas: Image.Image) -> None:
        year = int(card.option("frame_year"))
        if not year:
            return
        size, kerning, right, baseline = self.year
        # Outlined figures: a white outline round a dark inside, the reference's stencil look.
        style = card.style(DISPLAY, size, (0, 0, 0), kerning, stroke=5, stroke_color="white")
        block = card.line_block([(str(year), style)], card.px(right), card.px(baseline), "right")
        card.draw(canvas, block)

    # --- the frame --------------------------------------------------------------------------

    def piece(self, card: Card, canvas: Image.Image) -> None:
        """The thick corner piece: a bar along the top, a rounded corner, a bar down the left
        fading out; white, or the country's flag."""
        x0, y0, x1, y1 = (card.px(v) for v in self.piece_box)
        size = (max(1, math.ceil(x1 - x0)), max(1, math.ceil(y1 - y0)))
        mask = _piece_mask(
            size,
            card.px(self.piece_width),
            card.px(self.corner_radius),
            round(card.px(self.fade_from) - y0),
        )
        texture = self.flag(card, size)
        at = (round(x0), round(y0))
        if hasattr(canvas, "pixels"):
            _paste_sparse(canvas, (255, 255, 255) if texture is None else texture, mask, at)
        elif texture is None:
            paint(canvas, (255, 255, 255), mask, *at)
        else:
            canvas.paste(texture, at, mask)

    def flag(self, card: Card, size: tuple[int, int]) -> Image.Image | None:
        path = str(card.option("flag")).strip()
        if path:
            image = pictures.load_cover(path, size, what="flag")  # grey on grey cards at the end
            return image if image.size == size else image.resize(size, Image.Resampling.BICUBIC)
        name = (str(card.option("country")).strip() or card.season_text or "").lower()
        for keys, (direction, colours) in FLAGS.items():
            if any(key in name for key in keys):
                return bands(size, direction, colours)
        return None

    def thin_lines(self, card: Card, canvas: Image.Image) -> None:
        left = self.lines_end - 10
        x0, y0 = card.px(left), card.px(self.lines_top)
        at = (round(x0), round(y0))
        if hasattr(canvas, "pixels"):
            _paste_sparse(canvas, (255, 255, 255), self.lines_mask(card.scale), at)
            return
        paint(canvas, (255, 255, 255), self.lines_mask(card.scale), *at)

    @functools.lru_cache(maxsize=4)  # noqa: B019 - a few card sizes, the class lives for good
    def lines_mask(self, scale: float) -> Image.Image:
        """The four thin lines as a mask, from their box's top-left: the same on every card of
        a size, drawn once (at twice the size, then shrunk)."""

        def px(value: float) -> float:
            return value * scale

        pitch, width = self.line_pitch, self.line_width
        left = self.lines_end - 10
        box = (left, self.lines_top, self.lines_right, self.lines_bottom)
        x0, y0 = px(box[0]), px(box[1])
        size = (math.ceil(px(box[2] - box[0])) + 2, math.ceil(px(box[3] - box[1])) + 2)
        k = 2
        mask = Image.new("L", (size[0] * k, size[1] * k), 0)
        pen = ImageDraw.Draw(mask)

        def at(x: float, y: float) -> tuple[float, float]:
            return ((px(x) - x0) * k, (px(y) - y0) * k)

        w = max(1, round(px(width) * k))
        for i in range(self.lines):
            inset = i * pitch + width / 2
            top, right, bottom = (
                self.lines_top + inset,
                self.lines_right - inset,
                self.lines_bottom - inset,
            )
            r = self.lines_radius - i * pitch - width / 2
            start, end = self.lines_start - i * pitch, self.lines_end + i * pitch
            pen.line([at(start, top), at(right - r, top)], fill=255, width=w)
            pen.line([at(right, top + r), at(right, bottom - r)], fill=255, width=w)
            pen.line([at(right - r, bottom), at(end, bottom)], fill=255, width=w)
            for corner, angles in (
                ((right - r, top + r), (270, 360)),
                ((right - r, bottom - r), (0, 90)),
            ):
                a, b = (
                    at(corner[0] - r - width / 2, corner[1] - r - width / 2),
                    at(corner[0] + r + width / 2, corner[1] + r + width / 2),
                )
                pen.arc((*a, *b), *angles, fill=255, width=w)
        return mask.reduce(k)

    def chequered(self, card: Card, canvas: Image.Image) -> None:
        """A strip of chequers in the top edge, leaning like the piece's cut end."""
        top = self.piece_box[1]
        white = parse_color("white")
        array = getattr(canvas, "pixels", None)  # a card drawn on an array (BGR)
        if array is not None:
            # Drawn by Pillow on a picture of the card's top rows from its top-left corner: the
            # same coordinates, so the same raster, as on a Pillow card.
            canvas.flush()  # type: ignore[attr-defined]
            bottom = min(array.shape[0], math.ceil(card.px(top + self.piece_width)) + 2)
            with array_patch(array[:bottom]) as patch:
                self.chequers(card, ImageDraw.Draw(patch), white)
            return
        self.chequers(card, ImageDraw.Draw(canvas), white)

    def chequers(self, card: Card, pen: ImageDraw.ImageDraw, white: tuple[int, ...]) -> None:
        start, stop = self.chequer
        top, rows = self.piece_box[1], 4
        cell = self.piece_width / rows
        for row in range(rows):
            y = top + row * cell
            for col in range(int((stop - start) / cell)):
                if (row + col) % 2:
                    continue
                x = start + col * cell - (y - top)
                corners = [(x, y), (x + cell, y), (x, y + cell), (x - cell, y + cell)]
                pen.polygon([(card.px(a), card.px(b)) for a, b in corners], fill=white)


TILE = 128  # the frame's masks are pasted on an array in tiles of this size, empty ones left out


def _paste_sparse(canvas: Any, source: Any, mask: Image.Image, at: tuple[int, int]) -> None:
    """canvas.paste(source, at, mask) on a card drawn on an array, the same pixels: the frame's
    masks are mostly empty (a mask of 0 leaves a pixel as it is), so only their inked tiles are
    pasted, each flushed on its own (tiles side by side would otherwise be worked on as one
    patch, the size of the whole frame)."""
    for box in _inked_tiles(mask):
        left, top, right, bottom = (at[0] + box[0], at[1] + box[1], at[0] + box[2], at[1] + box[3])
        if left < 0 or top < 0 or right > canvas.width or bottom > canvas.height:
            canvas.paste(source, at, mask)  # off the canvas: the whole, cut by paste
            canvas.flush()
            return
    for box in _inked_tiles(mask):
        part = source.crop(box) if isinstance(source, Image.Image) else source
        canvas.paste(part, (at[0] + box[0], at[1] + box[1]), mask.crop(box))
        canvas.flush()


_TILES: dict[int, tuple[Image.Image, list[tuple[int, int, int, int]]]] = {}


def _inked_tiles(mask: Image.Image) -> list[tuple[int, int, int, int]]:
    """The boxes of the mask's tiles that have ink, each cut to its ink (cached per mask: the
    masks are cached themselves)."""
    kept = _TILES.get(id(mask))
    if kept is not None and kept[0] is mask:
        return kept[1]
    boxes = []
    for top in range(0, mask.height, TILE):
        for left in range(0, mask.width, TILE):
            tile = (left, top, min(mask.width, left + TILE), min(mask.height, top + TILE))
            ink = mask.crop(tile).getbbox()
            if ink is not None:
                boxes.append((left + ink[0], top + ink[1], left + ink[2], top + ink[3]))
    while len(_TILES) >= 8:
        _TILES.pop(next(iter(_TILES)))
    _TILES[id(mask)] = (mask, boxes)
    return boxes


def bands(size: tuple[int, int], direction: str, colours: tuple[str, ...]) -> Image.Image:
    image = Image.new("RGB", size)
    pen = ImageDraw.Draw(image)
    count = len(colours)
    for i, colour in enumerate(colours):
        if direction == "rows":
            box = (0, size[1] * i / count, size[0], size[1] * (i + 1) / count)
        else:
            box = (size[0] * i / count, 0, size[0] * (i + 1) / count, size[1])
        pen.rectangle(box, fill=colour)
    return image


@functools.lru_cache(maxsize=4)
def _piece_mask(size: tuple[int, int], width: float, radius: float, fade: int) -> Image.Image:
    """The corner piece's mask (`width` px bars, corner of `radius`, fading out from row
    `fade`): the same on every card of a size, drawn once (at twice the size, then shrunk).
    Callers paint through it, never draw on it."""
    k = 2
    mask = Image.new("L", (size[0] * k, size[1] * k), 0)
    pen = ImageDraw.Draw(mask)
    width, radius = width * k, radius * k
    right = size[0] * k
    # Top bar, its end cut at 45 degrees; the corner; the left bar.
    pen.polygon([(radius, 0), (right, 0), (right - width, width), (radius, width)], fill=255)
    pen.pieslice((0, 0, 2 * radius, 2 * radius), 180, 270, fill=255)
    inner = radius - width
    pen.pieslice((width, width, width + 2 * inner, width + 2 * inner), 180, 270, fill=0)
    pen.rectangle((0, radius, width, size[1] * k), fill=255)
    mask = mask.reduce(k)
    if 0 < fade < size[1]:
        ramp = Image.linear_gradient("L").rotate(180).resize((size[0], size[1] - fade))
        faded = Image.new("L", size, 255)
        faded.paste(ramp, (0, fade))
        mask = Image.composite(mask, Image.new("L", size, 0), faded)
    return mask
