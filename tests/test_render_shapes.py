"""The shapes card types draw besides text: tilted bands, rounded panels, turned boxes. Their
edges are anti-aliased (each pixel covered by how much of it lies inside) and they land where
the numbers say."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from cards.render import effects, scale


def coverage(size, top, origin, angle, near, far) -> np.ndarray:
    """The exact share of each pixel's centre row lying in the band, as 0-255."""
    a = math.radians(angle)
    xs = np.arange(size[0])[None, :] + 0.5 - origin[0]
    ys = np.arange(top, top + size[1])[:, None] + 0.5 - origin[1]
    d = xs * math.sin(a) + ys * math.cos(a)
    return np.clip(d - near + 0.5, 0, 1) * np.clip(far - d + 0.5, 0, 1) * 255


@pytest.mark.parametrize(
    ("angle", "near", "far"), [(4, 0, 625), (4, -2.5, 2.5), (-20, -3.3, 7.1), (0, 10, 11)]
)
def test_a_band_covers_each_pixel_by_how_much_of_it_lies_inside(
    angle: float, near: float, far: float
) -> None:
    args = ((800, 300), 100, (400, 250), angle, near, far)
    ours = np.asarray(scale.band_mask(*args), dtype=np.float64)
    exact = coverage(*args)
    assert np.abs(ours - exact).max() <= 5  # the profile is sampled 32 times a pixel
    assert ours.sum() == pytest.approx(exact.sum(), rel=0.01)


def test_a_slanted_band_paints_its_rows_and_nothing_else() -> None:
    image = Image.new("RGB", (800, 450), (100, 100, 100))
    effects.slanted_band(image, (400, 300), 4, 0, 40, (255, 0, 0), opacity=0.5)
    # Halfway into the band at the middle: half red over grey; well above and below: grey.
    assert image.getpixel((400, 320)) == (178, 50, 50)
    assert image.getpixel((400, 280)) == (100, 100, 100)
    assert image.getpixel((400, 360)) == (100, 100, 100)
    # It rises to the right: 4 degrees over 300 px is 21 px.
    assert image.getpixel((700, 300)) == (178, 50, 50)  # above the line at x=400, inside here
    assert image.getpixel((100, 300)) == (100, 100, 100)


def test_turning_a_mask_matches_pillow() -> None:
    mask = Image.new("L", (600, 120), 0)
    ImageDraw.Draw(mask).rectangle((20, 20, 579, 99), fill=255)
    ours = scale.rotate(mask, 4)
    pillows = mask.rotate(4, Image.Resampling.BILINEAR, expand=True)
    assert abs(ours.width - pillows.width) <= 1 and abs(ours.height - pillows.height) <= 1
    size = (min(ours.width, pillows.width), min(ours.height, pillows.height))
    diff = ImageChops.difference(ours.crop((0, 0, *size)), pillows.crop((0, 0, *size)))
    assert ImageStat.Stat(diff).mean[0] < 2
    assert scale.rotate(mask, 0).tobytes() == mask.tobytes()


def test_a_rounded_mask_has_round_smooth_corners() -> None:
    mask = effects.rounded_mask((400, 200), 40)
    assert mask.size == (400, 200)
    assert mask.getpixel((0, 0)) == 0 and mask.getpixel((399, 199)) == 0
    assert mask.getpixel((200, 0)) == 255 and mask.getpixel((0, 100)) == 255
    assert mask.getpixel((200, 100)) == 255
    # On the curve, partly covered (smoothed), and the four corners alike.
    corner = [mask.getpixel((11, 12)), mask.getpixel((388, 12)), mask.getpixel((11, 187))]
    assert 0 < corner[0] < 255 and len(set(corner)) == 1
    # A radius larger than the panel allows is cut to half its height.
    assert effects.rounded_mask((100, 30), 40).getpixel((50, 0)) == 255
