"""Reading the picture a card is drawn on: robustly, and no bigger than needed.

Every way a file can be bad (missing, empty, not an image, truncated, corrupt, absurdly large)
ends in a RenderError naming the file; nothing hangs or allocates gigabytes. JPEG sources are
decoded at reduced size (libjpeg's DCT scaling, via Image.draft) when the picture has more pixels
than the card needs, but never below the card's size: a picture larger than the card is scaled
down to it, never decoded small and scaled back up (which loses a 4K still's detail).
"""

from __future__ import annotations

import math
import struct
import tempfile
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from . import scale
from .spec import RenderError

# Larger sources are refused before decoding. An 8K frame is 33 megapixels; a decompression
# bomb (say 20000x20000 declared in a few bytes) would need gigabytes.
MAX_PIXELS = 50_000_000

# The smallest fraction of the card's size a JPEG may be decoded at. 1.0: a 4K still is decoded
# whole for a 3200x1800 card (the DCT's halving would give 1920x1080, which would have to be
# scaled up) and scaled down. Decoding at 1920x1080 and scaling up was cheaper by about 25 ms,
# and visibly softer at full size: SSIM 0.82 against a full-resolution reference on a 200 % crop
# of a detailed still, 0.98 now (bench/quality.py).
SHARP_DRAFT = 1.0

_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,
    IndexError,
    TypeError,
    MemoryError,
    Image.DecompressionBombError,
)


def open_image(path: str, what: str = "image") -> Image.Image:
    """Open lazily (header only) and check it before any pixel is decoded."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise RenderError(f"{what} not found: {path}") from None
    except OSError as exc:
        raise RenderError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if not p.is_file():
        raise RenderError(f"{what} is not a file: {path}")
    if size == 0:
        raise RenderError(f"{what} is an empty file (0 bytes): {path}")
    try:
        image = Image.open(p)
    except UnidentifiedImageError:
        raise RenderError(f"{what} is not an image (unknown format): {path}") from None
    except Image.DecompressionBombError:
        raise RenderError(
            f"{what} is too large (over {MAX_PIXELS // 10**6} megapixels): {path}"
        ) from None
    except _DECODE_ERRORS as exc:
        raise RenderError(f"cannot read {what} {path}: {_reason(exc)}") from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise RenderError(
            f"{what} is too large: {width}x{height} is over the "
            f"{MAX_PIXELS // 10**6}-megapixel limit: {path}"
        )
    if width < 1 or height < 1:
        image.close()
        raise RenderError(f"{what} has no pixels: {path}")
    return image


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _cover_box(size: tuple[int, int], target: tuple[int, int]) -> tuple[float, float, float, float]:
    """The centred part of an image of `size` with the target's aspect ratio."""
    width, height = size
    scale = max(target[0] / width, target[1] / height)
    crop_w, crop_h = target[0] / scale, target[1] / scale
    left, top = (width - crop_w) / 2, (height - crop_h) / 2
    return (left, top, left + crop_w, top + crop_h)


def load_cover(
    path: str, target: tuple[int, int], draft: float = SHARP_DRAFT, what: str = "image"
) -> Image.Image:
    """The picture scaled to cover `target` (centre crop), as RGB.

    When the picture is smaller than the target it comes back at its own resolution (cropped to
    the target's aspect), so colour work happens on fewer pixels before the caller scales up.
    `draft` is the smallest fraction of the target size a JPEG may be decoded at.
    """
    cover = _load_cover(path, target, draft, what, bgr=False)
    return cover if isinstance(cover, Image.Image) else Image.fromarray(cover)


def load_cover_pixels(
    path: str, target: tuple[int, int], draft: float = SHARP_DRAFT, what: str = "image"
) -> Any:
    """load_cover() as an array of BGR pixels (height x width x 3), the order OpenCV decodes
    and encodes in: for the cards drawn on an array (core.compose_pixels). A colour JPEG
    decoded whole goes to OpenCV straight into the array, whatever its size."""
    import numpy as np

    cover = _load_cover(path, target, draft, what, bgr=True)
    if not isinstance(cover, Image.Image):
        return cover
    return scale.swap_rb(np.asarray(cover))


def _load_cover(
    path: str, target: tuple[int, int], draft: float, what: str, bgr: bool
) -> Image.Image | Any:
    """load_cover(); with `bgr`, an array of BGR pixels where OpenCV decoded the file, else a
    Pillow image (RGB)."""
    opened = image = open_image(path, what)
    try:
        box = _cover_box(image.size, target)
        if image.format == "JPEG":
            # draft() picks the largest DCT reduction keeping the whole image at least this
            # big, so the cropped part stays >= draft x target.
            crop_w, crop_h = box[2] - box[0], box[3] - box[1]
            want = (
                math.ceil(target[0] * draft * image.width / crop_w),
                math.ceil(target[1] * draft * image.height / crop_h),
            )
            before = image.size
            image.draft("RGB", want)
            if image.size != before:
                box = _cover_box(image.size, target)
            whole = image.size == before
        else:
            whole = False
        turned = image.getexif().get(0x0112, 1) != 1
        if turned:  # EXIF orientation: rare, but honour it
            image = ImageOps.exif_transpose(image)
            box = _cover_box(image.size, target)
        crop = (round(box[0]), round(box[1]), round(box[2]), round(box[3]))
        larger = box[2] - box[0] > target[0]
        pixels = None
        if whole and not turned and image.mode == "RGB" and (larger or bgr):
            pixels = scale.decode_jpeg(path, image.size, bgr=bgr)
        if pixels is not None:
            if larger:
                pixels = scale.resize_pixels(pixels, crop, target)
            elif crop != (0, 0, image.width, image.height):
                # Contiguous: the colour work is done in place.
                pixels = scale.contiguous(pixels[crop[1] : crop[3], crop[0] : crop[2]])
            opened.close()
            return pixels if bgr else scale.image_of(pixels)
        if larger:
            image = scale.downscale(_to_rgb(image), crop, target)
        elif crop != (0, 0, image.width, image.height):
            image = _to_rgb(image).crop(crop)
        else:
            image = _to_rgb(image)
            image.load()  # the whole picture as it is (Pillow closes the file once loaded)
        return image
    except _DECODE_ERRORS as exc:
        opened.close()
        raise RenderError(f"cannot decode {what} {path}: {_reason(exc)}") from None
    finally:
        if image is not opened:
            opened.close()


def load_fitted(
    path: str, box: tuple[int, int], what: str = "image", *, grow: bool = False
) -> Image.Image:
    """The picture scaled to fit inside box (aspect kept), as RGBA (logos keep their
    transparency). Smaller pictures stay as they are unless `grow` scales them up to the box.

    The last few results are kept: a series' logo is fitted the same way for every episode, and
    scaling an RGBA logo up to a card's width costs 20-25 ms. The file's modification time and
    size (and inode) are part of the key, so a replaced logo is read again; callers get their
    own copy."""
    try:
        stat = Path(path).stat()
    except OSError:
        return _load_fitted(path, box, what, grow)  # open_image says what is wrong
    key = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
    return _fitted(key, tuple(box), what, grow).copy()


@lru_cache(maxsize=4)
def _fitted(
    key: tuple[str, int, int, int, int], box: tuple[int, int], what: str, grow: bool
) -> Image.Image:
    return _load_fitted(key[0], box, what, grow)


def _load_fitted(path: str, box: tuple[int, int], what: str, grow: bool) -> Image.Image:
    image = open_image(path, what)
    try:
        with image:
            if image.format == "JPEG":
                image.draft("RGB", box)
            if image.getexif().get(0x0112, 1) != 1:
                image = ImageOps.exif_transpose(image)
            scale = min(box[0] / image.width, box[1] / image.height)
            if scale < 1 or grow:
                size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
                rgba = image.convert("RGBA")
                # RGBA first: Pillow scales it premultiplied, so hidden colour never bleeds in.
                return rgba.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            return image.convert("RGBA")
    except _DECODE_ERRORS as exc:
        raise RenderError(f"cannot decode {what} {path}: {_reason(exc)}") from None


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent parts become black, like a still with letterboxing.
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (0, 0, 0))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return image.convert("I").point(lambda v: v / 256).convert("L").convert("RGB")
    return image.convert("RGB")


def check_image_data(data: bytes, name: str, what: str = "image") -> None:
    """Whether the renderer can draw with these bytes (an upload not saved yet): read the way
    a card reads its pictures, every pixel decoded. Raises RenderError naming the file."""
    suffix = Path(name).suffix.lower() or ".img"
    with tempfile.NamedTemporaryFile(suffix=suffix) as fh:
        fh.write(data)
        fh.flush()
        try:
            image = open_image(fh.name, what)
        except RenderError as exc:
            # The message names the temporary file; the person knows the file by its name.
            raise RenderError(str(exc).replace(fh.name, f"“{name}”")) from None
        try:
            with image:
                image.load()
        except _DECODE_ERRORS as exc:
            raise RenderError(f"cannot decode {what} “{name}”: {_reason(exc)}") from None
