"""What decorate() of a card drawn on an array does besides pasting colour (rectangles, pictures,
stars, soft shadows) gives the pixels the same drawing gives on a Pillow card."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from cards.render import effects
from cards.render.core import PixelCanvas


def _pair(seed: int = 3) -> tuple[Image.Image, PixelCanvas]:
    rgb = np.random.default_rng(seed).integers(0, 256, (240, 400, 3), dtype=np.uint8)
    return Image.fromarray(rgb), PixelCanvas(np.ascontiguousarray(rgb[..., ::-1]))


def _same(card: Image.Image, canvas: PixelCanvas) -> bool:
    canvas.flush()
    return np.array_equal(canvas.pixels[..., ::-1], np.asarray(card))


def test_its_rectangles_match_imagedraws_in_order_with_its_pastes() -> None:
    card, canvas = _pair()
    mask = Image.new("L", (80, 40), 0)
    ImageDraw.Draw(mask).ellipse((5, 5, 75, 35), fill=200)
    # A paste, a rectangle over part of it, a paste over the rectangle; one off the edge.
    card.paste((250, 10, 10), (10, 10, 90, 50), mask)
    canvas.paste((250, 10, 10), (10, 10, 90, 50), mask)
    for box, color in (((40, 20, 120, 70), (10, 200, 30)), ((350, 200, 420, 260), (1, 2, 3))):
        ImageDraw.Draw(card).rectangle(box, fill=color)
        effects.rectangle(canvas, box, color)
    card.paste((0, 0, 255), (60, 30, 140, 70), mask)
    canvas.paste((0, 0, 255), (60, 30, 140, 70), mask)
    assert _same(card, canvas)


def test_it_refuses_a_rectangle_whose_corners_are_swapped() -> None:
    _, canvas = _pair()
    with pytest.raises(ValueError):
        canvas.rectangle((50, 10, 40, 20), (255, 255, 255))


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_its_picture_pastes_match_pillows(mode: str) -> None:
    card, canvas = _pair()
    rng = np.random.default_rng(11)
    picture = Image.fromarray(rng.integers(0, 256, (50, 70, len(mode)), dtype=np.uint8), mode)
    mask = Image.new("L", picture.size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, 69, 49), fill=180)
    # At a corner (two numbers), through its own alpha as a logo is, through a mask, whole.
    own = picture if mode == "RGBA" else mask
    for target in (card, canvas):
        target.paste(picture, (20, 30), own)
        target.paste(picture, (100, 100, 170, 150), mask)
        target.paste(picture, (300, 10))
    assert _same(card, canvas)


def test_its_star_field_matches_imagedraws() -> None:
    card, canvas = _pair()
    for target in (card, canvas):
        effects.star_field(target, 380, 40.0, 0.95, 0.9)
    assert _same(card, canvas)


@pytest.mark.parametrize("color", [(0, 0, 0), (200, 120, 30)])
def test_its_soft_shadows_match_a_pillow_cards(color: tuple[int, int, int]) -> None:
    card, canvas = _pair()
    mask = Image.new("L", (200, 120), 0)
    ImageDraw.Draw(mask).rectangle((40, 40, 160, 80), fill=255)
    for target in (card, canvas):
        target.paste((255, 255, 255), (150, 100, 350, 220), mask)  # drawn before the shadow
        effects.glow(target, mask, 250, 140, color, 0.8, 12.0, 4, 6)  # runs off the right edge
    assert _same(card, canvas)


def test_its_tables_of_levels_match_pillows_point() -> None:
    card, canvas = _pair()
    table = [round(v * 0.8) for v in range(256)]
    mask = Image.new("L", (60, 30), 255)
    card.paste((255, 0, 0), (300, 200, 360, 230), mask)  # asked for before: darkened too
    canvas.paste((255, 0, 0), (300, 200, 360, 230), mask)
    box = (250, 150, 450, 300)  # runs off the right and bottom edges
    card.paste(card.crop(box).point(table * 3), box)
    canvas.point(box, table)
    assert _same(card, canvas)
