"""marvel: the still in a white border (left, top, right) above a black box across the bottom; the
title in the box, "SEASON 1" at its left end and "EPISODE 3" at its right. When the three would
crowd each other they shrink together."""

from __future__ import annotations

import dataclasses
from typing import Any

from PIL import Image

from .. import effects, fonts, layout
from ..layout import TextStyle
from .base import Card, CardType, Option

LOCATIONS = ("fixed", "compact")


class Marvel(CardType):
    name = "marvel"
    label = "Marvel"
    rank = 17
    pixels = True  # a border, a box and text over the still

    title_font = fonts.GEOMETRIC_BOLD
    title_size = 168  # League Spartan's capitals are small: this gives the reference's 111 px
    title_color = "white"
    title_kerning = 1
    title_case = "upper"
    title_max_lines = 1  # one line in the box; only explicit line breaks make more
    title_max_width = 3090

    episode_font = fonts.GEOMETRIC_BOLD
    episode_size = 76
    episode_color = "#C9C9C9"
    episode_kerning = 1
    # The reference adds 15 px to each space; League Spartan's own space is already as wide.
    episode_word_spacing = 0
    # Between the title and a side text: at least `gap` with the texts at the box's ends,
    # exactly `compact_gap` beside the title.
    gap = 40
    compact_gap = 20
    # A side text takes at most this share of the width, however long it is.
    side_share = 0.3

    border_color = (255, 255, 255)
    text_box_color = (0, 0, 0)

    options = {
        "border_color": Option("color", None, "colour of the border (white)"),
        "border_size": Option(
            "number",
            55,
            "px, width of the border and margin of the side texts",
            minimum=0,
            maximum=300,
        ),
        "hide_border": Option("bool", False, "no border: the still reaches the edges"),
        "text_box_color": Option("color", None, "colour of the box along the bottom (black)"),
        "text_box_height": Option("number", 200, "px, height of the box", minimum=60, maximum=900),
        "episode_text_color": Option("color", None, "colour of the side texts (#C9C9C9)"),
        "episode_text_location": Option(
            "choice",
            "fixed",
            "fixed: season and episode at the ends of the box; compact: either side of the title",
            LOCATIONS,
        ),
        "fit_text": Option(
            "bool",
            True,
            "shrink the title and the side texts together when they would crowd; off: the side "
            "texts keep their size and only the title shrinks",
        ),
    }

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        pass  # the still as it is: a border and a box are drawn over it

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        box_top = card.height - round(card.px(float(card.option("text_box_height"))))
        self.frame(card, canvas, box_top)
        middle = (box_top + card.height) / 2
        inset = max(card.px(float(card.option("border_size"))), card.margin)
        compact = card.option("episode_text_location") == "compact"
        gap = card.px(self.compact_gap if compact else self.gap)
        room = card.width - 2 * inset

        style = self.side_style(card)
        sides = [
            layout.fit_line([(text, style)], room * self.side_share) if text else []
            for text in (card.season_text, "".join(t for t, _ in card.episode_parts or ()))
        ]
        widest = max((_width(side) for side in sides), default=0.0)
        factor = 1.0
        if widest and card.option("fit_text"):
            title = max(
                (layout.measure(p, card.title_style) for p in card.title.split("\n")), default=0.0
            )
            factor = min(1.0, (room - 2 * gap) / max(1.0, title + 2 * widest))
        sides = [[(text, s.scaled(factor)) for text, s in side] for side in sides]
        title_room = room - 2 * (widest * factor + gap) if widest else room

        title = card.title_block(
            card.width / 2,
            middle,
            "center",
            "up",
            max_width=max(title_room, card.px(200)),
            max_height=(card.height - box_top) * 0.85,
        )
        if title is not None:
            title.centre_on(middle)
            card.draw(canvas, title)
        ink = title.bbox() if title is not None else None
        if compact and ink is not None:
            anchors = ((ink[0] - gap, "right"), (ink[2] + gap, "left"))
        elif compact:
            anchors = ((card.width / 2 - gap, "right"), (card.width / 2 + gap, "left"))
        else:
            anchors = ((inset, "left"), (card.width - inset, "right"))
        for side, (x, align) in zip(sides, anchors, strict=True):
            block = card.line_block(side, x, middle, align)
            if block is not None:
                block.centre_on(middle)
                card.draw(canvas, block)

    def frame(self, card: Card, canvas: Image.Image, box_top: int) -> None:
        """The border round the still and the box under it."""
        w, h = card.width, card.height
        edge = round(card.px(float(card.option("border_size"))))
        if not card.option("hide_border") and edge > 0:
            color = card.option("border_color") or self.border_color
            effects.rectangle(canvas, (0, 0, w - 1, edge - 1), color)
            effects.rectangle(canvas, (0, 0, edge - 1, box_top - 1), color)
            effects.rectangle(canvas, (w - edge, 0, w - 1, box_top - 1), color)
        box_color = card.option("text_box_color") or self.text_box_color
        effects.rectangle(canvas, (0, box_top, w - 1, h - 1), box_color)

    def side_style(self, card: Card) -> TextStyle:
        color = card.option("episode_text_color") or self.episode_color
        style = card.style(self.episode_font, self.episode_size, color, self.episode_kerning)
        return dataclasses.replace(style, word_spacing=card.px(self.episode_word_spacing))


def _width(segments: list[tuple[str, TextStyle]]) -> float:
    return sum(layout.measure(text, style) for text, style in segments)
