"""divider: "The Long / Night of the Soul | Season 1 / Episode 3" in a corner: the title and the
season and episode lines on either side of a thin vertical bar, with a soft dark halo behind
the whole block."""

from __future__ import annotations

from typing import Any

from PIL import Image, ImageDraw

from .. import effects, fonts, layout
from ..layout import Block
from .base import Card, CardType, Option

POSITIONS = ("lower right", "lower left", "upper left", "upper right", "left", "right")


class Divider(CardType):
    name = "divider"
    label = "Divider"
    rank = 11
    pixels = True  # a bar (a rectangle), a soft halo and text over the still

    title_font = fonts.bundled("Cardo104s.ttf")
    title_size = 100
    title_color = "white"
    title_kerning = -0.5
    title_line_spacing = -20
    title_case = "source"
    title_max_lines = 4
    title_max_width = 800

    season_format = "Season {season_number}"
    episode_format = "Episode {episode_number}"
    episode_case = "source"

    margin_px = 50  # between the block and the canvas edges
    bar_width = 7
    bar_gap = 25  # between the bar and the text on either side
    bar_shorten = 25  # the bar is this much shorter than the taller side
    halo = ((0, 0, 0), 1.0, 5, 4)  # colour, opacity, blur radius, spread (reference px)

    options = {
        "text_position": Option("choice", "lower right", "where the block goes", POSITIONS),
        "title_text_position": Option(
            "choice", "left", "the title's side of the bar", ("left", "right")
        ),
        "text_gravity": Option(
            "choice",
            "bar",
            "alignment of the season and episode lines (bar: towards the bar, like the title)",
            ("bar", "left", "center", "right"),
        ),
        "divider_color": Option("color", None, "colour of the bar (default: the font colour)"),
        "stroke_color": Option("color", None, "colour of the halo behind the text (black)"),
        "episode_text_font_size": Option(
            "number", 1.0, "scale of the season and episode lines", (), 0.2, 4
        ),
    }

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        pass  # the still as it is

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        title_left = card.option("title_text_position") == "left"
        index = self.index(card)
        index_width = max((line.width for line in index), default=0.0)
        gap, bar = card.px(self.bar_gap), max(1.0, card.px(self.bar_width))
        middle = 2 * gap + bar if index else 0.0
        room = card.width - 2 * card.px(self.margin_px) - middle - index_width
        title = card.title_block(
            0,
            0,
            "right" if title_left else "left",
            "down",
            max_width=max(1.0, min(card.px(self.title_max_width), room)),
            max_height=card.height - 2 * card.px(self.margin_px),
        )
        sides = [title.lines if title else [], index]
        if not title_left:
            sides.reverse()
        left, right = sides
        if not left and not right:
            return
        # Both sides are stacked from y = 0, then the whole block is moved into its corner.
        left_width = max((line.width for line in left), default=0.0)
        right_width = max((line.width for line in right), default=0.0)
        bar_x = left_width + gap if left and right else 0.0
        right_x = bar_x + bar + gap if left and right else 0.0
        gravity = card.option("text_gravity")
        heights = []
        for lines, x0, width, towards in (
            (left, 0.0, left_width, "right"),
            (right, right_x, right_width, "left"),
        ):
            align = towards
            if lines is index and gravity != "bar":
                align = str(gravity)
            self.stack(lines, x0, width, align)
            heights.append(_height(lines))
        tallest = max(heights)
        for lines, height in zip((left, right), heights, strict=True):
            for line in lines:  # centre the shorter side on the taller one
                line.y += (tallest - height) / 2
        block = Block(left + right)
        width = right_x + right_width if left and right else left_width + right_width
        block.shift(*self.corner(card, width, tallest))
        # Back inside if a long word sticks out; the bar goes where the text went.
        first = block.lines[0]
        before = (first.x, first.y)
        block.keep_inside(card.width, card.height, min(card.margin, 8))
        dx, dy = self.corner(card, width, tallest)
        dx, dy = dx + first.x - before[0], dy + first.y - before[1]
        bar_box = None
        if left and right:
            top, bottom = card.px(self.bar_shorten) / 2, tallest - card.px(self.bar_shorten) / 2
            bar_box = (bar_x + dx, top + dy, bar_x + dx + bar, bottom + dy)
        self.draw_halo(card, canvas, block, bar_box)
        if bar_box is not None:
            color = card.option("divider_color") or card.title_style.color
            effects.rectangle(
                canvas, (bar_box[0], bar_box[1], bar_box[2] - 1, bar_box[3] - 1), color
            )
        card.draw(canvas, Block(left))
        card.draw(canvas, Block(right))

    def index(self, card: Card) -> list[layout.Line]:
        """The season line over the episode line, in the title's font."""
        style = card.title_style.scaled(float(card.option("episode_text_font_size")))
        texts = [card.season_text or ""]
        texts.append("".join(text for text, _ in card.episode_parts or []))
        lines = []
        for text in (t for t in texts if t.strip()):
            block = card.line_block([(text, style)], 0, 0, "left")
            if block is not None:
                lines.extend(block.lines)
        return lines

    @staticmethod
    def stack(lines: list[layout.Line], x0: float, width: float, align: str) -> None:
        """Lines one under another from y = 0 (the first line's ascent on it)."""
        y = 0.0
        for i, line in enumerate(lines):
            pitch = line.parts[0].style.pitch() if line.parts else line.ascent + line.descent
            y = line.ascent if i == 0 else y + pitch
            line.y = y
            if align == "right":
                line.x = x0 + width - line.width
            elif align == "center":
                line.x = x0 + (width - line.width) / 2
            else:
                line.x = x0

    def corner(self, card: Card, width: float, height: float) -> tuple[float, float]:
        """Where the block's top-left goes for the text position."""
        position = str(card.option("text_position"))
        margin = card.px(self.margin_px)
        x = card.width - margin - width if position.endswith("right") else margin
        if position.startswith("lower"):
            y = card.height - margin - height
        elif position.startswith("upper"):
            y = margin
        else:
            y = (card.height - height) / 2
        return x, y

    def draw_halo(
        self,
        card: Card,
        canvas: Image.Image,
        block: Block,
        bar: tuple[float, float, float, float] | None,
    ) -> None:
        color, opacity, radius, spread = self.halo
        radius, spread = card.px(radius), card.px(spread)
        masked = block.mask(int(radius * 3 + spread) + 2)
        if masked is None:
            return
        mask, left, top = masked
        if bar is not None:
            ImageDraw.Draw(mask).rectangle(
                (bar[0] - left, bar[1] - top, bar[2] - left - 1, bar[3] - top - 1), fill=255
            )
        color = card.option("stroke_color") or color
        effects.glow(canvas, mask, left, top, color, opacity, radius, spread=spread)


def _height(lines: list[layout.Line]) -> float:
    """From the first line's ascent to the last line's descent."""
    if not lines:
        return 0.0
    return lines[-1].y + lines[-1].descent
