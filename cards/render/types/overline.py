"""overline: a light gradient at the bottom, the title in medium capitals with a thin dark
outline along the bottom, and above it a thin white rule broken by "SEASON 1 - EPISODE 3"
(or the rule under the title, the episode text on it)."""

from __future__ import annotations

import dataclasses

from PIL import Image

from .. import effects, fonts
from ..layout import Block, TextStyle
from .base import BottomGradient, Card, CardType, Option, bottom_shade

# Regular: the reference strokes its Medium on the letters, which thins them to this.
POSITIONS = ("top", "bottom")


class Overline(BottomGradient, CardType):
    name = "overline"
    label = "Overline"
    rank = 10
    pixels = True  # a shade, a rule (rectangles) and text

    # The reference's small gradient: clear 760 px above the bottom, 78 % at the bottom edge.
    gradient_height = 760
    gradient_opacity = 0.776

    title_font = fonts.bundled("Inter-Regular.otf")
    title_size = 150
    title_color = "white"
    title_kerning = -5
    title_word_spacing = 20
    title_stroke = 2.5  # a thin dark outline: the reference's 5 px stroke straddles the edge
    title_line_spacing = 25
    title_case = "upper"
    title_max_lines = 2
    title_max_width = 2900

    episode_font = fonts.SANS_SEMIBOLD
    episode_size = 58
    episode_kerning = -2
    episode_word_spacing = 7

    # Distances above the bottom edge to the bottom of a line's font box (its descent), for
    # the rule above the title (top) or under it (bottom). Longer titles push the rule and the
    # episode text up, `gap` clear of them.
    bottoms = {"top": (70, 232), "bottom": (110, 65)}  # title, episode text
    gap = 15
    rule_inset = 25  # the rule ends this far inside the title's ends
    rule_gap = 14  # and leaves this much room either side of the episode text
    rule_edge = 2

    options = {
        "line_color": Option("color", "#FFFFFF", "colour of the rule"),
        "line_position": Option("choice", "top", "the rule above or under the title", POSITIONS),
        "line_width": Option("number", 9.0, "px, thickness of the rule", minimum=1, maximum=100),
        "hide_line": Option("bool", False, "no rule"),
        "episode_text_color": Option("color", "#FFFFFF", "colour of the episode text"),
        "episode_text_font_size": Option(
            "number", 1.0, "scale of the episode text's size", minimum=0.2, maximum=5
        ),
        "separator": Option("text", "-", "between the season and the episode part"),
        "omit_gradient": BottomGradient.gradient_option,
    }

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        return bottom_shade(self, card, image)

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        where = str(card.option("line_position"))
        title_bottom, episode_bottom = self.bottoms[where]
        style = self.episode_style(card)
        episode = self.episode_line(card, style)
        # The row the episode text stands on, and the rule through its capitals' middle; above
        # the title they move up with a taller title.
        baseline = card.from_bottom(episode_bottom) - style.descent()
        reserve = 0.0
        if where == "top":
            reserve = 2 * card.px(self.gap) + style.pitch()
        title = card.title_block(
            card.width / 2,
            card.from_bottom(title_bottom) - card.title_style.descent(),
            "center",
            "up",
            max_height=card.height - card.px(title_bottom) - 2 * card.margin - reserve,
        )
        ink = title.bbox() if title is not None else None
        if where == "top" and ink is not None:
            baseline = min(baseline, ink[1] - card.px(self.gap) - style.descent())
        if episode is not None:
            episode.shift(0, baseline - episode.lines[0].y)
        if not card.option("hide_line") and ink is not None:
            self.rule(card, canvas, ink, episode, baseline - style.size * 0.35)
        card.draw(canvas, title)
        card.draw(canvas, episode)

    def episode_style(self, card: Card) -> TextStyle:
        scale = float(card.option("episode_text_font_size"))
        style = card.style(
            self.episode_font,
            self.episode_size * scale,
            card.option("episode_text_color"),
            kerning=self.episode_kerning * scale,
        )
        return dataclasses.replace(style, word_spacing=card.px(self.episode_word_spacing * scale))

    def episode_line(self, card: Card, style: TextStyle) -> Block | None:
        separator = card.option("separator")
        segments = card.episode_segments(style, style, f" {separator} " if separator else " ")
        return card.line_block(segments, card.width / 2, 0, "center")

    def rule(
        self,
        card: Card,
        canvas: Image.Image,
        title: tuple[int, int, int, int],
        episode: Block | None,
        y: float,
    ) -> None:
        """The rule on row y: as wide as the title less `rule_inset` at each end, broken round
        the episode text; a black edge round a line of `line_color`."""
        left, right = title[0] + card.px(self.rule_inset), title[2] - card.px(self.rule_inset)
        spans = [(left, right)]
        text = episode.bbox() if episode is not None else None
        if text is not None:
            gap = card.px(self.rule_gap)
            spans = [(left, text[0] - gap), (text[2] + gap, right)]
        half = max(1.0, card.px(float(card.option("line_width")))) / 2
        edge = card.px(self.rule_edge)
        for grow, color in ((edge, (0, 0, 0)), (0.0, card.option("line_color"))):
            for x0, x1 in spans:
                if x1 - x0 > 2 * edge:
                    box = (x0 - grow, y - half - grow, x1 + grow, y + half + grow)
                    x0i, y0i, x1i, y1i = (round(v) for v in box)
                    effects.rectangle(canvas, (x0i, y0i, x1i - 1, y1i - 1), color)
