"""calligraphy: the still under a mottled paper texture, the series logo in the middle with a heavy
soft shadow, "Season One - Episode Three" in a brush script above it and the title below, its two
lines set off against each other like a signature."""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageFilter, ImageStat

from .. import effects, fonts, layout, scale
from ..layout import Block
from .base import Card, CardType, Option, draw_soft_shadowed

SCRIPT = fonts.bundled("KaushanScript-Regular.otf")


class Calligraphy(CardType):
    name = "calligraphy"
    label = "Calligraphy"
    rank = 14
    uses = ("logo",)
    pixels = True  # a paper multiplied in, a logo layer and text pasted over the still
    # The blur styles blur lightly (the paper and the logo carry the card) unless
    # deep_blur_if_unwatched, on by default, asks for the usual deep blur.
    blur_radius = 10
    deep_blur = effects.BLUR_RADIUS

    title_font = SCRIPT
    title_size = 160
    title_color = "white"
    title_kerning = 1
    title_line_spacing = -60
    title_case = "source"
    title_max_lines = 2
    title_max_width = 1500  # about 20 letters: longer titles take two lines
    title_middle = 600  # the title's middle, below the canvas centre
    title_shadow = ((0, 0, 0), 0.95, 2, 0, 17)  # colour, opacity, blur, dx, dy (reference px)
    # Two lines of about the same length are set off: the first moves left by half of 3 to 10
    # spaces (about as many as the second line has letters), the second right by half of 7.
    stagger_first = (3, 10)
    stagger_second = 7
    stagger_limit = 1.5  # no stagger when the second line is this much longer than the first

    season_format = "Season {season_number:Cardinal}"
    episode_format = "Episode {episode_number:Cardinal}"
    episode_case = "source"
    episode_size = 80
    episode_shadow = ((0, 0, 0), 0.95, 2, 0, 12)
    episode_gap = 80  # between the episode line's baseline and the logo's top
    episode_top = 235  # its baseline when there is no logo

    logo_box = (2800, 725)  # the logo is fitted into this box, centred on the canvas
    logo_shadow = ((0, 0, 0), 0.95, 10, 0, 35)

    # The paper is multiplied over the picture. The reference scales its texture to a random
    # height between 1 and 2 card heights; here it is drawn for the episode (Card.random).
    texture_zoom = (1.0, 2.0)

    options = {
        "logo_size": Option("number", 1.0, "scale of the logo", minimum=0.1, maximum=2),
        "add_texture": Option("bool", True, "lay the paper texture over the picture"),
        "randomize_texture": Option(
            "bool", True, "zoom the texture by a different amount for every episode"
        ),
        "deep_blur_if_unwatched": Option(
            "bool",
            True,
            "blur styles blur as deep as on other types (60 px); off: a light 10 px blur",
        ),
        "episode_text_color": Option("color", None, "colour of the episode line (white)"),
        "episode_text_font_size": Option(
            "number", 1.0, "scale of the episode line's size", minimum=0.2, maximum=3
        ),
        "offset_titles": Option("bool", True, "set a two-line title's lines off each other"),
        "separator": Option("text", "-", "between the season and the episode part"),
        "shadow_color": Option("color", None, "colour of the shadows (black)"),
    }

    def style_blur(self, card: Card) -> float:
        return self.deep_blur if card.option("deep_blur_if_unwatched") else self.blur_radius

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        zoom = self.zoom(card)
        if zoom is None:
            return image
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        # On the array by OpenCV, with the paper's layer cached per size and zoom: Pillow's
        # multiply (and merging the paper into RGB) took about 35 ms for a full-size picture.
        return scale.multiply(image, _paper_layer(image.size, round(zoom, 2), image.mode))

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        zoom = self.zoom(card)
        if zoom is None:
            return
        # The paper is grey, every channel alike: multiplied into BGR as into RGB.
        size = (pixels.shape[1], pixels.shape[0])
        layer = _paper_layer(size, round(zoom, 2), "RGB")
        pixels[...] = scale._cv2().multiply(pixels, layer, scale=1 / 255)

    def zoom(self, card: Card) -> float | None:
        """How far the paper is magnified on this card, or None for no paper."""
        if not card.option("add_texture"):
            return None
        low, high = self.texture_zoom
        return (
            card.random("texture").uniform(low, high) if card.option("randomize_texture") else low
        )

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        logo_top = self.logo(card, canvas)
        self.draw(card, canvas, self.episode_line(card, logo_top), self.episode_shadow)
        self.draw(card, canvas, self.title(card), self.title_shadow)

    def draw(self, card: Card, canvas: Image.Image, block: Block | None, shadow: tuple) -> None:
        draw_soft_shadowed(card, canvas, block, self.shadow(card, shadow))

    def logo(self, card: Card, canvas: Image.Image) -> float | None:
        """Draw the logo (with its shadow) in the middle of the card; where its top is."""
        scale = float(card.option("logo_size"))
        room = (card.width - 2 * card.margin, card.height - 2 * card.margin)
        box = (
            min(card.px(self.logo_box[0]) * scale, room[0]),
            min(card.px(self.logo_box[1]) * scale, room[1]),
        )
        if not card.spec.logo:
            return None
        color, opacity, radius, dx, dy = self.shadow(card, self.logo_shadow)
        # The logo with its shadow is the same for every episode of the series: made once as
        # one picture (blurring a card-wide logo's alpha and scaling it back up cost more than
        # the rest of the card's drawing) and pasted through its own alpha.
        key = (_identity(str(card.spec.logo)), tuple(round(v) for v in box), card.look.grayscale)
        key += (color, opacity, radius, dx, dy)
        made = _LAYERS.get(key)
        if made is None:
            logo = card.logo(box)
            if logo is None:
                return None
            made = _logo_layer(logo, color, opacity, radius, dx, dy)
            while len(_LAYERS) >= 4:
                _LAYERS.pop(next(iter(_LAYERS)))
            _LAYERS[key] = made
        layer, (left, top), (width, height) = made
        x, y = round((card.width - width) / 2), round((card.height - height) / 2)
        if hasattr(canvas, "pixels"):  # a card drawn on an array (core.PixelCanvas)
            # Pasted by Pillow on the array's own memory, from the layer's bytes in the array's
            # order (kept with it): PixelCanvas would swap its channels for every card and copy
            # the patch out and back (4 ms of the 6 its paste cost).
            canvas.flush()  # type: ignore[attr-defined]
            layer_bytes, mask_bytes = _layer_bytes(key, layer)
            if effects.paste_bytes(canvas.pixels, layer_bytes, x + left, y + top, mask_bytes):
                return y
        canvas.paste(layer, (x + left, y + top), layer)
        return y

    def episode_line(self, card: Card, logo_top: float | None) -> Block | None:
        scale = float(card.option("episode_text_font_size"))
        color = card.option("episode_text_color") or card.title_style.color
        style = card.style(self.title_font, self.episode_size * scale, color, self.title_kerning)
        separator = card.option("separator")
        segments = card.episode_segments(style, style, f" {separator} " if separator else " ")
        top = card.px(self.episode_top)
        y = top if logo_top is None else logo_top - card.px(self.episode_gap)
        return card.line_block(segments, card.width / 2, y, "center")

    def title(self, card: Card) -> Block | None:
        middle = card.height / 2 + card.px(self.title_middle)
        room = 2 * (card.height - card.margin - middle)
        block = card.title_block(card.width / 2, middle, "center", "down", max_height=room)
        if block is None:
            return None
        if card.option("offset_titles") and len(block.lines) == 2:
            self.stagger(block)
        box = block.bbox()
        if box is not None:
            block.shift(0, middle - (box[1] + box[3]) / 2)
        return block

    def stagger(self, block: Block) -> None:
        first, second = block.lines
        if second.width > first.width * self.stagger_limit or not first.parts:
            return
        style = first.parts[0].style
        space = layout.measure("a a", style) - layout.measure("aa", style)
        letters = second.width / max(1.0, layout.measure("n", style))
        low, high = self.stagger_first
        first.x -= space * min(high, max(low, round(letters))) / 2
        second.x += space * self.stagger_second / 2

    def shadow(self, card: Card, shadow: tuple) -> tuple:
        color, opacity, radius, dx, dy = shadow
        color = card.option("shadow_color") or color
        return (color, opacity, card.px(radius), round(card.px(dx)), round(card.px(dy)))


@lru_cache(maxsize=1)
def _paper() -> Image.Image:
    """A mottled paper, light grey (mean 226 of 255) in blotches of several sizes, for the whole
    card at a quarter of 3200x1800. Made from seeded noise: the same on every machine."""
    rng = random.Random(1712)
    w, h = 800, 450
    paper = None
    total = 0.0
    # (cell size in pixels of the paper, blur, weight): large soft blotches down to grain.
    for cell, blur, weight in ((40, 1.5, 0.45), (12, 1.0, 0.3), (3, 0.8, 0.15), (1, 0.0, 0.1)):
        size = (w // cell + 3, h // cell + 3)
        layer = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
        if blur:
            layer = layer.filter(ImageFilter.GaussianBlur(blur))
        layer = layer.resize((size[0] * cell, size[1] * cell), Image.Resampling.BICUBIC)
        layer = layer.crop((cell, cell, w + cell, h + cell))
        total += weight
        paper = layer if paper is None else Image.blend(paper, layer, weight / total)
    assert paper is not None
    stat = ImageStat.Stat(paper)
    mean, spread = stat.mean[0], max(1.0, stat.stddev[0])
    return paper.point(lambda v: max(0, min(255, round(226 + (v - mean) * 14 / spread))))


@lru_cache(maxsize=2)
def _paper_layer(size: tuple[int, int], zoom: float, mode: str) -> object:
    """The paper view as an array to multiply a picture of `mode` by (three channels for RGB)."""
    import numpy as np

    paper = np.asarray(_paper_view(size, zoom))
    return np.repeat(paper[..., None], 3, axis=-1) if mode == "RGB" else paper


@lru_cache(maxsize=2)
def _paper_view(size: tuple[int, int], zoom: float) -> Image.Image:
    """The middle of the paper, magnified `zoom` times, covering a picture of `size`."""
    paper = _paper()
    w, h = paper.width / zoom, paper.height / zoom
    box = (
        (paper.width - w) / 2,
        (paper.height - h) / 2,
        (paper.width + w) / 2,
        (paper.height + h) / 2,
    )
    return paper.resize(size, Image.Resampling.BICUBIC, box=box)


def _identity(path: str) -> tuple[object, ...]:
    """What tells one logo file from another (a replaced logo gets a new shadow)."""
    try:
        stat = Path(path).stat()
    except OSError:
        return (path,)
    return (path, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)


_LAYERS: dict[tuple[object, ...], tuple[Image.Image, tuple[int, int], tuple[int, int]]] = {}


_BYTES: dict[tuple[object, ...], tuple[Image.Image, Image.Image]] = {}


def _layer_bytes(key: tuple[object, ...], layer: Image.Image) -> tuple[Image.Image, Image.Image]:
    """A logo layer as effects.paste_bytes() takes it (its bytes, its alpha spread), made once
    per layer. Fewer kept than layers: 6 bytes a pixel, and a worker draws one series at a
    time."""
    made = _BYTES.get(key)
    if made is None:
        made = effects.as_bytes(layer), effects.spread_mask(layer.getchannel("A"))
        while len(_BYTES) >= 2:
            _BYTES.pop(next(iter(_BYTES)))
        _BYTES[key] = made
    return made


def _logo_layer(
    logo: Image.Image, color: tuple, opacity: float, radius: float, dx: int, dy: int
) -> tuple[Image.Image, tuple[int, int], tuple[int, int]]:
    """The logo over its soft shadow (what layout.drop_shadow paints under it) as one RGBA
    picture, where its top-left lies from the logo's, and the logo's size. Pasted, never drawn
    on: it is shared."""
    pad = int(radius * 3) + 2
    mask = Image.new("L", (logo.width + 2 * pad, logo.height + 2 * pad), 0)
    mask.paste(logo.getchannel("A"), (pad, pad))
    small = mask.reduce(4) if min(mask.size) >= 16 else mask
    soft = scale.gaussian(small, max(0.5, radius / (mask.width / small.width)))
    soft = soft.resize(mask.size, Image.Resampling.BILINEAR).point(lambda v: int(v * opacity))
    sx, sy = dx - pad, dy - pad  # the shadow's top-left, from the logo's
    left, top = min(0, sx), min(0, sy)
    right, bottom = max(logo.width, sx + soft.width), max(logo.height, sy + soft.height)
    layer = Image.new("RGBA", (right - left, bottom - top), (*color[:3], 0))
    shadow = Image.new("RGBA", soft.size, (*color[:3], 255))
    shadow.putalpha(soft)
    layer.paste(shadow, (sx - left, sy - top))
    layer.alpha_composite(logo, (-left, -top))
    return layer, (left, top), logo.size
