"""Cards drawn on an array (CardType.pixels): the canvas their text is painted on gives the
pixels a paste on a Pillow card gives, and the card is the one the Pillow way draws."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from PIL import Image, ImageDraw

from cards.render import CardSpec, render
from cards.render.core import PixelCanvas
from cards.render.samples import save_landscape
from cards.render.types import CARD_TYPES


def _mask(size: tuple[int, int], seed: int) -> Image.Image:
    rng = random.Random(seed)
    mask = Image.new("L", size, 0)
    pen = ImageDraw.Draw(mask)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        pen.ellipse((x - 9, y - 7, x + 9, y + 7), fill=rng.randrange(40, 256))
    return mask


def test_its_pastes_match_pillows_on_an_rgb_card() -> None:
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, (300, 500, 3), dtype=np.uint8)
    card = Image.fromarray(rgb)
    canvas = PixelCanvas(np.ascontiguousarray(rgb[..., ::-1]))  # BGR, as OpenCV decodes
    # Overlapping (a stroke, then the fill over it), touching and far apart; in one order.
    pastes = [
        ((200, 30, 10), (20, 40, 220, 120)),
        ((235, 235, 235), (30, 50, 210, 110)),
        ((0, 90, 255), (215, 40, 300, 100)),
        ((12, 12, 12), (380, 200, 499, 299)),
        ((255, 255, 0), (0, 0, 60, 30)),
    ]
    for index, (color, box) in enumerate(pastes):
        mask = _mask((box[2] - box[0], box[3] - box[1]), index)
        card.paste(color, box, mask)
        canvas.paste(color, box, mask)
    canvas.flush()
    assert np.array_equal(canvas.pixels[..., ::-1], np.asarray(card))


def test_it_refuses_a_paste_off_the_canvas() -> None:
    canvas = PixelCanvas(np.zeros((100, 100, 3), np.uint8))
    with pytest.raises(ValueError):
        canvas.paste((255, 255, 255), (90, 90, 110, 110), Image.new("L", (20, 20), 255))


# The types whose decorate() only pastes, fills and shades (and whose picture work is shading).
ON_AN_ARRAY = (
    "anime",
    "banner",
    "calligraphy",
    "comic_book",
    "cutout",
    "divider",
    "fade",
    "formula_one",
    "frame",
    "graph",
    "inset",
    "landscape",
    "marvel",
    "music",
    "notification",
    "overline",
    "shape",
    "standard",
    "star_wars",
    "striped",
    "tinted_frame",
    "tinted_glass",
    "white_border",
)


def test_only_the_type_that_says_so_is_drawn_on_an_array() -> None:
    # logo builds on standard but draws more than text: it keeps Pillow.
    drawn = sorted(name for name, kind in CARD_TYPES.items() if type(kind).pixels)
    assert drawn == sorted(ON_AN_ARRAY)


@pytest.mark.parametrize("size", [(640, 360), (1000, 1000), (1920, 1080)])
@pytest.mark.parametrize("style", ["unique", "blur", "art"])
def test_the_card_and_its_jpeg_are_the_same_picture(tmp_path, size, style) -> None:
    still = save_landscape(str(tmp_path / "still.jpg"), *size)
    spec = CardSpec(
        source=still,
        art=still,
        title="The Long Night of the Soul",
        season_number=1,
        episode_number=3,
        style=style,
        width=1600,
        height=900,
    )
    result = render(spec)
    assert result.image.mode == "RGB" and result.image.size == (1600, 900)
    decoded = np.asarray(Image.open(io.BytesIO(result.data)).convert("RGB"), dtype=np.int16)
    # JPEG q95 4:4:4 keeps every channel close: a swapped red and blue would be far off.
    difference = np.abs(decoded - np.asarray(result.image, dtype=np.int16))
    assert difference.mean() < 2.0
    assert result.data == render(spec).data
