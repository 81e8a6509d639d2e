"""standard: the still fills the card, a dark gradient rises from the bottom, the title is centred
above "SEASON 1 • EPISODE 3"."""

from __future__ import annotations

import dataclasses

from PIL import Image

from .. import fonts
from ..layout import Block
from .base import BottomGradient, Card, CardType, Option


class Standard(BottomGradient, CardType):
    name = "standard"
    label = "Standard"
    rank = 1
    aliases = ("generic", "polymath")
    pixels = True  # its gradient and text are all it draws

    title_font = fonts.CONDENSED
    title_size = 178
    title_color = "#EBEBEB"
    title_kerning = -1.25
    title_word_spacing = 10
    title_stroke = 3
    title_line_spacing = -22
    title_case = "upper"
    title_max_lines = 4
    title_max_width = 2700
    title_baseline = 285  # last title baseline above the bottom edge; more lines grow upwards

    season_font = fonts.SANS_BOLD
    episode_font = fonts.SANS
    episode_size = 65
    episode_color = "#CFCFCF"
    episode_kerning = 5.42
    episode_stroke = 6
    episode_baseline = 183  # above the bottom edge

    options = {
        "episode_text_color": Option("color", None, "colour of the episode line"),
        "episode_text_size": Option("number", 1.0, "scale of the episode line's size"),
        "episode_text_vertical_shift": Option("number", 0.0, "px, positive moves it down"),
        "stroke_color": Option("color", None, "stroke colour of the episode line"),
        "separator": Option("text", "•", "between the season and the episode part"),
        "omit_gradient": BottomGradient.gradient_option,
    }

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        title = card.title_block(
            card.width / 2, card.from_bottom(self.title_baseline), "center", "up"
        )
        card.draw(canvas, title)
        card.draw(canvas, self.episode_line(card))

    def episode_line(self, card: Card) -> Block | None:
        scale = float(card.option("episode_text_size"))
        episode = card.style(
            self.episode_font,
            self.episode_size * scale,
            card.option("episode_text_color") or self.episode_color,
            kerning=self.episode_kerning * scale,
            stroke=self.episode_stroke * scale,
            stroke_color=card.option("stroke_color") or (0, 0, 0),
        )
        season = dataclasses.replace(episode, font=self.season_font)
        separator = card.option("separator")
        separator = f" {separator} " if separator else " "
        segments = card.episode_segments(season, episode, separator)
        shift = float(card.option("episode_text_vertical_shift"))
        y = card.from_bottom(self.episode_baseline - shift)
        return card.line_block(segments, card.width / 2, y, "center")
