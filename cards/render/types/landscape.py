"""landscape: the still, and in its middle the title in widely spaced capitals with a soft drop
shadow, framed by a thin white box that darkens the picture inside it. No episode line: the
picture is the point."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from PIL import Image

from .. import effects, fonts, scale
from ..layout import Block, nudge
from .base import Card, CardType, Option, Sides, draw_shadowed

DARKEN = ("box", "all", "none")


class Landscape(CardType):
    name = "landscape"
    label = "Landscape"
    rank = 9
    pixels = True  # a darkening (a table of levels), a box, soft shadows and text

    title_font = fonts.SANS_BOLD
    title_size = 163
    title_color = "white"
    title_kerning = 44
    title_word_spacing = 5  # word gaps as the reference shows them (its +40 sets the gap)
    title_line_spacing = -12
    title_case = "upper"
    title_max_lines = 5
    title_max_width = 2400
    title_rise = 27  # the block's middle (capitals to last baseline) above the card's middle

    # The reference shows no episode line (its format is empty).
    season_format = None
    episode_format = ""

    # The box round the text: this far from its ink (top, right, bottom, left; the bottom is
    # measured from the last baseline), an outline `box_width` wide.
    box_room = (142, 150, 160, 150)
    darkness = 48 / 255  # #00000030 over the picture inside the box
    shadow = (0.85, 3, 10, 10)  # opacity, blur, dx, dy: under the title and the box alike

    options = {
        "add_bounding_box": Option("bool", True, "draw the box round the title"),
        "box_color": Option("color", "#FFFFFF", "colour of the box"),
        "box_width": Option("number", 10.0, "px, thickness of the box", minimum=1, maximum=100),
        "box_adjustments": Sides(help="px added to the box: top right bottom left"),
        "darken": Option(
            "choice", "box", "darken the picture inside the box, all of it, or none", DARKEN
        ),
        "shadow_color": Option("color", "#000000", "colour of the shadows"),
    }

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        if card.option("darken") == "all":  # smooth: done on the picture before it is scaled
            image = Image.blend(image, Image.new(image.mode, image.size, 0), self.darkness)
        return image

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        if card.option("darken") == "all":
            # Image.blend's own levels towards black (the same for every channel), looked up.
            pixels[...] = scale._cv2().LUT(pixels, _blend_table(self.darkness))

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        adjust = card.option("box_adjustments")
        line = card.px(float(card.option("box_width")))
        room = [card.px(self.box_room[i] + adjust[i]) + line for i in range(4)]
        shadow_room = card.px(self.shadow[2] + 3 * self.shadow[1])
        free_w = card.width - 2 * card.margin - max(0.0, room[1]) - max(0.0, room[3]) - shadow_room
        free_h = card.height - 2 * card.margin - max(0.0, room[0]) - max(0.0, room[2]) - shadow_room
        title = card.title_block(
            card.width / 2,
            card.height / 2,
            "center",
            "down",
            max_width=min(card.px(self.title_max_width), max(free_w, card.px(100))),
            max_height=max(free_h, card.title_style.size),
        )
        if title is None:
            return
        title.centre_on(card.height / 2 - card.px(self.title_rise))
        box = self.box(card, title, room)
        if card.option("darken") == "box":
            keep = 1 - self.darkness
            table = [round(v * keep) for v in range(256)]
            if hasattr(canvas, "pixels"):  # a card drawn on an array (core.PixelCanvas)
                canvas.point(box, table)  # type: ignore[attr-defined]
            else:
                canvas.paste(canvas.crop(box).point(table * 3), box)
        color = card.option("shadow_color")
        opacity, radius, dx, dy = self.shadow
        shadow = (color, opacity, card.px(radius), round(card.px(dx)), round(card.px(dy)))
        if card.option("add_bounding_box"):
            self.outline(card, canvas, box, max(1, round(line)), shadow)
        draw_shadowed(card, canvas, title, shadow)

    def box(self, card: Card, title: Block, room: list[float]) -> tuple[int, int, int, int]:
        """The box round the title, and the title with it moved back onto the card if the box
        would stick out."""
        ink = title.bbox()
        assert ink is not None  # title_block returns no block without ink
        box = [ink[0] - room[3], ink[1] - room[0], ink[2] + room[1], title.lines[-1].y + room[2]]
        keep = min(card.margin, 8)
        dx = nudge(box[0], box[2] + card.px(self.shadow[2]), card.width, keep)
        dy = nudge(box[1], box[3] + card.px(self.shadow[3]), card.height, keep)
        title.shift(dx, dy)
        return (round(box[0] + dx), round(box[1] + dy), round(box[2] + dx), round(box[3] + dy))

    def outline(self, card: Card, canvas: Image.Image, box, width: int, shadow) -> None:
        """The box's outline and its shadow, side by side: four strips, each with a mask just
        big enough for it (a mask of the whole box would be mostly empty, and cost 15 ms)."""
        color, opacity, radius, dx, dy = shadow
        pad = int(radius * 3) + 2
        left, top, right, bottom = box
        sides = (
            (left, top, right, top + width),
            (left, bottom - width, right, bottom),
            (left, top + width, left + width, bottom - width),
            (right - width, top + width, right, bottom - width),
        )
        for x0, y0, x1, y1 in sides:
            if x1 <= x0 or y1 <= y0:
                continue
            mask = Image.new("L", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), 0)
            mask.paste(255, (pad, pad, pad + x1 - x0, pad + y1 - y0))
            effects.glow(canvas, mask, x0 - pad, y0 - pad, color, opacity, radius, dx, dy)
        for x0, y0, x1, y1 in sides:
            if x1 > x0 and y1 > y0:
                effects.rectangle(canvas, (x0, y0, x1 - 1, y1 - 1), card.option("box_color"))


@lru_cache(maxsize=4)
def _blend_table(darkness: float) -> Any:
    """The level Image.blend(picture, black, darkness) gives each level, as an OpenCV table."""
    import numpy as np

    levels = Image.frombytes("L", (256, 1), bytes(range(256)))
    return np.asarray(Image.blend(levels, Image.new("L", (256, 1), 0), darkness)).reshape(256)
