"""comic_book: comic lettering in white caption boxes, everything tilted 4 degrees: the title
near the bottom over a translucent red band that runs off the card, "SEASON 1 EPISODE 3" in a
corner over a band along the top edge. Each band's edge runs through the middle of its box."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from PIL import Image, ImageChops, ImageDraw

from .. import effects, fonts, scale
from ..layout import RGB, Block, nudge
from .base import Card, CardType, Option

COMIC = fonts.bundled("ComicNeue-BoldItalic.otf")
POSITIONS = ("left", "middle", "right")
TILT = {"minimum": -30, "maximum": 30}  # a steeper box no longer fits beside its band
SHIFT = {"minimum": -1000, "maximum": 1000}


class ComicBook(CardType):
    name = "comic_book"
    label = "Comic book"
    rank = 4
    pixels = True  # bands and caption boxes pasted through masks, nothing on the picture

    title_font = COMIC
    title_size = 120
    title_color = "black"
    title_case = "upper"
    title_max_lines = 2
    title_max_width = 2500
    title_baseline = 134  # above the bottom edge, at the box's pivot (the card's middle)

    episode_font = COMIC
    episode_size = 63
    season_format = "SEASON {season_number}"
    episode_format = "EPISODE {episode_number}"

    # Caption boxes: room round the letters (sides, above the capitals, below the baseline)
    # and the edge drawn inside the box.
    title_pad = (25, 25, 35)
    index_pad = (15, 15, 20)
    edge = 5
    # The bands: how tall, and the row their edge runs along at the card's middle (title) or
    # at the index box's anchor.
    title_band = 625
    title_band_row = 170  # above the bottom edge
    index_band = 575
    index_row = 92  # the index box's middle, at its anchor
    index_inset = 20  # the index box's anchor from the side edge

    options = {
        "episode_text_color": Option("color", "#000000", "colour of the episode line"),
        "index_text_position": Option("choice", "left", "where the episode line sits", POSITIONS),
        "text_box_fill_color": Option("color", "#FFFFFF", "inside of the caption boxes"),
        "text_box_edge_color": Option(
            "color", None, "edge of the caption boxes and the bands (default: the font colour)"
        ),
        "title_text_rotation_angle": Option(
            "number", -4.0, "tilt of the title in degrees; negative rises to the right", **TILT
        ),
        "index_text_rotation_angle": Option(
            "number", -4.0, "tilt of the episode line in degrees", **TILT
        ),
        "banner_fill_color": Option("color", "#EB4945", "colour of the bands"),
        "banner_opacity": Option("number", 0.6, "0 = clear, 1 = solid", minimum=0, maximum=1),
        "title_banner_shift": Option("number", 0.0, "px, moves the title's band down", **SHIFT),
        "index_banner_shift": Option(
            "number", 0.0, "px, moves the episode line's band down", **SHIFT
        ),
        "hide_title_banner": Option("bool", False, "no band behind the title"),
        "hide_index_banner": Option("bool", False, "no band behind the episode line"),
    }

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        pass  # the still as it is: the bands and boxes are drawn over it

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        edge = card.option("text_box_edge_color") or card.title_style.color
        fill = card.option("text_box_fill_color")
        title_angle = -float(card.option("title_text_rotation_angle"))
        index_angle = -float(card.option("index_text_rotation_angle"))

        # The bands lie where a one-line title and the index box would: they do not move with
        # the text, so a card looks the same from title to title.
        title_row = card.from_bottom(self.title_band_row)
        title_band = (card.width / 2, title_row + card.px(float(card.option("title_banner_shift"))))
        anchor = self.index_anchor(card)
        index_band = (anchor[0], anchor[1] + card.px(float(card.option("index_banner_shift"))))
        if not card.option("hide_title_banner"):
            self.band(card, canvas, title_band, title_angle, 0, self.title_band, edge)
        if not card.option("hide_index_banner"):
            self.band(card, canvas, index_band, index_angle, -self.index_band, 0, edge)

        title = self.title(card, title_angle)
        if title is not None:
            pivot = (card.width / 2, title_row)
            self.caption(
                card, canvas, title, self.title_pad, title_angle, "middle", pivot, fill, edge
            )
        index = self.index_line(card, index_angle)
        if index is not None:
            where = str(card.option("index_text_position"))
            self.caption(
                card, canvas, index, self.index_pad, index_angle, where, anchor, fill, edge
            )

    def band(self, card, canvas, origin, angle, near, far, edge) -> None:
        """A band from `near` to `far` px below the tilted line through `origin`, with an edge
        along that line (the band's other side is off the card)."""
        color = card.option("banner_fill_color")
        opacity = float(card.option("banner_opacity"))
        half = max(0.5, card.px(self.edge) / 2)
        pixels = getattr(canvas, "pixels", None)  # a card drawn on an array (core.PixelCanvas)
        if pixels is not None:
            canvas.flush()  # type: ignore[attr-defined]
        for low, high, paint, cover in (
            (card.px(near), card.px(far), color, opacity),
            (-half, half, edge, 1.0),
        ):
            if pixels is not None:
                # Blended on the array: a card-wide band through the canvas is a card-wide
                # picture with its channels swapped, and a patch copied to Pillow and back.
                masked = _band_mask(canvas.size, origin, angle, low, high, cover)
                if masked is not None:
                    top, mask, tiles = masked
                    bgr = (paint[2], paint[1], paint[0])
                    effects.blend_tiles(pixels, mask, (0, top), bgr, tiles)
                continue
            band = _band(canvas.size, canvas.mode, origin, angle, low, high, paint, cover)
            if band is not None:
                top, picture, mask = band
                # Pasting a picture through a mask takes half the time of pasting a colour.
                canvas.paste(picture, (0, top), mask)

    def index_anchor(self, card: Card) -> tuple[float, float]:
        where = str(card.option("index_text_position"))
        inset = card.px(self.index_inset)
        x = {"left": inset, "middle": card.width / 2, "right": card.width - inset}[where]
        return x, card.px(self.index_row)

    def title(self, card: Card, angle: float) -> Block | None:
        # A tilted box is taller and wider than its text: leave room for the tilt and the box.
        width, height = self.room(card, angle, self.title_pad, card.title_style.pitch())
        return card.title_block(
            card.width / 2,
            card.from_bottom(self.title_baseline),
            "center",
            "up",
            max_width=min(card.px(self.title_max_width), width),
            max_height=height,
        )

    def index_line(self, card: Card, angle: float) -> Block | None:
        style = card.style(self.episode_font, self.episode_size, card.option("episode_text_color"))
        segments = card.episode_segments(style, style, " ")
        width, _ = self.room(card, angle, self.index_pad, style.pitch())
        return card.line_block(segments, 0, 0, "left", max_width=width)

    def room(self, card: Card, angle: float, pad, pitch: float) -> tuple[float, float]:
        """The widest and tallest text whose tilted box still fits on the card."""
        a = math.radians(abs(angle))
        sides = 2 * card.px(pad[0] + self.edge)
        box_height = pitch + card.px(pad[1] + pad[2] + 2 * self.edge)
        free_w = card.width - 2 * card.margin
        free_h = card.height - 2 * card.margin
        width = (free_w - box_height * math.sin(a)) / math.cos(a) - sides
        height = (free_h - width * math.sin(a)) / math.cos(a) - card.px(pad[1] + pad[2])
        return max(width, pitch), max(height, pitch)

    def caption(
        self,
        card: Card,
        canvas: Image.Image,
        block: Block,
        pad: tuple[float, float, float],
        angle: float,
        where: str,
        anchor: tuple[float, float],
        fill: RGB,
        edge: RGB,
    ) -> None:
        """Draw the block in a box with an edge, tilted by `angle` round the anchor: the box's
        left end, middle or right end of its middle line goes there.

        The box is three masks (box, inside, letters) turned and painted in their colours:
        OpenCV turns one-channel masks five times faster than a colour picture.
        """
        first, last = block.lines[0], block.lines[-1]
        cap = max(part.style.size for part in first.parts) * 0.7
        side = card.px(pad[0] + self.edge)
        left = min(line.x for line in block.lines) - side
        right = max(line.x + line.width for line in block.lines) + side
        top = first.y - cap - card.px(pad[1] + self.edge)
        bottom = last.y + card.px(pad[2] + self.edge)
        ink = block.bbox()
        if ink is not None:  # letters taller than capitals, descenders: the box grows
            room = card.px(self.edge + 5)
            left, top = min(left, ink[0] - room), min(top, ink[1] - room)
            right, bottom = max(right, ink[2] + room), max(bottom, ink[3] + room)
        left, top, right, bottom = (round(v) for v in (left, top, right, bottom))
        size = (right - left, bottom - top)

        letters = Image.new("L", size, 0)
        masked = block.mask()
        if masked is not None:
            letters.paste(255, (masked[1] - left, masked[2] - top), masked[0])
        inside = Image.new("L", size, 0)
        thick = max(1, round(card.px(self.edge)))
        ImageDraw.Draw(inside).rectangle(
            (thick, thick, size[0] - thick - 1, size[1] - thick - 1), fill=255
        )
        layers = [(Image.new("L", size, 255), edge), (ImageChops.subtract(inside, letters), fill)]
        color = first.parts[0].style.color if first.parts else edge
        if color != edge:
            layers.append((letters, color))

        turn = _turner(angle, size, scale.rotated_size(size, angle))
        pivot_x = {"left": 0.0, "middle": size[0] / 2, "right": float(size[0])}[where]
        px, py = turn((pivot_x, size[1] / 2))
        x, y = anchor[0] - px, anchor[1] - py
        # Then back inside the card if the tilt took a corner off it.
        keep = min(card.margin, 8)
        xs, ys = zip(*(turn(c) for c in ((0, 0), (size[0], 0), (0, size[1]), size)), strict=True)
        x += nudge(x + min(xs), x + max(xs), card.width, keep)
        y += nudge(y + min(ys), y + max(ys), card.height, keep)
        at = (round(x), round(y))
        pixels = getattr(canvas, "pixels", None)  # a card drawn on an array (core.PixelCanvas)
        if pixels is not None:
            # The masks turned and blended on the array: no coloured pictures, no channel swap,
            # no patch handed to Pillow and back.
            import numpy as np  # on first use: web processes import the types, never draw

            canvas.flush()  # type: ignore[attr-defined]
            for mask, paint in layers:
                turned = np.asarray(mask)
                if angle:
                    turned = scale.rotate_pixels(turned, angle)
                effects.blend_pixels(pixels, turned, at, (paint[2], paint[1], paint[0]))
        else:
            for mask, paint in layers:
                if angle:
                    mask = scale.rotate(mask, angle)
                canvas.paste(Image.new("RGB", mask.size, paint), at, mask)
        for line in block.lines:
            box = line.ink()
            if box is None:
                continue
            box = (box[0] - left, box[1] - top, box[2] - left, box[3] - top)
            xs, ys = zip(
                *(turn(c) for c in ((box[0], box[1]), (box[2], box[1]), (box[0], box[3]), box[2:])),
                strict=True,
            )
            card.boxes.append(
                (
                    math.floor(at[0] + min(xs)),
                    math.floor(at[1] + min(ys)),
                    math.ceil(at[0] + max(xs)),
                    math.ceil(at[1] + max(ys)),
                )
            )


def _turner(angle: float, size: tuple[int, int], turned: tuple[int, int]):
    """Where a point of a box of `size` lands in the box turned by scale.rotate (anticlockwise
    round its middle, which stays in the middle of the larger `turned` picture)."""
    a = math.radians(angle)
    cos, sin = math.cos(a), math.sin(a)

    def turn(point: tuple[float, float]) -> tuple[float, float]:
        dx, dy = point[0] - size[0] / 2, point[1] - size[1] / 2
        return (turned[0] / 2 + dx * cos + dy * sin, turned[1] / 2 - dx * sin + dy * cos)

    return turn


@lru_cache(maxsize=8)
def _band(
    size: tuple[int, int],
    mode: str,
    origin: tuple[float, float],
    angle: float,
    near: float,
    far: float,
    color: RGB,
    opacity: float,
) -> tuple[int, Image.Image, Image.Image] | None:
    """What effects.slanted_band paints, as (first row, the colour, the mask) to paste: the
    bands lie where they lie whatever the text, so every card of a series (and size) has the
    same ones. Callers paste them, never draw on them."""
    band = effects.slanted_band_mask(size, origin, angle, near, far, opacity)
    if band is None:
        return None
    top, mask = band
    return top, Image.new(mode, mask.size, effects.ink(Image.new(mode, (1, 1)), color)), mask


@lru_cache(maxsize=8)
def _band_mask(
    size: tuple[int, int],
    origin: tuple[float, float],
    angle: float,
    near: float,
    far: float,
    opacity: float,
) -> tuple[int, Any, Any] | None:
    """_band()'s first row, mask (an array) and the mask's effects.mask_tiles, for a card
    drawn on an array: effects.blend_tiles lays the colour on through it (no picture of the
    colour), strip by strip, leaving out the clear rows above its slanted edge."""
    import numpy as np

    band = _band(size, "L", origin, angle, near, far, (0, 0, 0), opacity)
    if band is None:
        return None
    mask = np.asarray(band[2])
    return band[0], mask, effects.mask_tiles(mask)
