"""star_wars: a dark star field fades in from the left; a gold title on the left with
"EPISODE ONE" (the number in words, in bold) above it."""

from __future__ import annotations

import dataclasses
from typing import Any

from PIL import Image

from .. import effects, fonts
from ..layout import Block
from .base import Card, CardType, Option


class StarWars(CardType):
    name = "star_wars"
    label = "Star Wars"
    rank = 7
    pixels = True  # a black shade, stars and text

    left = 320
    title_font = fonts.DISPLAY
    title_size = 150
    title_color = "#DAC960"
    title_kerning = 2
    title_line_spacing = -20
    title_case = "upper"
    title_max_lines = 5
    title_max_width = 1150
    title_top = 829  # top of the first title line; more lines grow downwards

    season_format = None  # the line is only "EPISODE ONE"
    episode_format = "EPISODE {episode_number:cardinal}"
    episode_font = fonts.SANS
    episode_number_font = fonts.SANS_BOLD
    episode_size = 53
    episode_color = "#AB8630"
    episode_kerning = 19
    episode_stroke = 0
    episode_gap = 50  # between the episode line and the title's top

    # The star field: darkness fading from the left edge to `shade_end` (of 3200).
    stars = True
    shade_end = 2700
    shade_opacity = 0.95
    shade_power = 0.9
    star_density = 1.5  # stars per 1000 square pixels (before the shade thins them out)

    options = {
        "episode_text_color": Option("color", None, "colour of the episode line"),
    }

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        if not self.stars:
            return image
        end = round(card.px(self.shade_end) * image.width / card.width)
        if image.mode not in ("RGB", "L"):
            effects.left_gradient(image, end, (0, 0, 0), self.shade_opacity, self.shade_power)
            return image
        # Shaded on the whole picture as an array: a crop of the shaded part and its paste back
        # cost as much as the shade, and a black shade only multiplies.
        import numpy as np  # on first use: web processes import the types, never draw

        pixels = np.array(image)
        effects.left_gradient_pixels(pixels, end, (0, 0, 0), self.shade_opacity, self.shade_power)
        return Image.fromarray(pixels)

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        if self.stars:
            end = round(card.px(self.shade_end) * pixels.shape[1] / card.width)
            effects.left_gradient_pixels(
                pixels, end, (0, 0, 0), self.shade_opacity, self.shade_power
            )

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        if self.stars:
            effects.star_field(
                canvas,
                round(card.px(self.shade_end)),
                self.star_density,
                self.shade_opacity,
                self.shade_power,
            )
        x = card.px(self.left)
        cap_height = card.title_style.size * 0.7  # the first baseline sits one cap below the top
        title = card.title_block(x, card.px(self.title_top) + cap_height, "left", "down")
        card.draw(canvas, self.episode_line(card, title, x))
        card.draw(canvas, title)

    def episode_line(self, card: Card, title: Block | None, x: float) -> Block | None:
        style = card.style(
            self.episode_font,
            self.episode_size,
            card.option("episode_text_color") or self.episode_color,
            kerning=self.episode_kerning,
            stroke=self.episode_stroke,
            stroke_color=card.title_style.stroke_color,
        )
        number = dataclasses.replace(style, font=self.episode_number_font)
        segments = card.episode_segments(style, style, " ", field_style=number)
        box = title.bbox() if title else None
        top = box[1] if box else card.px(self.title_top)
        return card.line_block(segments, x, top - card.px(self.episode_gap), "left")
