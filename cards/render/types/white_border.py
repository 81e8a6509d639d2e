"""white_border: the standard layout in a plain sans (Arial's look), framed by a 25 px white
border with a soft shadow falling inwards from it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from PIL import Image

from .. import effects, fonts
from .base import BottomGradient, Card, Option, parse_color
from .standard import Standard

# TeX Gyre Heros is a Helvetica clone; the reference's Arial is a Helvetica look-alike too.
HEROS_BOLD = fonts.bundled("texgyreheros-bold.otf")
HEROS = fonts.bundled("texgyreheros-regular.otf")


class WhiteBorder(Standard):
    name = "white_border"
    label = "White border"
    rank = 28
    aliases = ("musikmann",)
    pixels = True  # shadow strips pasted through masks, a border of rectangles, text (standard's)

    border = 25  # px of border on every side
    border_color = "white"
    shadow_depth = 20  # how far the shadow reaches in from the border
    shadow_opacity = 0.55  # at the border's inner edge

    title_font = HEROS_BOLD
    title_size = 160
    title_color = "white"
    title_kerning = -1
    title_word_spacing = 0
    title_stroke = 2  # the reference's 4 px stroke straddles the outline: half of it shows
    # Heros' line box is 1.43 em against Arial's 1.12: closer lines keep Arial's pitch.
    title_line_spacing = -50
    title_case = "upper"
    title_max_lines = 3
    title_max_width = 2800
    title_baseline = 284

    season_font = HEROS
    episode_font = HEROS
    episode_size = 62.5
    episode_color = "white"
    episode_kerning = 4
    episode_stroke = 3
    episode_baseline = 175

    options = {
        **Standard.options,
        "border_color": Option("color", None, "colour of the 25 px border (default white)"),
        "omit_gradient": BottomGradient.gradient_option,
    }

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        self.frame(card, canvas)
        super().decorate(card, canvas)

    def frame(self, card: Card, canvas: Image.Image) -> None:
        w, h = canvas.size
        edge = max(1, round(card.px(self.border)))
        depth = max(1, round(card.px(self.shadow_depth)))
        # The shadow first, in four strips inside the border; where two strips meet in a
        # corner they darken it twice, as a real shadow in a corner does.
        pixels = getattr(canvas, "pixels", None)  # a card drawn on an array (core.PixelCanvas)
        if pixels is not None:
            # Blended on the array: through the canvas, the four strips, being near each other,
            # would be one patch the size of the card, copied out to Pillow and back.
            canvas.flush()  # type: ignore[attr-defined]
            for box, mask in _strip_masks((w, h), edge, depth, self.shadow_opacity):
                effects.blend_pixels(pixels, mask, box[:2], (0, 0, 0))
        else:
            strips = _strips((w, h), edge, depth, self.shadow_opacity, canvas.mode)
            for box, shade, mask in strips:
                canvas.paste(shade, box[:2], mask)
        color = card.option("border_color") or parse_color(self.border_color)
        for box in (
            (0, 0, w, edge),
            (0, h - edge, w, h),
            (0, edge, edge, h - edge),
            (w - edge, edge, w, h - edge),
        ):
            if pixels is not None:  # a card drawn on an array: the same pixels filled
                effects.rectangle(canvas, (box[0], box[1], box[2] - 1, box[3] - 1), color)
            else:
                canvas.paste(color, box)


@lru_cache(maxsize=8)
def _ramp(depth: int, opacity: float) -> Image.Image:
    """One row fading from `opacity` at its left end to nothing at its right, `depth` long;
    eased (squared), as a blurred edge fades."""
    row = Image.new("L", (depth, 1))
    row.putdata([round(255 * opacity * (1 - i / depth) ** 2) for i in range(depth)])
    return row


@lru_cache(maxsize=4)
def _strips(
    size: tuple[int, int], edge: int, depth: int, opacity: float, mode: str
) -> tuple[tuple[tuple[int, int, int, int], Image.Image, Image.Image], ...]:
    """The four shadow strips inside a border `edge` px wide on a card of `size`: (box, black
    picture, mask) each, the same on every card of a size. Pasting a black picture through a
    mask costs Pillow half of pasting black."""
    w, h = size
    ramp = _ramp(depth, opacity)
    inner = (edge, edge, w - edge, h - edge)
    strips = (
        ((inner[0], inner[1], inner[2], inner[1] + depth), ramp.rotate(-90, expand=True)),
        ((inner[0], inner[3] - depth, inner[2], inner[3]), ramp.rotate(90, expand=True)),
        ((inner[0], inner[1], inner[0] + depth, inner[3]), ramp),
        ((inner[2] - depth, inner[1], inner[2], inner[3]), ramp.rotate(180)),
    )
    made = []
    for box, mask in strips:
        dims = (box[2] - box[0], box[3] - box[1])
        if dims[0] > 0 and dims[1] > 0:
            black = Image.new(mode, dims, 0)
            made.append((box, black, mask.resize(dims, Image.Resampling.NEAREST)))
    return tuple(made)


@lru_cache(maxsize=4)
def _strip_masks(
    size: tuple[int, int], edge: int, depth: int, opacity: float
) -> tuple[tuple[tuple[int, int, int, int], Any], ...]:
    """_strips()' boxes and masks as arrays, for effects.blend_pixels (black needs no picture)."""
    import numpy as np

    strips = _strips(size, edge, depth, opacity, "L")
    return tuple((box, np.asarray(mask)) for box, _, mask in strips)
