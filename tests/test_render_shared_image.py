"""A picture handed from OpenCV to Pillow (scale.image_of) is the one Image.fromarray gives, and
Pillow may draw on it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from cards.render import scale


@pytest.mark.parametrize("bgr", [False, True])
def test_it_is_the_picture_fromarray_gives(bgr: bool) -> None:
    rgb = np.random.default_rng(5).integers(0, 256, (90, 161, 3), dtype=np.uint8)
    given = np.ascontiguousarray(rgb[..., ::-1]) if bgr else rgb.copy()
    image = scale.image_of(given, bgr=bgr)
    assert image.mode == "RGB" and image.size == (161, 90)
    assert np.array_equal(np.asarray(image), rgb)
    assert image.tobytes() == Image.fromarray(rgb).tobytes()


def test_drawing_on_it_leaves_the_array_it_came_from_alone() -> None:
    rgb = np.zeros((40, 60, 3), np.uint8)
    image = scale.image_of(rgb)
    ImageDraw.Draw(image).rectangle((10, 10, 30, 20), fill=(200, 100, 50))
    image.paste((1, 2, 3), (0, 0, 5, 5))
    expected = Image.new("RGB", (60, 40))
    ImageDraw.Draw(expected).rectangle((10, 10, 30, 20), fill=(200, 100, 50))
    expected.paste((1, 2, 3), (0, 0, 5, 5))
    assert np.array_equal(np.asarray(image), np.asarray(expected))
    assert not rgb.any()  # the widened copy is Pillow's to draw on, not the caller's array
    assert np.array_equal(np.asarray(image.copy()), np.asarray(expected))
