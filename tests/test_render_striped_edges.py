"""striped lays its sheet on a card drawn on an array by its own means (copying the colour
through the mask, blending only the pixels next to a change of it): the bytes Pillow's paste of
the colour through the mask smoothed along its rows gives, and the bytes of the Pillow way."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from cards.render.core import PixelCanvas
from cards.render.types.striped import _lay, _lay_edges, _sheet_mask

SMOOTH = ImageFilter.BoxBlur((1, 0))


def _picture(size: tuple[int, int], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("ink", [(255, 255, 255), (32, 48, 64), (250, 3, 128)])
def test_its_edges_are_pillows_paste_through_the_smoothed_mask(seed: int, ink) -> None:
    rng = random.Random(seed)
    w, h = 301, 140
    mask = Image.new("L", (w, h), 255)
    pen = ImageDraw.Draw(mask)
    for _ in range(8):
        x, y = rng.randrange(-20, w), rng.randrange(-20, h)
        pen.polygon(
            [(x, y), (x + rng.randrange(1, 60), y), (x + rng.randrange(-30, 90), y + 80)],
            fill=rng.choice((0, 255)),
        )
    # Lone pixels, one-pixel gaps and the card's edges, where the mask changes at a box's side.
    pixels = mask.load()
    for _ in range(300):
        pixels[rng.randrange(w), rng.randrange(h)] = rng.choice((0, 255))
    for y in range(h):
        pixels[0, y] = pixels[w - 1, y] = 0 if y % 3 else 255
    # Boxes side by side (touching or not), from the card's left edge to its right one.
    boxes, x = [], 0
    for y0, y1 in ((0, 96), (96, h)):
        x = 0
        while x < w:
            right = min(w, x + rng.randrange(1, 70))
            if rng.random() < 0.8:
                boxes.append((x, y0, right, y1))
            x = right + rng.choice((0, 0, 1, 5))

    picture = _picture((w, h), seed)
    expected = Image.fromarray(picture)
    smoothed = mask.filter(SMOOTH)
    for box in boxes:
        expected.paste(ink, box, smoothed.crop(box))
    bgr = np.ascontiguousarray(picture[..., ::-1])
    _lay_edges(bgr, np.asarray(mask), boxes, ink)
    assert np.array_equal(bgr[..., ::-1], np.asarray(expected))


def _stripes(w: int, h: int, seed: int) -> list:
    """Slanted stripes as striped draws them, some with a cut painted back over, some reaching
    the card's edges."""
    rng = random.Random(seed)
    shapes, x = [], rng.choice((0.0, 3.5))
    slope = rng.uniform(-0.3, 0.3)
    while x < w:
        width = rng.uniform(1, 90)
        top, bottom = rng.uniform(-10, 60), rng.uniform(h - 60, h + 10)

        def at(left: float, right: float, y0: float, y1: float) -> list:
            return [
                (left + (h - y0) * slope, y0),
                (right + (h - y0) * slope, y0),
                (right + (h - y1) * slope, y1),
                (left + (h - y1) * slope, y1),
            ]

        cut = None
        if rng.random() < 0.3:
            edge = rng.uniform(top + 60, bottom)
            cut = at(x - 1, x + width + 1, edge, bottom + 1)
        shapes.append((at(x, x + width, top, bottom), cut))
        x += width + rng.choice((0.0, 1.0, 8.0))
    return shapes


@pytest.mark.parametrize("seed", range(8))
def test_its_sheet_on_an_array_is_the_one_on_a_pillow_card(seed: int) -> None:
    w, h = 640, 300
    shapes = _stripes(w, h, seed)
    ink = (255, 255, 255) if seed % 2 else (20, 40, 60)
    picture = _picture((w, h), seed)

    def masked(canvas):
        mask, array = _sheet_mask(canvas)
        pen = ImageDraw.Draw(mask)
        for stripe, cut in shapes:
            pen.polygon(stripe, fill=0)
            if cut:
                pen.polygon(cut, fill=255)
        return mask, array

    card = Image.fromarray(picture)
    mask, _ = masked(card)
    _lay(card, mask, shapes, ink)
    for shared in (True, False):
        canvas = PixelCanvas(np.ascontiguousarray(picture[..., ::-1]))
        mask, array = masked(canvas)
        assert array is not None  # the mask is drawn on the array _lay reads
        # Without the array, _lay reads the mask's pixels itself.
        _lay(canvas, mask, shapes, ink, array if shared else None)
        canvas.flush()
        assert np.array_equal(canvas.pixels[..., ::-1], np.asarray(card))
