"""fade: the still in a soft-edged window on the right of a black card, fading out to the left;
on the black, the series logo (when there is one), "SEASON 1 • EPISODE 3" and the title in a
narrow left-aligned column."""

from __future__ import annotations

from typing import Any

from PIL import Image

from .. import effects, fonts
from .base import Card, CardType, Option, picture_pixels


class Fade(CardType):
    name = "fade"
    label = "Fade"
    rank = 8
    aliases = ("4x3",)

    fills_canvas = False
    background = "black"
    uses = ("logo",)
    pixels = True  # a faded picture in a window of the black card, a logo and text

    left = 100  # the column's left edge
    title_font = fonts.bundled("RobotoCondensed-Bold.ttf")
    title_size = 125
    title_color = "white"
    title_kerning = 5
    title_line_spacing = -23
    title_case = "upper"
    title_max_lines = 5
    title_max_width = 900  # "THE LONG / NIGHT OF / THE SOUL", clear of the picture
    title_top = 813  # top of the first line's capitals; more lines grow downwards

    episode_font = fonts.SANS_SEMIBOLD
    episode_size = 63
    episode_kerning = 5
    episode_baseline = 782  # from the top
    episode_max_width = 1050

    logo_box = (900, 500)
    logo_middle = 350  # from the top

    # The picture: this size, its right edge `picture_right` from the card's, centred
    # vertically; seen through a window that fades to black over the ramps.
    picture_size = (2711, 1525)
    picture_right = 100
    window = (1060, 140, 3075, 1665)  # left, top, right, bottom, outer edges of the fade
    ramps = (100, 95, 115, 95)  # left, top, right, bottom

    options = {
        "episode_text_color": Option("color", "#A3A3A3", "colour of the episode line"),
        "separator": Option("text", "•", "between the season and the episode part"),
        "hide_logo": Option("bool", False, "leave the series logo out"),
    }

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        window = self.window_of(card)
        if window is None:
            return image
        box, path, what, size, part, ramps = window
        region = card.picture(path, size, what, part)
        effects.feather(region, ramps, (0, 0, 0))
        image.paste(region, box[:2])
        return image

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        """backdrop() on the black card's array: the window's picture made as an array and
        faded there, never a Pillow image (whose hand-over, both ways, cost as much as the
        fading); the same pixels."""
        window = self.window_of(card)
        if window is None:
            return
        (left, top, right, bottom), path, what, size, part, ramps = window
        region = picture_pixels(card, path, size, what, part)
        for edge, depth in zip(("left", "top", "right", "bottom"), ramps, strict=True):
            if depth > 0:  # effects.feather's strips, on the array
                effects.edge_gradient_pixels(region, edge, depth, (0, 0, 0), 1.0)
        pixels[top:bottom, left:right] = region

    def window_of(
        self, card: Card
    ) -> (
        tuple[
            tuple[int, int, int, int],
            str,
            str,
            tuple[int, int],
            tuple[int, int, int, int],
            tuple[int, int, int, int],
        ]
        | None
    ):
        """Where the picture shows (its box on the card), which picture (path, what), the size
        it covers and the part of it in the box, and the ramps of its fade; None if the
        window lies off the picture."""
        width, height = (round(card.px(v)) for v in self.picture_size)
        x0 = round(card.width - card.px(self.picture_right)) - width
        y0 = round((card.height - height) / 2)
        left, top, right, bottom = (round(card.px(v)) for v in self.window)
        box = (max(left, x0), max(top, y0), min(right, x0 + width), min(bottom, y0 + height))
        if box[2] <= box[0] or box[3] <= box[1]:
            return None
        # The art styles show the series' art in the window instead of the still.
        path, what = (
            (card.spec.art, "art image") if card.look.art else (card.spec.source, "source image")
        )
        part = (box[0] - x0, box[1] - y0, box[2] - x0, box[3] - y0)
        # Ramps measured from the window's outer edges; where the picture ends first, less.
        ramps = (
            card.px(self.ramps[0]) - (box[0] - left),
            card.px(self.ramps[1]) - (box[1] - top),
            card.px(self.ramps[2]) - (right - box[2]),
            card.px(self.ramps[3]) - (bottom - box[3]),
        )
        fade = (max(0, round(ramps[0])), max(0, round(ramps[1])))
        fade += (max(0, round(ramps[2])), max(0, round(ramps[3])))
        return box, str(path), what, (width, height), part, fade

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        x = card.px(self.left)
        if not card.option("hide_logo"):
            self.paste_logo(card, canvas, x)
        style = card.style(
            self.episode_font,
            self.episode_size,
            card.option("episode_text_color"),
            kerning=self.episode_kerning,
        )
        separator = card.option("separator")
        segments = card.episode_segments(style, style, f" {separator} " if separator else " ")
        card.draw(
            canvas,
            card.line_block(
                segments,
                x,
                card.px(self.episode_baseline),
                "left",
                max_width=card.px(self.episode_max_width),
            ),
        )
        cap = card.title_style.size * 0.7  # the first baseline sits one cap below the top
        card.draw(canvas, card.title_block(x, card.px(self.title_top) + cap, "left", "down"))

    def paste_logo(self, card: Card, canvas: Image.Image, x: float) -> None:
        logo = card.logo((card.px(self.logo_box[0]), card.px(self.logo_box[1])))
        if logo is None:
            return
        top = round(card.px(self.logo_middle) - logo.height / 2)
        canvas.paste(logo, (round(x), top), logo)
