"""cutout: a black card with the episode number cut out of it in giant letters ("THREE"): the
still shows only through them. The title runs along the bottom in white."""

from __future__ import annotations

import dataclasses
from typing import Any

from PIL import Image, ImageDraw

from .. import effects, fonts, layout, scale
from ..layout import Block
from .base import Card, CardType, Option


class Cutout(CardType):
    name = "cutout"
    label = "Cutout"
    rank = 21
    aliases = ("phendrena",)
    blur_radius = 20  # the still shows only through the letters: a lighter blur hides enough
    pixels = True  # colour round and through the letters' mask, and text, over the still

    title_font = fonts.GEOMETRIC_BOLD
    title_size = 152
    title_color = "white"
    title_word_spacing = 0  # the reference adds 35 px; League Spartan's space is wide already
    title_case = "upper"
    title_max_lines = 3
    title_max_width = 2900
    title_baseline = 134  # above the bottom edge; more lines grow upwards

    season_format = None  # the number alone, in words
    episode_format = "{episode_number:cardinal}"
    number_font = fonts.GEOMETRIC_BOLD
    number_size = 1390
    number_line_spacing = -300
    number_box = (3100, 1700)  # the number is scaled to fit this box, centred
    number_gap = 60  # at least this much between the number and the title
    number_words = 3  # a number of more words takes two lines

    overlay_color = (0, 0, 0)

    options = {
        "overlay_color": Option("color", None, "colour of the card round the letters (black)"),
        "overlay_transparency": Option(
            "number",
            0.0,
            "0: the still shows only through the letters; up to 1: more and more of it shows "
            "through the colour too",
            minimum=0,
            maximum=1,
        ),
        "blur_edges": Option("bool", False, "soften the edges of the letters"),
        "edge_blur": Option(
            "number", 10, "px, how soft the edges are with blur_edges", minimum=0.5, maximum=100
        ),
    }

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        pass  # the still as it is: the colour goes over it with the letters, at full size

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        title = card.title_block(
            card.width / 2, card.from_bottom(self.title_baseline), "center", "up"
        )
        ink = title.bbox() if title is not None else None
        floor = (ink[1] if ink else card.height) - card.px(self.number_gap)
        mask = self.number(card, floor)
        self.overlay(card, canvas, mask)
        card.draw(canvas, title)

    def number(
        self, card: Card, floor: float
    ) -> tuple[Image.Image, tuple[int, int, int, int]] | None:
        """The mask of the cut-out letters (full card, "L") and the box round them."""
        text = "".join(part for part, _ in card.episode_parts or ()).strip()
        if not text:
            return None
        style = card.style(self.number_font, self.number_size, (255, 255, 255))
        style = dataclasses.replace(style, line_spacing=card.px(self.number_line_spacing))
        lines = _split(text, self.number_words)
        top = card.margin
        room = (
            min(card.px(self.number_box[0]), card.width - 2 * card.margin),
            min(card.px(self.number_box[1]), floor - top),
        )
        widest = max(layout.measure(line, style) for line in lines)
        height = style.pitch() * (len(lines) - 1) + layout.cap_height(style)
        scale = min(room[0] / max(widest, 1.0), max(room[1], 1.0) / max(height, 1.0))
        style = style.scaled(scale)
        rendered = [layout.render_line([(line, style)], card.missing) for line in lines]
        block = Block.stack(rendered, card.width / 2, 0, style.pitch(), "center", "down")
        half = (style.pitch() * (len(lines) - 1) + layout.cap_height(style)) / 2
        block.centre_on(min(max(card.height / 2, top + half), floor - half))
        block.keep_inside(card.width, card.height, min(card.margin, 8))
        ink = block.bbox()
        masked = block.mask()
        if ink is None or masked is None:
            return None
        card.boxes.extend(box for line in block.lines if (box := line.ink()) is not None)
        radius = card.px(float(card.option("edge_blur"))) if card.option("blur_edges") else 0.0
        pad = round(radius * 3)  # a feathered edge reaches this far out
        box = (
            max(0, ink[0] - pad),
            max(0, ink[1] - pad),
            min(card.width, ink[2] + pad),
            min(card.height, ink[3] + pad),
        )
        # The letters' mask only as large as that box: the card round it is plain colour.
        mask = Image.new("L", (box[2] - box[0], box[3] - box[1]), 0)
        mask.paste(masked[0], (masked[1] - box[0], masked[2] - box[1]))
        if radius:
            mask = effects.blur(mask, radius)
        return mask, box

    def overlay(
        self,
        card: Card,
        canvas: Image.Image,
        number: tuple[Image.Image, tuple[int, int, int, int]] | None,
    ) -> None:
        """The colour over everything but the letters (or, partly transparent, over them too)."""
        color = effects.ink(canvas, card.option("overlay_color") or self.overlay_color)
        cover = 1.0 - float(card.option("overlay_transparency"))
        if number is None:
            box, letters = (0, 0, 0, 0), None
        else:
            letters, box = number
        w, h = card.width, card.height
        left, top, right, bottom = box
        around = (
            (0, 0, w, top),
            (0, bottom, w, h),
            (0, top, left, bottom),
            (right, top, w, bottom),
        )
        if cover <= 0.0:
            return
        pixels = getattr(canvas, "pixels", None)  # a card drawn on an array (core.PixelCanvas)
        if pixels is not None:
            canvas.flush()  # type: ignore[attr-defined]
            _overlay_pixels(pixels, color, round(255 * cover), box, around, letters)
            return
        if cover >= 1.0:
            # Plain colour round the letters' box (cheap), the letters' outline inside it.
            pen = ImageDraw.Draw(canvas)
            for x0, y0, x1, y1 in around:
                if x1 > x0 and y1 > y0:
                    pen.rectangle((x0, y0, x1 - 1, y1 - 1), fill=color)
            if letters is not None:
                # The picture through the letters onto the colour: what pasting the colour
                # through the inverted letters gives, at half the cost in Pillow.
                cut = Image.new(canvas.mode, letters.size, color)
                cut.paste(canvas.crop(box), (0, 0), letters)
                canvas.paste(cut, box[:2])
            return
        level = round(255 * cover)
        # Round the box the colour lies evenly over the picture: a table per channel does what
        # a masked paste would, pixel for pixel, at a fraction of its cost.
        table = _blend_table(canvas.mode, color, level)
        for part in around:
            if part[2] > part[0] and part[3] > part[1]:
                canvas.paste(canvas.crop(part).point(table), part[:2])
        if letters is not None:
            canvas.paste(color, box, letters.point(lambda v: (255 - v) * level // 255))


def _split(text: str, most_words: int) -> list[str]:
    """The number on one line, or on two when it has more than `most_words` words or a hyphen:
    broken after the space or hyphen that gives the most even halves ("TWENTY- / ONE", "ONE
    HUNDRED / TWENTY-ONE")."""
    if len(text.split()) <= most_words and "-" not in text.strip("-"):
        return [text]
    breaks = [i + 1 for i, ch in enumerate(text) if ch in " -" and 0 < i < len(text) - 1]
    if not breaks:
        return [text]
    cut = min(breaks, key=lambda i: abs(len(text[:i].strip()) - len(text[i:].strip())))
    return [text[:cut].strip(), text[cut:].strip()]


def _blend_table(mode: str, color: int | tuple[int, ...], level: int) -> list[int]:
    """A point() table laying `color` over a picture at `level` (of 255), rounded as Pillow's
    masked paste rounds."""
    inks = (color,) if isinstance(color, int) else tuple(color)[: len(mode)]
    table = []
    for ink in inks:
        for v in range(256):
            mixed = v * (255 - level) + ink * level + 128
            table.append(((mixed >> 8) + mixed) >> 8)
    return table


def _overlay_pixels(
    pixels: Any,
    color: tuple[int, int, int],
    level: int,
    box: tuple[int, int, int, int],
    around: tuple[tuple[int, int, int, int], ...],
    letters: Image.Image | None,
) -> None:
    """Cutout.overlay() on a BGR array, in place, the same pixels as the Pillow way: `color`
    at `level` (of 255) over the parts `around` the letters' box, and inside it through the
    inverse of the letters' mask."""
    import numpy as np

    cv2 = scale._cv2()
    bgr = (color[2], color[1], color[0])
    if level >= 255:
        for x0, y0, x1, y1 in around:
            if x1 > x0 and y1 > y0:
                # OpenCV's fill: numpy's broadcast of a colour costs ten times as much.
                cv2.rectangle(pixels, (x0, y0), (x1 - 1, y1 - 1), bgr, thickness=-1)
    else:
        lut = np.array(_blend_table("RGB", bgr, level), np.uint8).reshape(3, 256).T
        lut = np.ascontiguousarray(lut).reshape(1, 256, 3)
        for x0, y0, x1, y1 in around:
            if x1 > x0 and y1 > y0:
                region = pixels[y0:y1, x0:x1]
                region[...] = cv2.LUT(region, lut)
    if letters is None:
        return
    # The colour through the inverse of the letters (at `level` where it is translucent):
    # Image.paste(colour, box, mask) on the array, Pillow's rounding (effects.blend_pixels).
    mask = cv2.subtract(255, np.asarray(letters))
    if level < 255:
        mask = cv2.LUT(mask, _level_lut(level))
    effects.blend_pixels(pixels, mask, box[:2], bgr)


def _level_lut(level: int) -> Any:
    """The letters' mask as the translucent overlay's paste takes it: (255 - v) * level // 255
    (what shows of the colour), for the inverted mask v."""
    import numpy as np

    return np.array([v * level // 255 for v in range(256)], np.uint8)
