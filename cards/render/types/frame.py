"""frame: the still as a photo print on black, a white paper border round it and a broad strip
below, where the title is written in grey with "SEASON 1" and "EPISODE 3" either side."""

from __future__ import annotations

import functools
from typing import Any

from PIL import Image, ImageDraw

from .. import effects, fonts, scale
from ..layout import Block
from .base import Card, CardType, Option, picture, picture_pixels

POSITIONS = ("surround", "left", "right")


class Frame(CardType):
    name = "frame"
    label = "Frame"
    rank = 12  # 11-13 tie (divider, frame, shape): alphabetical
    aliases = ("photo",)

    fills_canvas = False
    background = "black"
    pixels = True  # a paper (a rectangle) and a picture in its window, and text

    title_font = fonts.SANS
    title_size = 133
    title_color = "#505050"
    title_kerning = 5
    title_line_spacing = -45
    title_case = "upper"
    title_max_lines = 2
    title_max_width = 2300
    title_middle = 1575  # the row the title is centred on (by its capitals)

    episode_font = fonts.SANS
    episode_size = 50
    episode_gap = 25  # between the title and the episode text beside it

    # The print: paper on black, the picture showing through a window in it; the picture is
    # `photo` px large (a 16:9 still; others are cropped to it), centred on the card.
    paper = (69, 87, 3125, 1703)
    paper_color = (252, 251, 253)
    window = (144, 169, 3056, 1437)
    photo = (2915, 1640)
    saturation = 1.25

    options = {
        "episode_text_color": Option("color", "#646464", "colour of the episode text"),
        "episode_text_position": Option(
            "choice",
            "surround",
            "season left and episode right of the title, or both on one side",
            POSITIONS,
        ),
    }

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        paper = tuple(round(card.px(v)) for v in self.paper)
        ImageDraw.Draw(image).rectangle((*paper[:2], paper[2] - 1, paper[3] - 1), self.paper_color)
        window = self.window_of(card)
        if window is not None:
            box, path, what, size, part = window
            lift = functools.partial(effects.lift, saturation=self.saturation)
            image.paste(picture(card, path, size, what, part, lift), box[:2])
        return image

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        """backdrop() on the black card's array: the paper filled by OpenCV, the picture made
        as an array and copied into the window (never a Pillow image of it); the same pixels."""
        left, top, right, bottom = (round(card.px(v)) for v in self.paper)
        color = self.paper_color
        bgr = (color[2], color[1], color[0])
        scale._cv2().rectangle(pixels, (left, top), (right - 1, bottom - 1), bgr, thickness=-1)
        window = self.window_of(card)
        if window is not None:
            (x0, y0, x1, y1), path, what, size, part = window
            lift = functools.partial(effects.lift, saturation=self.saturation)
            pixels[y0:y1, x0:x1] = picture_pixels(card, path, size, what, part, lift)

    def window_of(
        self, card: Card
    ) -> tuple[tuple[int, int, int, int], str, str, tuple[int, int], tuple[int, ...]] | None:
        """Where the picture shows (its box on the card), which picture (path, what), the size
        it covers and the part of it in the box; None if the window lies off the picture."""
        width, height = (round(card.px(v)) for v in self.photo)
        x0, y0 = round((card.width - width) / 2), round((card.height - height) / 2)
        window = [round(card.px(v)) for v in self.window]
        box = (
            max(window[0], x0),
            max(window[1], y0),
            min(window[2], x0 + width),
            min(window[3], y0 + height),
        )
        if box[2] <= box[0] or box[3] <= box[1]:
            return None
        # The art styles show the series' art in the window instead of the still.
        path, what = (
            (card.spec.art, "art image") if card.look.art else (card.spec.source, "source image")
        )
        part = (box[0] - x0, box[1] - y0, box[2] - x0, box[3] - y0)
        return box, str(path), what, (width, height), part

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        where = str(card.option("episode_text_position"))
        middle = card.px(self.title_middle)
        parts = self.episode_parts(card)
        paper = [card.px(v) for v in self.paper]
        gap = card.px(self.episode_gap)
        # The title gets the paper's width less the episode text (and its gap) on each side
        # it has some; the strip's height less a little room.
        present = [block for block in parts if block is not None]
        beside = max((_width(block) for block in present), default=0.0)
        reserve = (2 if where == "surround" else 1) * (beside + gap) if present else 0.0
        strip = card.px(self.paper[3] - self.window[3])
        title = card.title_block(
            card.width / 2,
            0,
            "center",
            "down",
            max_width=min(
                card.px(self.title_max_width),
                paper[2] - paper[0] - 2 * card.margin - reserve,
            ),
            max_height=strip - card.px(40),
        )
        if title is not None:
            title.centre_on(middle)
            if where != "surround" and present:
                # Both episode parts on one side: the title moves over to make room.
                shift = (beside + gap) / 2
                title.shift(shift if where == "left" else -shift, 0)
        ink = title.bbox() if title is not None else None
        left = ink[0] if ink else card.width / 2
        right = ink[2] if ink else card.width / 2
        self.place(card, parts, where, left - gap, right + gap, middle)
        for block in present:
            card.draw(canvas, block)
        card.draw(canvas, title)

    def episode_parts(self, card: Card) -> tuple[Block | None, Block | None]:
        """ "SEASON 1" and "EPISODE 3" as separate one-line blocks (either may be missing)."""
        style = card.style(self.episode_font, self.episode_size, card.option("episode_text_color"))
        episode = "".join(text for text, _ in card.episode_parts or []).strip()
        limit = card.px(self.title_max_width) / 2
        season, episode_block = (
            card.line_block([(text, style)], 0, 0, "left", max_width=limit) if text else None
            for text in ((card.season_text or "").strip(), episode)
        )
        return season, episode_block

    def place(
        self,
        card: Card,
        parts: tuple[Block | None, Block | None],
        where: str,
        left: float,
        right: float,
        y: float,
    ) -> None:
        """Season text ending at `left` and episode text starting at `right`, or both stacked
        on one side, centred on row y."""
        season, episode = parts
        if where == "surround":
            if season is not None:
                _place(season, left, "right", y)
            if episode is not None:
                _place(episode, right, "left", y)
            return
        x, align = (left, "right") if where == "left" else (right, "left")
        stack = [block for block in parts if block is not None]
        pitch = card.px(self.episode_size) * 1.15
        for i, block in enumerate(stack):
            _place(block, x, align, y + (i - (len(stack) - 1) / 2) * pitch)


def _width(block: Block) -> float:
    return max(line.width for line in block.lines)


def _place(block: Block, x: float, align: str, y: float) -> None:
    """Move a one-line block so it ends (align right) or starts at x, centred on row y."""
    line = block.lines[0]
    block.shift((x - line.width if align == "right" else x) - line.x, 0)
    block.centre_on(y)
