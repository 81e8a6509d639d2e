"""banner: a white banner across the bottom of the still. The title's last line sits in it, in
black; the lines before it stand on the banner's top edge, in white; "SEASON 1" over "EPISODE 3"
holds the banner's left end."""

from __future__ import annotations

import dataclasses
from typing import Any

from PIL import Image

from .. import effects, fonts, layout
from ..layout import Block, Line
from .base import Card, CardType, Option, draw_shadowed

HEAVY = fonts.bundled("Lato-Black.ttf")


class Banner(CardType):
    name = "banner"
    label = "Banner"
    rank = 20
    pixels = True  # a banner, text and its soft halo over the still

    title_font = HEAVY
    title_size = 195
    title_color = "white"
    title_kerning = 1
    title_word_spacing = 0  # the reference adds 40 px; Lato's own space is wide enough
    title_line_spacing = -24
    title_case = "upper"
    title_max_lines = 3
    title_max_width = 2100  # about 19 letters: a longer title takes two lines
    title_halo = ((0, 0, 0), 0.95, 4, 0, 0)  # under the white lines: colour, opacity, blur, dx, dy

    episode_font = HEAVY
    episode_size = 85
    episode_line_spacing = -13
    episode_word_spacing = 0
    episode_share = 0.3  # of the width, at most, for each episode line

    banner_color = (255, 255, 255)
    alternate_color = (0, 0, 0)
    # Inside the banner, the capitals of the last title line and of the episode text start this
    # far below its top edge.
    text_drop = 8
    episode_drop = 4
    # The last line starts where the line above it ends, less this; at least `gap` after the
    # episode text.
    overlap = 300
    gap = 40

    options = {
        "alternate_color": Option(
            "color", None, "colour of the title's last line and of the episode text (black)"
        ),
        "banner_color": Option("color", None, "colour of the banner (white)"),
        "banner_height": Option(
            "number", 185, "px, height of the banner", minimum=100, maximum=600
        ),
        "hide_banner": Option("bool", False, "no banner: the last line sits on the picture"),
        "episode_text_font_size": Option(
            "number", 1.0, "scale of the episode text's size", minimum=0.2, maximum=3
        ),
        "x_offset": Option("number", 50, "px, left margin of all the text", minimum=0, maximum=500),
    }

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        pass  # the still as it is: the banner is drawn over it

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        top = card.height - round(card.px(float(card.option("banner_height"))))
        if not card.option("hide_banner"):
            color = card.option("banner_color") or self.banner_color
            effects.rectangle(canvas, (0, top, card.width - 1, card.height - 1), color)
        left = max(card.px(float(card.option("x_offset"))), card.margin)
        episode = self.episode_text(card, left, top)
        start = left
        if episode is not None:
            box = episode.bbox()
            start = box[2] + card.px(self.gap) if box else left
        card.draw(canvas, episode)
        self.title(card, canvas, left, start, top)

    def title(self, card: Card, canvas: Image.Image, left: float, start: float, top: float) -> None:
        """White lines standing on the banner, the last line in the banner after the episode
        text; a last line too long for its room shrinks the whole title."""
        right = card.width - left
        block = card.title_block(left, top, "left", "up")
        if block is not None and block.lines[-1].width > right - start:
            block = card.title_block(left, top, "left", "up", max_width=right - start)
        if block is None:
            return
        *above, last = block.lines
        if above:
            pitch = last.y - above[-1].y
            for line in above:
                line.y += pitch  # the line before the last stands on the banner's edge
            draw_shadowed(card, canvas, Block(above), self.halo(card))
            wanted = left + above[-1].width - card.px(self.overlap)
        else:
            wanted = start
        cap = layout.cap_height(last.parts[0].style) if last.parts else 0.0
        last.y = top + card.px(self.text_drop) + cap
        last.x = min(max(wanted, start), right - last.width)
        color = card.option("alternate_color") or self.alternate_color
        _recolour(last, color)
        card.draw(canvas, Block([last]))

    def episode_text(self, card: Card, left: float, top: float) -> Block | None:
        """SEASON 1 over EPISODE 3 at the banner's left end."""
        scale = float(card.option("episode_text_font_size"))
        color = card.option("alternate_color") or self.alternate_color
        style = card.style(self.episode_font, self.episode_size * scale, color)
        style = dataclasses.replace(
            style,
            word_spacing=card.px(self.episode_word_spacing * scale),
            line_spacing=card.px(self.episode_line_spacing * scale),
        )
        episode = "".join(text for text, _ in card.episode_parts or ())
        most = card.width * self.episode_share
        lines = [
            layout.render_line(layout.fit_line([(text, style)], most), card.missing)
            for text in (card.season_text, episode)
            if text
        ]
        if not lines:
            return None
        first = top + card.px(self.episode_drop * scale) + layout.cap_height(style)
        return Block.stack(lines, left, first, style.pitch(), "left", "down")

    def halo(self, card: Card) -> tuple:
        color, opacity, radius, dx, dy = self.title_halo
        return (color, opacity, card.px(radius), dx, dy)


def _recolour(line: Line, color: tuple[int, int, int]) -> None:
    """Draw a rendered line in another colour (its masks stay as they are)."""
    for part in line.parts:
        part.style = dataclasses.replace(part.style, color=color)
