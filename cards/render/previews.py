"""A small card in each style, rendered from the bundled sample still (samples.py): the pictures
beside the style choices on the Plex connection's form. Rendered once per process, on first
request."""

from __future__ import annotations

import random
import tempfile
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw

from .core import render
from .samples import landscape
from .spec import STYLES, CardSpec

# Twice the size the form shows them at: sharp on a high-density screen.
WIDTH, HEIGHT = 320, 180


def sample_still(seed: int = 3, tower: float = 0.22) -> Image.Image:
    """The sample landscape with sharp things on it (stars, a lighthouse on the hill): the
    landscape alone is soft, and a small card of it looks the same blurred or not."""
    image = landscape(2 * WIDTH, 2 * HEIGHT, seed=seed)
    w, h = image.size
    pen = ImageDraw.Draw(image)
    rng = random.Random(seed)
    for _ in range(80):
        x, y, r = rng.uniform(0, w), rng.uniform(0, 0.4 * h), rng.choice((0.7, 1.0, 1.5))
        pen.ellipse((x - r, y - r, x + r, y + r), fill=(255, 250, 235))
    # A white tower with a red band and a lit lamp, standing on the ridge.
    x, top, base, half = tower * w, 0.26 * h, 0.52 * h, 0.014 * w
    pen.polygon(
        [(x - half, base), (x - 0.7 * half, top), (x + 0.7 * half, top), (x + half, base)],
        fill=(236, 236, 230),
    )
    pen.rectangle(
        (x - 0.8 * half, top + 0.3 * (base - top), x + 0.8 * half, top + 0.45 * (base - top)),
        fill=(190, 40, 40),
    )
    pen.ellipse((x - half, top - 2 * half, x + half, top), fill=(255, 226, 140))
    return image


@lru_cache(maxsize=1)
def style_previews() -> dict[str, bytes]:
    """JPEG bytes of a sample card (standard type) in every style, by style name."""
    with tempfile.TemporaryDirectory(prefix="tcm-previews-") as folder:
        still, art = Path(folder) / "still.jpg", Path(folder) / "art.jpg"
        # The art styles draw on the series' background art: another picture, so that the
        # difference shows.
        sample_still().save(still, quality=90)
        sample_still(seed=11, tower=0.8).save(art, quality=90)
        return {
            style: render(
                CardSpec(
                    source=str(still),
                    art=str(art),
                    title="The Lighthouse",
                    season_number=1,
                    episode_number=3,
                    style=style,
                    width=WIDTH,
                    height=HEIGHT,
                    quality=85,
                )
            ).data
            for style in STYLES
        }
