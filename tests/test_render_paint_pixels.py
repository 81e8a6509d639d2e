"""Painting straight into a card's BGR array (effects.blend_pixels, effects.paste_bytes,
effects.soft_shadow_pixels) gives the pixels Pillow's pastes give on an RGB card, to the byte."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from cards.render import effects, fonts, layout

COLORS = [(0, 0, 0), (255, 255, 255), (220, 20, 60), (12, 200, 7)]
# On the array, half off its left and top edge, off its right and bottom edge.
PLACES = [(30, 20), (-40, -25), (350, 200)]


def _card(seed: int = 5) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (240, 400, 3), dtype=np.uint8)


def _mask(seed: int = 7, size: tuple[int, int] = (90, 60)) -> Image.Image:
    levels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0]), dtype=np.uint8)
    levels[:10] = 0  # and whole rows with no ink, and full ink
    levels[-10:] = 255
    return Image.fromarray(levels)


def _bgr(image: Image.Image) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(image)[..., ::-1])


@pytest.mark.parametrize("color", COLORS)
@pytest.mark.parametrize("place", PLACES)
def test_it_blends_a_colour_as_pillow_pastes_it(
    color: tuple[int, int, int], place: tuple[int, int]
) -> None:
    rgb = _card()
    card, mask = Image.fromarray(rgb), _mask()
    pixels = np.ascontiguousarray(rgb[..., ::-1])
    x, y = place
    box = (max(0, x), max(0, y), min(400, x + mask.width), min(240, y + mask.height))
    card.paste(color, box, mask.crop((box[0] - x, box[1] - y, box[2] - x, box[3] - y)))
    effects.blend_pixels(pixels, np.asarray(mask), (x, y), color[::-1])
    assert np.array_equal(pixels, _bgr(card))


@pytest.mark.parametrize("color", COLORS)
def test_it_maps_the_mask_through_a_table_first(color: tuple[int, int, int]) -> None:
    rgb = _card()
    card, mask = Image.fromarray(rgb), _mask()
    pixels = np.ascontiguousarray(rgb[..., ::-1])
    card.paste(color, (30, 20, 120, 80), mask.point(lambda v: int(v * 0.95)))
    table = effects._opacity_table(0.95)
    effects.blend_pixels(pixels, np.asarray(mask), (30, 20), color[::-1], table)
    assert np.array_equal(pixels, _bgr(card))


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("masked", [True, False])
def test_it_pastes_a_picture_as_bytes_as_pillow_pastes_it(
    mode: str, place: tuple[int, int], masked: bool
) -> None:
    rng = np.random.default_rng(11)
    picture = Image.fromarray(rng.integers(0, 256, (60, 90, len(mode)), dtype=np.uint8), mode)
    mask = _mask() if masked else None
    rgb = _card()
    card = Image.fromarray(rgb)
    pixels = np.ascontiguousarray(rgb[..., ::-1])
    card.paste(picture, place, mask)
    spread = effects.spread_mask(mask) if mask is not None else None
    assert effects.paste_bytes(pixels, effects.as_bytes(picture), *place, spread)
    assert np.array_equal(pixels, _bgr(card))


def test_its_soft_shadows_match_soft_shadows_on_a_pillow_card() -> None:
    style = layout.TextStyle(fonts.bundled("texgyreheros-regular.otf"), 60, (255, 255, 255))
    block = layout.Block.stack([layout.render_line([("Shadow", style)])], 200, 150, 1, "center")
    shadow = ((20, 40, 200), 0.95, 4.0, -6, 6)
    rgb = _card()
    card = Image.fromarray(rgb)
    pixels = np.ascontiguousarray(rgb[..., ::-1])
    effects.soft_shadow(card, block, shadow)
    effects.soft_shadow_pixels(pixels, block, shadow)
    assert np.array_equal(pixels, _bgr(card))
