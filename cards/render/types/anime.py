"""anime: everything bottom-left; a livelier picture; a serif title, optionally with a kanji
(or translated) line above it, over "SEASON 1 · EPISODE 3"."""

from __future__ import annotations

from typing import Any

from PIL import Image

from .. import effects, fonts
from ..layout import Block
from .base import BottomGradient, Card, CardType, Option, bottom_shade


class Anime(BottomGradient, CardType):
    name = "anime"
    label = "Anime"
    rank = 3
    pixels = True  # a colour lift, a shade and text

    left = 75  # every text starts here

    title_font = fonts.SERIF
    title_size = 175
    title_color = "white"
    title_kerning = 2
    title_stroke = 5
    title_line_spacing = -30
    title_case = "source"
    title_max_lines = 4
    title_max_width = 2400
    title_baseline = 232  # last title baseline above the bottom edge; more lines grow upwards

    kanji_font = fonts.CJK
    kanji_size = 85
    kanji_gap = 40  # between the kanji line and the title's top

    episode_font = fonts.SANS
    episode_size = 66
    episode_color = "#CFCFCF"
    episode_kerning = 7
    episode_stroke = 4
    episode_baseline = 120

    saturation = 1.25
    contrast = 1.08

    options = {
        "kanji": Option("text", "", "a line above the title, e.g. the title in Japanese"),
        "kanji_color": Option("color", None, "colour of the kanji line (default: title colour)"),
        "episode_text_color": Option("color", None, "colour of the episode line"),
        "separator": Option("text", "·", "between the season and the episode part"),
        "omit_gradient": BottomGradient.gradient_option,
    }

    def adjust(self, card: Card, image: Image.Image) -> Image.Image:
        if card.look.blur or card.look.grayscale or image.mode != "RGB":
            return effects.lift(image, self.saturation, self.contrast)
        # A sharp picture is the card's size (or near it): the lift and the gradient go in one
        # trip through numpy, which costs as much as either of them done on its own.
        import numpy as np  # on first use: web processes import the types, never draw

        pixels = np.array(image)
        effects.lift_pixels(pixels, self.saturation, self.contrast)
        if not card.option("omit_gradient"):
            start = card.from_bottom(self.gradient_height) * image.height / card.height
            effects.bottom_gradient_shared(
                pixels, round(start), self.gradient_color, self.gradient_opacity
            )
        card.state["shaded"] = True
        return Image.fromarray(pixels)

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        # A blurred picture was lifted by adjust(), before its blur, as on the Pillow way.
        if not card.state.get("blurred"):
            effects.lift_pixels(pixels, self.saturation, self.contrast, bgr=True)
        BottomGradient.backdrop_pixels(self, card, pixels)

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        if card.state.get("shaded"):
            return image
        return bottom_shade(self, card, image)

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        x = card.px(self.left)
        title = card.title_block(x, card.from_bottom(self.title_baseline), "left", "up")
        kanji = self.kanji_line(card, title)
        card.draw(canvas, kanji)
        card.draw(canvas, title)
        episode = card.style(
            self.episode_font,
            self.episode_size,
            card.option("episode_text_color") or self.episode_color,
            kerning=self.episode_kerning,
            stroke=self.episode_stroke,
        )
        separator = card.option("separator")
        segments = card.episode_segments(episode, episode, f" {separator} " if separator else " ")
        card.draw(
            canvas, card.line_block(segments, x, card.from_bottom(self.episode_baseline), "left")
        )

    def kanji_line(self, card: Card, title: Block | None) -> Block | None:
        text = str(card.option("kanji")).strip()
        if not text:
            return None
        style = card.style(
            self.kanji_font,
            self.kanji_size,
            card.option("kanji_color") or card.title_style.color,
            stroke=self.title_stroke,
        )
        box = title.bbox() if title else None
        top = box[1] if box else card.from_bottom(self.title_baseline)
        block = card.line_block(
            [(text, style)], card.px(self.left), top - card.px(self.kanji_gap), "left"
        )
        if block is not None:
            # Baseline placement: move it up so its ink ends kanji_gap above the title.
            ink = block.bbox()
            if ink:
                block.shift(0, top - card.px(self.kanji_gap) - ink[3])
        return block
