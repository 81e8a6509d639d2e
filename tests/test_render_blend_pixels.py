"""effects.blend_pixels lays a colour on an array through a mask with the pixels Pillow's
Image.paste(colour, box, mask) gives, and scale.rotate_pixels turns an array as scale.rotate
turns a picture: the card types that draw on an array keep their bytes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from cards.render import effects, scale

# Every (level, alpha) pair once: columns are the picture's levels, rows the mask's alphas.
LEVELS = np.tile(np.arange(256, dtype=np.uint8), (256, 1))
ALPHAS = np.ascontiguousarray(LEVELS.T)


def _pillow(pixels: np.ndarray, mask: np.ndarray, at: tuple[int, int], color) -> np.ndarray:
    mode = "L" if pixels.ndim == 2 else "RGB"
    image = Image.fromarray(pixels, mode)
    image.paste(color, at, Image.fromarray(mask, "L"))
    return np.asarray(image)


def test_it_blends_every_colour_level_through_every_alpha_as_pillow_does() -> None:
    # Three levels of the colour a paste, one in each channel: every (colour, level, alpha).
    for first in range(0, 256, 3):
        color = (first, min(255, first + 1), min(255, first + 2))
        pixels = np.repeat(LEVELS[..., None], 3, axis=2)
        expected = _pillow(pixels, ALPHAS, (0, 0), color)
        effects.blend_pixels(pixels, ALPHAS, (0, 0), color)
        assert np.array_equal(pixels, expected), color


def test_it_blends_black_as_pillow_does() -> None:
    pixels = np.repeat(LEVELS[..., None], 3, axis=2)
    expected = _pillow(pixels, ALPHAS, (0, 0), (0, 0, 0))
    effects.blend_pixels(pixels, ALPHAS, (0, 0), (0, 0, 0))
    assert np.array_equal(pixels, expected)


def test_it_blends_white_as_pillow_does() -> None:
    pixels = np.repeat(LEVELS[..., None], 3, axis=2)
    expected = _pillow(pixels, ALPHAS, (0, 0), (255, 255, 255))
    effects.blend_pixels(pixels, ALPHAS, (0, 0), (255, 255, 255))
    assert np.array_equal(pixels, expected)


@pytest.mark.parametrize("color", [(0, 0, 0), (255, 255, 255), (69, 73, 235)])
@pytest.mark.parametrize("opacity", [0.35, 0.95])
def test_it_maps_every_alpha_through_a_table_first(color, opacity: float) -> None:
    pixels = np.repeat(LEVELS[..., None], 3, axis=2)
    faded = np.asarray(Image.fromarray(ALPHAS, "L").point(lambda v: int(v * opacity)))
    expected = _pillow(pixels, faded, (0, 0), color)
    effects.blend_pixels(pixels, ALPHAS, (0, 0), color, effects._opacity_table(opacity))
    assert np.array_equal(pixels, expected)


@pytest.mark.parametrize("level", [0, 1, 128, 254, 255])
def test_it_blends_a_grey_array_as_pillow_blends_an_l_picture(level: int) -> None:
    pixels = LEVELS.copy()
    expected = _pillow(pixels, ALPHAS, (0, 0), level)
    effects.blend_pixels(pixels, ALPHAS, (0, 0), (level,))
    assert np.array_equal(pixels, expected)


@pytest.mark.parametrize("at", [(-40, -25), (350, 180), (-10, 200), (120, 60)])
def test_it_cuts_a_paste_off_the_array_as_pillow_does(at: tuple[int, int]) -> None:
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, (240, 400, 3), dtype=np.uint8)
    mask = rng.integers(0, 256, (90, 130), dtype=np.uint8)
    expected = _pillow(pixels, mask, at, (235, 73, 69))
    effects.blend_pixels(pixels, mask, at, (235, 73, 69))
    assert np.array_equal(pixels, expected)


def test_it_blends_a_card_wide_band_many_rows_at_a_time_as_pillow_does() -> None:
    # Wider and taller than the rows it blends in one go, on a view into a larger card.
    rng = np.random.default_rng(9)
    card = rng.integers(0, 256, (700, 3200, 3), dtype=np.uint8)
    mask = rng.integers(0, 256, (500, 3200), dtype=np.uint8)
    mask[:, :1000] = 0
    mask[:, 2000:] = 153
    expected = _pillow(card, mask, (0, 150), (69, 73, 235))
    effects.blend_pixels(card, mask, (0, 150), (69, 73, 235))
    assert np.array_equal(card, expected)


def test_it_leaves_the_array_alone_when_the_paste_misses_it() -> None:
    pixels = np.full((50, 50, 3), 77, np.uint8)
    effects.blend_pixels(pixels, np.full((10, 10), 255, np.uint8), (60, 5), (1, 2, 3))
    effects.blend_pixels(pixels, np.full((10, 10), 255, np.uint8), (5, -10), (1, 2, 3))
    assert (pixels == 77).all()


@pytest.mark.parametrize("angle", [4.0, -4.0, 30.0, -12.5, 90.0, 0.0])
def test_its_turned_masks_are_scale_rotates(angle: float) -> None:
    rng = np.random.default_rng(2)
    mask = rng.integers(0, 256, (83, 301), dtype=np.uint8)
    turned = scale.rotate_pixels(mask, angle)
    assert np.array_equal(turned, np.asarray(scale.rotate(Image.fromarray(mask), angle)))
    assert scale.rotated_size((301, 83), angle) == (turned.shape[1], turned.shape[0])


@pytest.mark.parametrize("near, far", [(0.0, 625.0), (-2.5, 2.5), (-575.0, 0.0)])
def test_it_blends_a_band_strip_by_strip_as_through_its_whole_mask(near: float, far: float):
    rng = np.random.default_rng(4)
    card = rng.integers(0, 256, (900, 1600, 3), dtype=np.uint8)
    mask = np.asarray(scale.band_mask((1600, 400), 450, (800.0, 700.0), 4.0, near, far, 153))
    tiles = effects.mask_tiles(mask)
    # The tiles hold every pixel the mask does not leave clear.
    covered = np.zeros(mask.shape, bool)
    for left, top, right, bottom in tiles:
        covered[top:bottom, left:right] = True
    assert not mask[~covered].any()
    whole = card.copy()
    effects.blend_pixels(whole, mask, (0, 450), (69, 73, 235))
    effects.blend_tiles(card, mask, (0, 450), (69, 73, 235), tiles)
    assert np.array_equal(card, whole)
