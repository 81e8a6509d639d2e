"""notification: the title and the episode line each in a frosted-glass box attached to the
card's right (or left) edge, like a phone's notifications, with a thin bar on the inner side."""

from __future__ import annotations

from typing import Any

from PIL import Image

from .. import effects, fonts, scale
from ..layout import Block
from .base import Card, CardType, Option

ADJUSTMENTS = r"-?\d{1,4}\s+-?\d{1,4}\s+-?\d{1,4}\s+-?\d{1,4}"


class Notification(CardType):
    name = "notification"
    label = "Notification"
    pixels = True  # frosted panels (every channel alike), bars and text
    rank = 24

    # The reference's sizes are at density 100 (80 pt = 111 px); Manrope Bold for Gotham Bold.
    title_font = fonts.SANS_BOLD
    title_size = 116  # Manrope runs narrower than Gotham: a little larger fills the same width
    title_color = "white"
    title_kerning = 1
    # Manrope's line box is 1.37 em: closer lines give the reference's pitch of about 1.1 em.
    title_line_spacing = -30
    title_case = "source"
    title_max_lines = 4
    title_max_width = 1900

    season_format = "Season {season_number}"
    episode_format = "Episode {episode_number}"
    episode_case = "source"
    episode_font = fonts.SANS_BOLD
    episode_size = 60

    side = 35  # text from the card's edge
    title_bottom = 215  # bottom of the title's line box above the card's bottom
    episode_bottom = 75
    # Glass around the ink: (beside the text, above its capitals, below its baseline), px.
    title_pad = (48, 39, 41)
    episode_pad = (42, 23, 30)
    blur = 12

    options = {
        "position": Option("choice", "right", "edge the boxes are attached to", ("right", "left")),
        "glass_color": Option("color", None, "tint of the glass (black)"),
        "glass_opacity": Option("number", 0.5, "how strong the tint is", minimum=0, maximum=1),
        "edge_color": Option("color", None, "colour of the bar (default: the font colour)"),
        "edge_width": Option(
            "number", 5, "px, the bar on the boxes' inner side", minimum=0, maximum=100
        ),
        "box_adjustments": Option(
            "text",
            "0 0 0 0",
            "px added to the title box's top, right, bottom and left sides, e.g. 10 0 10 -20",
            pattern=ADJUSTMENTS,
        ),
        "episode_text_color": Option("color", None, "default: the font colour"),
        "episode_text_size": Option(
            "number", 1.0, "scale of the episode line's size", minimum=0.2, maximum=3
        ),
        "episode_text_vertical_shift": Option(
            "number", 0, "px, positive moves it down", minimum=-900, maximum=900
        ),
        "separator": Option("text", "/", "between the season and the episode part"),
    }

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        pass  # the still as it is: the panels are frosted from the card itself

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        right = card.option("position") == "right"
        x = card.width - card.px(self.side) if right else card.px(self.side)
        align = "right" if right else "left"
        descent = fonts.load(card.title_style.font, card.title_style.px).getmetrics()[1]
        title = card.title_block(x, card.from_bottom(self.title_bottom) - descent, align, "up")
        episode = self.episode_line(card, x, align)
        adjust = [card.px(int(v)) for v in str(card.option("box_adjustments")).split()]
        placed = ((title, self.title_pad, adjust), (episode, self.episode_pad, [0, 0, 0, 0]))
        for block, pad, (top, out, bottom, inner) in placed:
            if block is None or block.bbox() is None:
                continue
            ink, baseline = block.bbox(), block.lines[-1].y
            side, above, below = (card.px(v) for v in pad)
            y0, y1 = ink[1] - above - top, baseline + below + bottom
            if right:
                box = (ink[0] - side - inner, y0, card.width + out, y1)
            else:
                box = (-out, y0, ink[2] + side + inner, y1)
            self.glass(card, canvas, box, right)
        for block, _, _ in placed:
            card.draw(canvas, block)

    def episode_line(self, card: Card, x: float, align: str) -> Block | None:
        scale = float(card.option("episode_text_size"))
        color = card.option("episode_text_color") or card.title_style.color
        style = card.style(self.episode_font, self.episode_size * scale, color)
        separator = str(card.option("separator")).strip()
        segments = card.episode_segments(style, style, f" {separator} " if separator else " ")
        descent = fonts.load(style.font, style.px).getmetrics()[1]
        shift = card.px(float(card.option("episode_text_vertical_shift")))
        return card.line_block(
            segments, x, card.from_bottom(self.episode_bottom) - descent + shift, align
        )

    def glass(self, card: Card, canvas: Image.Image, box, right: bool) -> None:
        """Frosted glass: the picture behind the box blurred and tinted, a bar on the inner side."""
        left, top = max(0, round(box[0])), max(0, round(box[1]))
        right_, bottom = min(canvas.width, round(box[2])), min(canvas.height, round(box[3]))
        if right_ - left < 2 or bottom - top < 2:
            return
        color = card.option("glass_color") or (0, 0, 0)
        frost = (card.px(self.blur), float(card.option("glass_opacity")))
        pixels = getattr(canvas, "pixels", None)  # a card drawn on an array (core.PixelCanvas)
        if pixels is not None:
            # The frost works on every channel alike: the BGR region with the colour's red and
            # blue swapped gives the BGR of the Pillow card's panel.
            canvas.flush()  # type: ignore[attr-defined]
            region = pixels[top:bottom, left:right_]
            tinted = effects.frost(Image.fromarray(region), frost[0], color[::-1], frost[1])
            region[...] = scale.pixels_of(tinted)
        else:
            region = canvas.crop((left, top, right_, bottom))
            tinted = effects.frost(region, frost[0], color, frost[1])
            canvas.paste(tinted, (left, top))
        width = round(card.px(float(card.option("edge_width"))))
        if width > 0:
            color = card.option("edge_color") or card.title_style.color
            x0 = left if right else right_ - width
            if pixels is not None:
                effects.rectangle(canvas, (x0, top, x0 + width - 1, bottom - 1), color)
            else:
                canvas.paste(color, (x0, top, x0 + width, bottom))
