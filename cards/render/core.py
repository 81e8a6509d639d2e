"""render(): a CardSpec in, a JPEG out."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from functools import partial
from typing import Any, cast

from PIL import Image

from . import effects, scale, source, types
from .layout import RGB
from .spec import CardSpec, RenderError, RenderResult, Style
from .types.base import MISSING_INPUT, Card, CardType, parse_color

# Pillow hands the memory of every big image back to the system and faults it in again for the
# next one; for card-sized images that costs about as much as scaling them. Let it keep a few
# 16 MB blocks for reuse (unless the environment already decided).
if "PILLOW_BLOCKS_MAX" not in os.environ and Image.core.get_blocks_max() < 8:
    Image.core.set_blocks_max(8)


def render(spec: CardSpec) -> RenderResult:
    card_type = types.get(spec.card_type)
    style = Style.parse(spec.style)
    picture = _picture(spec, card_type, style)
    card = Card(spec, card_type)  # checks fonts and options before any pixel is decoded
    data: bytes
    image: Image.Image | Callable[[], Image.Image]
    if (
        card_type.pixels
        and not style.grayscale
        and (picture is not None or not card_type.fills_canvas)
    ):
        if picture is not None:
            pixels = compose_pixels(card, *picture, style)
        else:
            pixels = plain_pixels(card)
        data = scale.encode_pixels(pixels, spec.quality)
        image = partial(_rgb_image, pixels)
    else:
        canvas = plain(card, style) if picture is None else compose(card, *picture, style)
        data, image = encode(canvas, spec.quality), canvas
    warnings = list(card.warnings)
    if card.missing:
        chars = "".join(sorted(card.missing))
        warnings.append(f"no bundled font can draw {chars!r}; left out")
    return RenderResult(data, image, card.boxes, warnings)


def _picture(spec: CardSpec, card_type: CardType, style: Style) -> tuple[str, str] | None:
    """The picture that covers the canvas (path, what it is), or None for a plain background.
    Raises RenderError naming the input the card cannot do without."""
    for name in card_type.needs:
        if not getattr(spec, name):
            raise RenderError(MISSING_INPUT[name])
    if style.art and not spec.art:
        raise RenderError(
            f"style {spec.style!r} needs the series' background art, and there is none"
        )
    if card_type.still == "required" and not spec.source and not style.art:
        raise RenderError(
            "no still for this episode: wait for Plex to have one, or choose a card type that "
            f"needs none ({', '.join(types.without_still())})"
        )
    if not card_type.fills_canvas:
        return None
    if style.art:
        return str(spec.art), "art image"
    if spec.source and card_type.still != "unused":
        return spec.source, "source image"
    return None


def compose(card: Card, path: str, what: str, style: Style) -> Image.Image:
    """The finished card as an RGB image.

    The picture is worked on at the smallest resolution that loses nothing: a blurred card is
    decoded, coloured, blurred and shaded at 1/10 of its size and scaled up once; a sharp card
    from a smaller still is coloured and shaded before it is scaled up. Text and other sharp
    details are drawn last, at full size.
    """
    size = (card.width, card.height)
    if style.blur:
        radius = card.blur_radius
        factor = max(1.0, radius / effects.SMALL_RADIUS)
        small = (max(1, round(card.width / factor)), max(1, round(card.height / factor)))
        image = source.load_cover(path, small, draft=1.0, what=what)
    else:
        image = source.load_cover(path, size, what=what)
    image = card.type.adjust(card, image)
    if style.grayscale:
        image = effects.grayscale(image)
    if style.blur:
        image = effects.blur_small(image, radius * image.width / card.width)
        card.state["blurred"] = True
    image = card.type.backdrop(card, image)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # A blurred card gets its grain against banding while it is scaled up (the same noise in R,
    # G and B, so it may go in before a grey picture becomes RGB).
    grain = effects.grain(size, image.mode) if style.blur else None
    image = scale.upscale(image, size, smooth=style.blur, grain=grain)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return _finish(card, image, style)


def compose_pixels(card: Card, path: str, what: str, style: Style) -> Any:
    """compose() for a type drawn on an array (CardType.pixels), as BGR pixels, the order
    OpenCV decodes and encodes in: the picture is never handed over to Pillow and back, nor
    its channels swapped (what the same card costs through Pillow: bench/README.md). The same
    steps at the same resolutions as compose(), and the same pixels."""
    size = (card.width, card.height)
    grain = None
    if style.blur:
        radius = card.blur_radius
        factor = max(1.0, radius / effects.SMALL_RADIUS)
        small = (max(1, round(card.width / factor)), max(1, round(card.height / factor)))
        # Decoded at 1/8 and blurred by Pillow and OpenCV: a few thousand pixels.
        image = source.load_cover(path, small, draft=1.0, what=what)
        image = card.type.adjust(card, image)
        image = effects.blur_small(image, radius * image.width / card.width)
        card.state["blurred"] = True
        pixels = scale.swap_rb(scale.pixels_of(image))
        grain = effects.grain(size, "RGB")  # the same noise in every channel
    else:
        pixels = source.load_cover_pixels(path, size, what=what)
    card.type.backdrop_pixels(card, pixels)
    pixels = scale.upscale_pixels(pixels, size, smooth=style.blur, grain=grain)
    canvas = PixelCanvas(pixels)
    card.type.decorate(card, cast(Image.Image, canvas))
    canvas.flush()
    return pixels


def plain_pixels(card: Card) -> Any:
    """plain() for a type drawn on an array whose card starts plain (fills_canvas False: it
    places its pictures itself), as BGR pixels: the background colour, backdrop_pixels() on
    the card-sized array, then decorate() on a PixelCanvas; the same pixels as plain()'s."""
    import numpy as np

    color = _background(card)
    pixels = np.zeros((card.height, card.width, 3), np.uint8)  # fresh zeroed pages: cheap
    if any(color):
        pixels[...] = (color[2], color[1], color[0])
    card.type.backdrop_pixels(card, pixels)
    canvas = PixelCanvas(pixels)
    card.type.decorate(card, cast(Image.Image, canvas))
    canvas.flush()
    return pixels


class PixelCanvas:
    """What decorate() of a type drawn on an array paints on: the card's BGR pixels, taking
    colour through a mask as Image.paste(colour, box, mask) does, a picture as
    Image.paste(picture, box, mask), filled rectangles as ImageDraw does (rectangle()) and a box
    through a table of levels (point()); effects.star_field and effects.glow draw on it too.
    The pastes are kept until flush(), then done by Pillow (its blend: the pixels of a paste
    on the card, the colour in the array's order) on one patch per group of boxes that touch:
    a line's stroke and fill, its pieces side by side. Each patch is copied out of the array
    and back once, however many pastes it takes; boxes apart never share a pixel, so their
    order does not matter. Whatever else draws flushes first, so the order of asking holds."""

    mode = "RGB"
    # Boxes nearer than this are worked on in one patch: a word gap costs less to copy than
    # a patch's overhead.
    NEAR = 64

    def __init__(self, pixels: Any) -> None:
        self.pixels = pixels
        self.height, self.width = pixels.shape[:2]
        self.size = (self.width, self.height)
        self._pastes: list[
            tuple[tuple[int, ...] | Image.Image, tuple[int, int, int, int], Image.Image | None]
        ] = []

    def paste(
        self,
        source: tuple[int, ...] | Image.Image,
        box: tuple[int, int] | tuple[int, int, int, int],
        mask: Image.Image | None = None,
    ) -> None:
        """Image.paste(source, box, mask): a colour through a mask, or an "RGB"/"RGBA" picture
        (through a mask, or its own alpha given as the mask); `box` its top-left or its box."""
        if isinstance(source, Image.Image):
            size = source.size
            if source.mode not in ("RGB", "RGBA"):
                raise ValueError(f"cannot paste a {source.mode!r} picture on the card")
            # Pillow blends every channel alike: the picture's red and blue swap places, as the
            # card's have, and the paste lands the same.
            bands = "BGR" + source.mode[3:]
            source = Image.merge(source.mode, [source.getchannel(c) for c in bands])
            if mask is not None and mask.mode == "RGBA":
                mask = mask.getchannel("A")
        elif mask is not None:
            size = mask.size
            source = (source[2], source[1], source[0])
        else:
            raise ValueError("a colour is pasted through a mask")
        corner = len(box) == 2
        if len(box) == 2:
            box = (box[0], box[1], box[0] + size[0], box[1] + size[1])
        left, top, right, bottom = box
        if (right - left, bottom - top) != size:
            raise ValueError("a paste's box must be its mask's (or picture's) size")
        if left < 0 or top < 0 or right > self.width or bottom > self.height:
            if not corner:
                raise ValueError("a paste's box must lie on the canvas (cut it first)")
            # Placed by its corner (a shape, a logo): cut to the canvas, as Pillow does.
            cut = (max(0, left), max(0, top), min(self.width, right), min(self.height, bottom))
            if cut[0] >= cut[2] or cut[1] >= cut[3]:
                return
            inner = (cut[0] - left, cut[1] - top, cut[2] - left, cut[3] - top)
            if isinstance(source, Image.Image):
                source = source.crop(inner)
            mask = mask.crop(inner) if mask is not None else None
            left, top, right, bottom = cut
        self._pastes.append((source, (left, top, right, bottom), mask))

    def rectangle(self, box: tuple[int, int, int, int], fill: tuple[int, ...]) -> None:
        """ImageDraw.rectangle(box, fill): the pixels from (x0, y0) to (x1, y1), both ends
        included, in colour. After the pastes asked for before it."""
        x0, y0, x1, y1 = (int(v) for v in box)
        if x1 < x0 or y1 < y0:
            raise ValueError("a rectangle's second corner must not come before its first")
        self.flush()
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(self.width - 1, x1), min(self.height - 1, y1)
        if x0 <= x1 and y0 <= y1:
            # OpenCV's fill: numpy's broadcast of a colour over a wide box took ten times as long.
            color = (int(fill[2]), int(fill[1]), int(fill[0]))
            scale._cv2().rectangle(self.pixels, (x0, y0), (x1, y1), color, thickness=-1)

    def point(self, box: tuple[int, int, int, int], table: list[int]) -> None:
        """The box's pixels mapped through `table` (256 levels, every channel alike), as
        paste(crop(box).point(table), box) does on a Pillow card; cut to the canvas."""
        self.flush()
        left, top = max(0, box[0]), max(0, box[1])
        right, bottom = min(self.width, box[2]), min(self.height, box[3])
        if left < right and top < bottom:
            import numpy as np

            region = self.pixels[top:bottom, left:right]
            region[...] = scale._cv2().LUT(region, np.array(table, np.uint8))

    def flush(self) -> None:
        """Do the pastes kept so far."""
        groups: list[tuple[list[int], list[int]]] = []  # (box, indexes of its pastes)
        for index, (_, box, _) in enumerate(self._pastes):
            union, members = list(box), [index]
            # Merge with every group it comes near, until no group is near the union.
            merged = True
            while merged:
                merged = False
                for group in groups:
                    if _near(group[0], union, self.NEAR):
                        groups.remove(group)
                        union = [
                            min(union[0], group[0][0]),
                            min(union[1], group[0][1]),
                            max(union[2], group[0][2]),
                            max(union[3], group[0][3]),
                        ]
                        members = group[1] + members
                        merged = True
                        break
            groups.append((union, members))
        for (left, top, right, bottom), members in groups:
            region = self.pixels[top:bottom, left:right]
            with scale.patch(region) as patch:
                for index in sorted(members):  # in the order they were asked for
                    source, box, mask = self._pastes[index]
                    at = (box[0] - left, box[1] - top, box[2] - left, box[3] - top)
                    patch.paste(source, at, mask)
        self._pastes = []


def _near(a: list[int], b: list[int], gap: int) -> bool:
    return a[0] - gap < b[2] and b[0] - gap < a[2] and a[1] - gap < b[3] and b[1] - gap < a[3]


def _rgb_image(pixels: Any) -> Image.Image:
    return scale.image_of(pixels, bgr=True)


def plain(card: Card, style: Style) -> Image.Image:
    """A card without a covering picture: the type's background colour, then its drawing."""
    image = Image.new("RGB", (card.width, card.height), _background(card))
    image = card.type.backdrop(card, image)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return _finish(card, image, style)


def _background(card: Card) -> RGB:
    chosen = card.options.get("background") or card.type.background
    # An option comes parsed (RGB); the class default is a colour name.
    color = parse_color(chosen, "background colour") if isinstance(chosen, str) else chosen
    return cast(RGB, color)


def _finish(card: Card, image: Image.Image, style: Style) -> Image.Image:
    card.type.decorate(card, image)
    image = card.type.finish(card, image)
    if style.grayscale:
        # The picture went grey before scaling (cheap, one channel), but a type draws its text and
        # frames in colour (star_wars' gold, a custom font colour): a grayscale card has none.
        image = image.convert("L").convert("RGB")
    return image


def encode(image: Image.Image, quality: int, subsampling: int = 0) -> bytes:
    """JPEG bytes; 4:4:4 chroma by default, so coloured text edges stay crisp."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, subsampling=subsampling)
    return buffer.getvalue()


def reencode(data: bytes, max_bytes: int) -> bytes:
    """A copy of a card that is at most max_bytes long: lower quality first, then 4:2:0 chroma,
    then smaller. RenderError when even the smallest attempt is too big."""
    if max_bytes <= 0:
        raise RenderError(f"cannot make a card of at most {max_bytes} bytes")
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise RenderError("cannot re-encode the card: it is not a readable image") from None
    attempts = [(1.0, 0), (1.0, 2), (0.75, 2), (0.5, 2)]
    for factor, subsampling in attempts:
        scaled = image
        if factor != 1.0:
            scaled = image.resize(
                (max(1, round(image.width * factor)), max(1, round(image.height * factor))),
                Image.Resampling.BILINEAR,
                reducing_gap=2.0,
            )
        best = _best_quality(scaled, subsampling, max_bytes)
        if best is not None:
            return best
    raise RenderError(f"cannot make the card smaller than {max_bytes} bytes")


def _best_quality(image: Image.Image, subsampling: int, max_bytes: int) -> bytes | None:
    """The highest quality in 30-90 whose file fits (binary search: about six encodes)."""
    low, high, best = 30, 90, None
    while low <= high:
        quality = (low + high) // 2
        data = encode(image, quality, subsampling)
        if len(data) <= max_bytes:
            best, low = data, quality + 1
        else:
            high = quality - 1
    return best
