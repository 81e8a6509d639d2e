"""tinted_glass: a bold white title low in the middle on a rounded pane of dark frosted glass,
and "THE LONG NIGHT | S1 E3" in pale blue on a small pane of its own below it."""

from __future__ import annotations

from typing import Any

from PIL import Image

from .. import effects, fonts, scale
from ..layout import Block, nudge
from .base import Card, CardType, Option, Sides

BOLD = fonts.bundled("Inter-Bold.otf")
POSITIONS = ("center", "left", "right")
Box = tuple[int, int, int, int]


class TintedGlass(CardType):
    name = "tinted_glass"
    label = "Tinted glass"
    rank = 6
    pixels = True  # frosted panes (every channel alike) and text
    aliases = ("sherlock",)

    title_font = BOLD
    title_size = 190
    title_color = "white"
    title_kerning = -5
    title_word_spacing = -10  # word gaps as the reference shows them (its +40 sets the gap)
    title_line_spacing = -50
    title_case = "upper"
    title_max_lines = 3
    title_max_width = 2400
    title_bottom = 250  # the last line's descent ends this far above the bottom edge

    # "THE LONG NIGHT | S1 E3": the series name stands where other types put the season, so a
    # card without one still says "S1 E3", and a season title or SPECIALS takes its place.
    season_format = "{series_name}"
    episode_format = "S{season_number} E{episode_number}"
    separator = " | "
    episode_font = BOLD
    episode_size = 75
    episode_bottom = 100

    # A pane is its text's font box (first ascent to last descent, line widths) and this much
    # more: top, right, bottom, left.
    title_pane = (0, 40, 0, 40)
    index_pane = (5, 28, 16, 28)
    index_rounding = 20
    glass_blur = 6

    options = {
        "episode_text_color": Option("color", "#C6E2FF", "colour of the episode line"),
        "episode_text_position": Option(
            "choice", "center", "left or right: in line with the title pane's edge", POSITIONS
        ),
        "box_adjustments": Sides(help="px added to the title pane: top right bottom left"),
        "glass_color": Option("color", "#191919", "tint of the glass"),
        "glass_opacity": Option("number", 0.7, "0 = clear, 1 = solid", minimum=0, maximum=1),
        "rounding_radius": Option(
            "number", 40.0, "px, corners of the title pane", minimum=0, maximum=300
        ),
        "vertical_adjustment": Option(
            "number", 0.0, "px, moves everything down (negative: up)", minimum=-1500, maximum=1500
        ),
    }

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        pass  # the still as it is: the panes are frosted from the card itself

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        shift = card.px(float(card.option("vertical_adjustment")))
        adjust = card.option("box_adjustments")
        title = self.title(card, shift, adjust)
        pane = self.pane(card, title, self.title_pane, adjust)
        index = self.index_line(card, shift, pane)
        index_pane = self.pane(card, index, self.index_pane)
        if pane is not None:
            self.glass(card, canvas, pane, float(card.option("rounding_radius")))
        if index_pane is not None:
            self.glass(card, canvas, index_pane, self.index_rounding)
        card.draw(canvas, title)
        card.draw(canvas, index)

    def title(self, card: Card, shift: float, adjust) -> Block | None:
        sides = self.title_pane[1] + adjust[1] + self.title_pane[3] + adjust[3]
        free = card.width - 2 * card.margin - card.px(max(0.0, sides))
        return card.title_block(
            card.width / 2,
            card.from_bottom(self.title_bottom) - card.title_style.descent() + shift,
            "center",
            "up",
            max_width=min(card.px(self.title_max_width), free),
        )

    def index_line(self, card: Card, shift: float, pane: Box | None) -> Block | None:
        style = card.style(self.episode_font, self.episode_size, card.option("episode_text_color"))
        segments = card.episode_segments(style, style, self.separator)
        where = str(card.option("episode_text_position"))
        x, align = card.width / 2, "center"
        if where == "left" and pane is not None:  # the small pane's edge under the big one's
            x, align = pane[0] + card.px(self.index_pane[3]), "left"
        elif where == "right" and pane is not None:
            x, align = pane[2] - card.px(self.index_pane[1]), "right"
        y = card.from_bottom(self.episode_bottom) - style.descent() + shift
        free = card.width - 2 * card.margin - card.px(self.index_pane[1] + self.index_pane[3])
        return card.line_block(segments, x, y, align, max_width=free)

    def pane(self, card: Card, block: Block | None, pad, adjust=(0, 0, 0, 0)) -> Box | None:
        """The pane behind the block; the block (and its pane) moved back onto the card when
        the pane sticks out of it (a shift, an adjustment, a small canvas)."""
        if block is None:
            return None
        first, last = block.lines[0], block.lines[-1]
        left = min(line.x for line in block.lines)
        right = max(line.x + line.width for line in block.lines)
        top, bottom = first.y - first.ascent, last.y + last.descent
        ink = block.bbox()  # letters from a fallback font may reach beyond the font box
        if ink is not None:
            left, top = min(left, ink[0]), min(top, ink[1])
            right, bottom = max(right, ink[2]), max(bottom, ink[3])
        box = [
            left - card.px(pad[3] + adjust[3]),
            top - card.px(pad[0] + adjust[0]),
            right + card.px(pad[1] + adjust[1]),
            bottom + card.px(pad[2] + adjust[2]),
        ]
        keep = min(card.margin, 8)
        dx = nudge(box[0], box[2], card.width, keep)
        dy = nudge(box[1], box[3], card.height, keep)
        block.shift(dx, dy)
        return (round(box[0] + dx), round(box[1] + dy), round(box[2] + dx), round(box[3] + dy))

    def glass(self, card: Card, canvas: Image.Image, box: Box, rounding: float) -> None:
        blur, color = card.px(self.glass_blur), card.option("glass_color")
        opacity, radius = float(card.option("glass_opacity")), card.px(rounding)
        pixels = getattr(canvas, "pixels", None)  # a card drawn on an array (core.PixelCanvas)
        if pixels is None:
            effects.pane(canvas, box, blur, color, opacity, radius)
            return
        # The pane works on every channel alike: frosted on a picture of the BGR region (the
        # colour's red and blue swapped) it gives the BGR of the Pillow card's pane.
        left, top = max(0, box[0]), max(0, box[1])
        right, bottom = min(canvas.width, box[2]), min(canvas.height, box[3])
        if right - left < 1 or bottom - top < 1:
            return
        canvas.flush()  # type: ignore[attr-defined]
        region = pixels[top:bottom, left:right]
        part = Image.fromarray(region)
        inside = (box[0] - left, box[1] - top, box[2] - left, box[3] - top)
        effects.pane(part, inside, blur, color[::-1], opacity, radius)
        region[...] = scale.pixels_of(part)
