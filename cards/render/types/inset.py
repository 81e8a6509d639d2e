"""inset: a big thin title standing on the bottom edge, its lines overlapping, and
"SEASON 1 - EPISODE 3" in crimson set into its last line on a frosted patch of the picture, so
the big letters vanish behind it."""

from __future__ import annotations

from typing import Any

from PIL import Image

from .. import effects, fonts, scale
from ..layout import Block
from .base import Card, CardType, Option, draw_soft_shadowed

HEROS = fonts.bundled("texgyreheros-regular.otf")
HEROS_BOLD_ITALIC = fonts.bundled("texgyreheros-bolditalic.otf")


class Inset(CardType):
    name = "inset"
    label = "Inset"
    rank = 15
    pixels = True  # a shade, text with soft shadows, a frosted patch cut from the still

    title_font = HEROS
    title_size = 250
    title_color = "white"
    # Baselines 159 px apart, as in the reference: the capitals (182 px) overlap. (Its -100 is
    # on ImageMagick's smaller line height.)
    title_line_spacing = -199
    title_baseline = 88  # the last line's baseline above the bottom edge
    title_case = "upper"
    title_max_lines = 3
    title_max_width = 3000
    title_shadow = ((0, 0, 0), 0.95, 6, -12, 12)  # colour, opacity, blur, dx, dy (reference px)

    episode_font = HEROS_BOLD_ITALIC
    episode_size = 75
    episode_color = "crimson"
    # Crimson turns a dark grey that the frosted patch swallows: grayscale cards get a light one.
    episode_grey = "#C8C8C8"
    episode_rise = 0.24  # its capitals are centred this far (x title size) above the baseline
    episode_shadow = ((0, 0, 0), 0.95, 4, -6, 6)

    # The frosted patch round the episode text: this much wider and shorter than the text, plus
    # padding on every side; the picture under it blurred this much.
    patch_grow = (40, -20)
    patch_padding = 20
    patch_blur = 7
    gradient_depth = 827  # the shade rises this far from the bottom
    gradient_opacity = 0.78

    options = {
        "episode_text_color": Option("color", None, "colour of the episode text (crimson)"),
        "episode_text_font_size": Option("number", 1.0, "scale of the episode text", (), 0.2, 4),
        "separator": Option("text", "-", "between the season and the episode part"),
        "omit_gradient": Option("bool", False, "no dark gradient at the bottom"),
        "transparency": Option("number", 1.0, "opacity of the frosted patch (0: none)", (), 0, 1),
    }

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        if not card.option("omit_gradient"):
            start = card.from_bottom(self.gradient_depth) * image.height / card.height
            effects.bottom_gradient(image, round(start), (12, 12, 12), self.gradient_opacity)
        card.state["picture"] = image  # the patch is cut from it, under the title
        return image

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        if not card.option("omit_gradient"):
            start = card.from_bottom(self.gradient_depth) * pixels.shape[0] / card.height
            effects.bottom_gradient_pixels(
                pixels, round(start), (12, 12, 12), self.gradient_opacity
            )
        if card.state.get("blurred") and pixels.shape[:2] == (card.height, card.width):
            # A blurred picture already the card's size gets its grain in place, which the
            # patch Pillow cuts from its own picture has not.
            pixels = pixels.copy()
        card.state["picture"] = pixels  # BGR; frost() cuts its patch from it

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        title = card.title_block(
            card.width / 2, card.from_bottom(self.title_baseline), "center", "up"
        )
        episode = self.episode_line(card, title)
        # Cut before the title is drawn: the canvas may be the very picture the patch comes from.
        patch = self.frost(card, episode) if episode is not None else None
        self.draw(card, canvas, title, self.title_shadow)
        if patch is not None:
            self.paste(canvas, *patch)
        self.draw(card, canvas, episode, self.episode_shadow)

    @staticmethod
    def paste(
        canvas: Image.Image, image: Image.Image, box: tuple[int, int, int, int], opacity: int
    ) -> None:
        """Lay the frosted patch on the canvas at `opacity` (of 255)."""
        if hasattr(canvas, "pixels"):  # a card drawn on an array (core.PixelCanvas)
            # By Pillow on the array's own memory (effects.paste_bytes): no channel swap nor
            # patch copied out and back, the same pixels.
            canvas.flush()  # type: ignore[attr-defined]
            size = (3 * image.width, image.height)
            spread = Image.new("L", size, opacity) if opacity < 255 else None
            if effects.paste_bytes(canvas.pixels, effects.as_bytes(image), *box[:2], spread):
                return
        if image.mode != canvas.mode:
            image = image.convert(canvas.mode)
        mask = Image.new("L", image.size, opacity) if opacity < 255 else None
        canvas.paste(image, box[:2], mask)

    def episode_line(self, card: Card, title: Block | None) -> Block | None:
        size = self.episode_size * float(card.option("episode_text_font_size"))
        if title is not None:
            last = title.lines[-1]
            title_size = last.parts[0].style.size if last.parts else card.title_style.size
            middle = last.y - self.episode_rise * title_size
            # Set into the last line, it must not outgrow it (a long title shrinks).
            size = min(size, 0.9 * title_size / card.scale)
        else:
            middle = card.height - card.px(self.title_size) * 0.5
        default = self.episode_grey if card.look.grayscale else self.episode_color
        color = card.option("episode_text_color") or default
        style = card.style(self.episode_font, size, color)
        separator = str(card.option("separator"))
        segments = card.episode_segments(style, style, f" {separator} " if separator else " ")
        block = card.line_block(segments, card.width / 2, middle + 0.36 * style.size, "center")
        if block is not None:
            block.keep_inside(card.width, card.height, min(card.margin, 8))
        return block

    def frost(
        self, card: Card, episode: Block
    ) -> tuple[Image.Image, tuple[int, int, int, int], int] | None:
        """The frosted patch for behind the episode text: the picture there, blurred (and
        where it goes, and how opaque)."""
        picture = card.state.get("picture")
        opacity = round(255 * float(card.option("transparency")))
        if picture is None or opacity <= 0:
            return None
        line = episode.lines[0]
        grow_x, grow_y = (card.px(v) for v in self.patch_grow)
        pad = card.px(self.patch_padding)
        half_w = (line.width + grow_x) / 2 + pad
        half_h = (line.ascent + line.descent + grow_y) / 2 + pad
        middle = (line.x + line.width / 2, line.y + (line.descent - line.ascent) / 2)
        box = (
            max(0, round(middle[0] - half_w)),
            max(0, round(middle[1] - half_h)),
            min(card.width, round(middle[0] + half_w)),
            min(card.height, round(middle[1] + half_h)),
        )
        if box[2] <= box[0] or box[3] <= box[1]:
            return None
        # Blurred at the picture's own resolution (often below the card's), then scaled up.
        if isinstance(picture, Image.Image):
            k = picture.width / card.width
            region = picture.crop(tuple(round(v * k) for v in box))
        else:
            # A card drawn on an array: the same patch, cut and turned back to RGB (a copy,
            # taken before anything is drawn on the array it may share).
            k = picture.shape[1] / card.width
            left, top, right, bottom = (round(v * k) for v in box)
            cut = picture[top:bottom, left:right]
            # An empty cut (a tiny card) as Pillow's crop gives it: OpenCV refuses one.
            empty = Image.new("RGB", (cut.shape[1], cut.shape[0]))
            region = Image.fromarray(scale.swap_rb(cut)) if cut.size else empty
        size = (box[2] - box[0], box[3] - box[1])
        return effects.blur(region, card.px(self.patch_blur) * k, size), box, opacity

    def draw(self, card: Card, canvas: Image.Image, block: Block | None, shadow: tuple) -> None:
        draw_soft_shadowed(card, canvas, block, self.shadow(card, shadow))

    @staticmethod
    def shadow(card: Card, shadow: tuple) -> tuple:
        color, opacity, radius, dx, dy = shadow
        return (color, opacity, card.px(radius), round(card.px(dx)), round(card.px(dy)))
