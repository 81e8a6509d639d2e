"""shape: an outline shape (a diamond by default) in a corner, the title - "3. The Long Night of
the Soul" - starting inside it and running out through an opening on its side, "Season 1" under
the title in the shape's colour."""

from __future__ import annotations

import math
import zlib
from typing import Any

from PIL import Image, ImageDraw

from .. import effects, fonts, layout
from ..layout import Block
from .base import Card, CardType, Option, parse_color

# name: (corners, circumradius in reference px, angle of the first corner); 0 corners = circle.
SHAPES = {
    "diamond": (4, 200, -90),
    "circle": (0, 175, 0),
    "square": (4, 150 * math.sqrt(2), -45),
    "up triangle": (3, 225, -90),
    "down triangle": (3, 225, 90),
}
POSITIONS = ("lower left", "upper left", "upper right", "left", "right", "lower right")
SUPERSAMPLE = 3  # the shape is drawn at 3x and scaled down: smooth edges for little cost


class Shape(CardType):
    name = "shape"
    label = "Shape"
    rank = 13
    pixels = True  # a shade, an outline pasted through its mask, and text

    title_font = fonts.SANS_BOLD
    title_size = 125
    title_color = "white"
    title_stroke = 2  # the reference's 4 px stroke straddles the outline: 2 px shows outside
    title_line_spacing = -30
    title_case = "source"
    title_max_lines = 3
    title_max_width = 2000

    # The episode text is the title's prefix ("3. "), the season text the line under it.
    season_format = "Season {season_number}"
    episode_format = "{episode_number}"
    episode_case = "source"
    prefix_separator = ". "

    season_font = fonts.SANS_SEMIBOLD
    season_size = 75
    season_offset = 0.7  # season text starts this far (x half-size) from the shape's centre
    season_gap = 93  # last title baseline to the season baseline (the other way when above)
    season_clear = 12  # at least this between the title's ink and the season text's

    shape_color = "skyblue"
    growth = 0.25  # the shape grows by this much for every title line after the first
    opening = 30  # the opening reaches this far above and below the title's ink
    gradient_depth = 827  # the shade behind the text: transparent this far from the edge
    gradient_opacity = 0.78

    options = {
        "shape": Option("choice", "diamond", "the outline shape", (*SHAPES, "random")),
        "shape_color": Option("color", None, "colour of the shape (default: sky blue)"),
        "shape_inset": Option("number", 75, "px between the shape and the edges", (), 0, 1000),
        "shape_size": Option("number", 1.0, "scale of the shape", (), 0.2, 4),
        "shape_width": Option("number", 8, "px, thickness of the shape's line", (), 1, 100),
        "shape_stroke_color": Option("color", None, "outline of the shape's line (default black)"),
        "shape_stroke_width": Option("number", 0, "px, outline of the shape's line", (), 0, 50),
        "hide_shape": Option("bool", False, "draw no shape, only the text"),
        "season_text_color": Option("color", None, "default: the shape's colour"),
        "season_text_font_size": Option("number", 1.0, "scale of the season text", (), 0.2, 4),
        "season_text_position": Option(
            "choice", "below", "season text above or below the title", ("below", "above")
        ),
        "text_position": Option("choice", "lower left", "where shape and text go", POSITIONS),
        "omit_gradient": Option("bool", False, "no shade behind the text"),
    }

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        if not card.option("omit_gradient"):
            edge, length = self.shade_edge(card)
            depth = card.px(self.gradient_depth) * length / card.height
            factor = image.width / card.width
            args = (edge, round(depth * factor), (12, 12, 12), self.gradient_opacity)
            if image.mode not in ("RGB", "L"):
                effects.edge_gradient(image, *args)
                return image
            # effects' own cache of one-channel masks: the shared one of three-channel layers
            # keeps 8, and a worker drawing several types went round more.
            return effects.edge_gradient_image(image, *args)
        return image

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        if not card.option("omit_gradient"):
            edge, length = self.shade_edge(card)
            depth = card.px(self.gradient_depth) * length / card.height
            factor = pixels.shape[1] / card.width
            # A grey shade: the same in either channel order.
            args = (edge, round(depth * factor), (12, 12, 12), self.gradient_opacity)
            effects.edge_gradient_pixels(pixels, *args)

    @staticmethod
    def shade_edge(card: Card) -> tuple[str, float]:
        """The edge the shade darkens (the text's side) and that side's length."""
        position = str(card.option("text_position"))
        if position.startswith(("lower", "upper")):
            return ("bottom" if position.startswith("lower") else "top"), card.height
        return position, card.width

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        position = str(card.option("text_position"))
        right = position.endswith("right")
        if card.episode_parts and card.title:
            prefix = "".join(text for text, _ in card.episode_parts)
            card.title = f"{prefix}{self.prefix_separator}{card.title}"
        kind = self.shape_kind(card)
        inset = card.px(float(card.option("shape_inset")))
        radius = card.px(SHAPES[kind][1] * float(card.option("shape_size")))
        title = self.title(card, inset + self.extent(kind, radius)[0], right)
        if title is not None:
            radius *= 1 + self.growth * (len(title.lines) - 1)
        # The shape keeps its inset from the corner (or side) it sits in, whatever its size.
        reach = self.extent(kind, radius)
        cx = card.width - inset - reach[0] if right else inset + reach[0]
        if position.startswith("lower"):
            cy = card.height - inset - reach[1]
        elif position.startswith("upper"):
            cy = inset + reach[1]
        else:
            cy = card.height / 2
        if title is not None:
            self.place(card, title, cx, cy, right)
        season = self.season_line(card, title, cx, radius, right)
        if not card.option("hide_shape"):
            openings = [box for block in (title, season) if block and (box := block.bbox())]
            self.draw_shape(card, canvas, kind, (cx, cy), radius, openings, right)
        card.draw(canvas, title)
        card.draw(canvas, season)

    def shape_kind(self, card: Card) -> str:
        kind = str(card.option("shape"))
        if kind != "random":
            return kind
        # The same episode always gets the same shape: a card must come out the same every time.
        spec = card.spec
        key = f"{spec.series_name}|{spec.season_number}|{spec.episode_number}|{spec.title}"
        return list(SHAPES)[zlib.crc32(key.encode()) % len(SHAPES)]

    @staticmethod
    def extent(kind: str, radius: float) -> tuple[float, float]:
        """Half the width and half the height of the shape."""
        corners, _, angle = SHAPES[kind]
        if not corners:
            return radius, radius
        points = _corners(corners, radius, angle, 0, 0)
        return max(abs(x) for x, _ in points), max(abs(y) for _, y in points)

    def title(self, card: Card, start: float, right: bool) -> Block | None:
        """The title wrapped and fitted to the room from `start` (the shape's centre, from its
        edge of the card) to the other edge; placed later."""
        room = card.width - card.margin - start
        return card.title_block(
            0,
            0,
            "right" if right else "left",
            "down",
            max_width=max(1.0, min(card.px(self.title_max_width), room)),
            max_height=card.height - 2 * card.margin,
        )

    @staticmethod
    def place(card: Card, block: Block, cx: float, cy: float, right: bool) -> None:
        """Left-aligned (right-aligned on the right) with its first (last) character centred on
        the shape, the lines centred on the shape's centre by their capitals."""
        first = block.lines[0]
        style = first.parts[0].style if first.parts else card.title_style
        text = card.title.split("\n")[0].strip()
        char = (text[-1] if right else text[0]) if text else " "
        half_char = layout.measure(char, style) / 2
        x = cx + half_char if right else cx - half_char
        block.shift((x - first.x - first.width) if right else (x - first.x), 0)
        top = first.y - style.size * 0.72  # cap height
        block.shift(0, cy - (top + block.lines[-1].y) / 2)
        block.keep_inside(card.width, card.height, min(card.margin, 8))

    def season_line(
        self, card: Card, title: Block | None, cx: float, radius: float, right: bool
    ) -> Block | None:
        if not card.season_text:
            return None
        color = card.option("season_text_color") or self.color(card)
        size = self.season_size * float(card.option("season_text_font_size"))
        style = card.style(self.season_font, size, color)
        x = cx - radius * self.season_offset if right else cx + radius * self.season_offset
        box = title.bbox() if title is not None else None
        if title is not None and box is not None:
            first, last = title.lines[0], title.lines[-1]
            title_size = first.parts[0].style.size if first.parts else card.title_style.size
            gap = card.px(self.season_gap) * title_size / card.title_style.size
            clear = card.px(self.season_clear)
            if card.option("season_text_position") == "above":
                y = min(first.y - gap, box[1] - clear - 0.25 * style.size)
            else:
                # Under the last baseline, and under any descender that hangs lower.
                y = max(last.y + gap, box[3] + clear + 0.72 * style.size)
        else:
            y = card.height / 2
        return card.line_block([(card.season_text, style)], x, y, "right" if right else "left")

    def draw_shape(
        self,
        card: Card,
        canvas: Image.Image,
        kind: str,
        centre: tuple[float, float],
        radius: float,
        openings: list[tuple[int, int, int, int]],
        right: bool,
    ) -> None:
        """The outline, open on the text's side where the title (and the season text) cross it:
        the title's rows across the whole half of the shape, the season text's box only."""
        cx, cy = centre
        half = card.px(float(card.option("shape_width"))) / 2
        stroke = card.px(float(card.option("shape_stroke_width")))
        reach = self.extent(kind, radius)
        pad = half + stroke + 4
        left, top = math.floor(cx - reach[0] - pad * 2), math.floor(cy - reach[1] - pad * 2)
        size = (math.ceil(2 * (reach[0] + pad * 2)), math.ceil(2 * (reach[1] + pad * 2)))
        k = SUPERSAMPLE

        def band(grow: float, cut: float) -> Image.Image:
            mask = Image.new("L", (size[0] * k, size[1] * k), 0)
            pen = ImageDraw.Draw(mask)
            middle = ((cx - left) * k, (cy - top) * k)
            _outline(pen, kind, middle, radius * k, (half + grow) * k, 255)
            _outline(pen, kind, middle, radius * k, -(half + grow) * k, 0)
            gap = card.px(self.opening) + cut
            for i, ink in enumerate(openings):
                x0, x1 = (0, middle[0]) if right else (middle[0], size[0] * k)
                if i:  # the season text: only round its own box
                    x0 = max(x0, (ink[0] - left - gap) * k)
                    x1 = min(x1, (ink[2] - left + gap) * k)
                y0, y1 = (ink[1] - top - gap) * k, (ink[3] - top + gap) * k
                if x1 > x0:
                    pen.rectangle((x0, y0, x1, y1), fill=0)
            return mask.reduce(k)

        if stroke > 0:
            outline_color = card.option("shape_stroke_color") or (0, 0, 0)
            canvas.paste(effects.ink(canvas, outline_color), (left, top), band(stroke, 0))
        canvas.paste(effects.ink(canvas, self.color(card)), (left, top), band(0, stroke))

    def color(self, card: Card) -> tuple[int, int, int]:
        return card.option("shape_color") or parse_color(self.shape_color)


def _corners(
    count: int, radius: float, angle: float, cx: float, cy: float
) -> list[tuple[float, float]]:
    return [
        (
            cx + radius * math.cos(math.radians(angle + 360 * i / count)),
            cy + radius * math.sin(math.radians(angle + 360 * i / count)),
        )
        for i in range(count)
    ]


def _outline(
    pen: ImageDraw.ImageDraw,
    kind: str,
    centre: tuple[float, float],
    radius: float,
    offset: float,
    fill: int,
) -> None:
    """The shape grown (or, for a negative offset, shrunk) by `offset` on every side, filled:
    the outer one in white and the inner one in black leave a line with sharp corners."""
    corners, _, angle = SHAPES[kind]
    if not corners:
        r = max(0.0, radius + offset)
        pen.ellipse((centre[0] - r, centre[1] - r, centre[0] + r, centre[1] + r), fill=fill)
        return
    # Moving each side of a regular polygon out by d moves its corners out by d / cos(pi / n).
    r = max(0.0, radius + offset / math.cos(math.pi / corners))
    pen.polygon(_corners(corners, r, angle, *centre), fill=fill)
