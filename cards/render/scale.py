"""Pixel work done by OpenCV: scaling the picture up to the card, and shading it.

Both are the largest costs of a card that Pillow cannot make cheaper: its resize and its masked
paste work one pixel at a time, and scaling a still up to the card cost more than the JPEG
encode and all the text together. OpenCV's vectorised resize does the same interpolation (pixel
centres aligned, edges repeated) several times faster, handing the pixels over and back
included (bench/README.md, "Rendering"). Pictures go in and come out as Pillow images, so
nothing else in the renderer sees numpy.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from PIL import Image


@cache
def _cv2() -> Any:
    # Imported on first use: web processes and management commands never scale a picture, and
    # OpenCV with numpy adds about 0.17 s to a process's start.
    import cv2

    # One thread. A worker renders one card per process with a process per core, and the
    # benchmark measures one core: OpenCV's own pool would only compete with its neighbours.
    cv2.setNumThreads(1)
    return cv2


def upscale(image: Image.Image, size: tuple[int, int], smooth: bool = False) -> Image.Image:
    """The picture scaled up to `size`: bilinear, or bicubic when `smooth` (a blurred picture
    scaled up tenfold would show the facets of bilinear interpolation). Shrinking in either
    direction goes to Pillow, whose filters average every source pixel (OpenCV's bilinear would
    skip some and alias)."""
    if image.size == size:
        return image
    if size[0] < image.width or size[1] < image.height or image.mode not in ("RGB", "L"):
        filter_ = Image.Resampling.BICUBIC if smooth else Image.Resampling.BILINEAR
        return image.resize(size, filter_)
    cv2 = _cv2()
    interpolation = cv2.INTER_CUBIC if smooth else cv2.INTER_LINEAR
    return Image.fromarray(cv2.resize(_pixels(image), size, interpolation=interpolation))


def shade(image: Image.Image, box: tuple[int, int, int, int], layers: tuple[Any, Any]) -> None:
    """Shade the box of the picture in place with `layers` (from shade_layers): what
    `image.paste(color, box, mask)` does, at a third of the cost."""
    keep, ink = layers
    cv2 = _cv2()
    region = _pixels(image.crop(box))
    shaded = cv2.add(cv2.multiply(region, keep, scale=1 / 255), ink)
    image.paste(Image.fromarray(shaded), box[:2])


def shade_layers(mask: Image.Image, color: tuple[int, ...], mode: str) -> tuple[Any, Any]:
    """For laying `color` over a picture of `mode` through `mask` (0 = untouched, 255 = all
    colour): what is kept of the picture (255 - mask) and what the colour adds
    (colour x mask / 255). Worth caching: they depend only on the mask and the colour."""
    import numpy as np

    alpha = _pixels(mask).astype(np.uint16)
    keep = (255 - alpha).astype(np.uint8)
    if mode == "L":
        return keep, ((alpha * color[0] + 127) // 255).astype(np.uint8)
    ink = np.stack([(alpha * c + 127) // 255 for c in color[:3]], axis=-1).astype(np.uint8)
    return np.repeat(keep[..., None], 3, axis=-1), ink


def _pixels(image: Image.Image) -> Any:
    import numpy as np

    return np.asarray(image)
