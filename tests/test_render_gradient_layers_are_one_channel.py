"""A gradient's cached layers are one channel for a grey shade, and shading with them gives
the pixels the three-channel layers give (what they replaced to save a worker's memory)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from cards.render import effects, scale


def _shaded_by_full_layers(
    pixels: np.ndarray, start: int, color: tuple[int, int, int]
) -> np.ndarray:
    cv2 = scale._cv2()
    mask = effects._ramp(pixels.shape[1], pixels.shape[0] - start, 0.85, 1.0, False, False)
    keep, ink = scale.shade_layers(mask, color, "RGB")
    out = pixels.copy()
    region = out[start:]
    cv2.multiply(region, keep, dst=region, scale=1 / 255)
    cv2.add(region, ink, dst=region)
    return out


def test_it_keeps_a_grey_shade_as_one_channel_with_the_same_pixels() -> None:
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, (300, 520, 3), np.uint8)
    expected = _shaded_by_full_layers(pixels, 90, (12, 12, 12))
    effects.bottom_gradient_pixels(pixels, 90, (12, 12, 12), 0.85)
    layers = effects._gradient(520, 210, 0.85, 1.0, False, (12, 12, 12), "RGB")
    assert [layer.ndim for layer in layers] == [2, 2]
    assert np.array_equal(pixels, expected)


def test_it_shades_a_coloured_gradient_and_a_pillow_picture_alike() -> None:
    rng = np.random.default_rng(8)
    pixels = rng.integers(0, 256, (240, 400, 3), np.uint8)
    color = (200, 40, 90)
    expected = _shaded_by_full_layers(pixels, 60, color)
    image = Image.fromarray(pixels)
    effects.bottom_gradient(image, 60, color, 0.85)
    assert np.array_equal(np.asarray(image), expected)
