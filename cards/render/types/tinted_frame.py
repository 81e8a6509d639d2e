"""tinted_frame: a thin frame 185 px in from the edges, the picture blurred outside it; the title
sits on the frame's top line and "SEASON 1 - EPISODE 3" on its bottom line, the line broken
behind them."""

from __future__ import annotations

from typing import Any

from PIL import Image

from .. import effects, fonts, scale
from ..layout import Block
from ..source import load_fitted
from ..spec import RenderError
from .base import Card, CardType, Option, draw_shadowed

ELEMENTS = ("title", "index", "logo", "omit")


class TintedFrame(CardType):
    name = "tinted_frame"
    label = "Tinted frame"
    rank = 2
    pixels = True  # blurred strips, a frame (rectangles), a logo and text over the still
    aliases = ("blurred border",)

    title_font = fonts.ROUNDED
    title_size = 100
    title_color = "white"
    title_case = "source"
    title_max_lines = 2
    title_max_width = 2400

    episode_font = fonts.ROUNDED
    episode_size = 60
    episode_kerning = 1

    inset = 185  # frame distance from every edge
    frame_width = 5
    gap = 30  # free space between text and the frame line on either side
    edge_blur = 60
    shadow = ((0, 0, 0), 0.75, 10, 4, 6)  # colour, opacity, radius, dx, dy (reference px)
    logo_height = 150  # logo on a frame line; in the middle it may be twice as tall

    options = {
        "frame_color": Option("color", None, "default: the font colour"),
        "episode_text_color": Option("color", None, "default: the font colour"),
        "blur_edges": Option("bool", True, "blur the picture outside the frame"),
        "top_element": Option("choice", "title", "on the top line", ELEMENTS),
        "middle_element": Option("choice", "omit", "in the middle", ELEMENTS),
        "bottom_element": Option("choice", "index", "on the bottom line", ELEMENTS),
        "logo": Option("text", "", "path of a logo image, for the logo element"),
        "separator": Option("text", "\u2013", "between the season and the episode part (en dash)"),
    }

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        if card.option("blur_edges") and not card.state.get("blurred"):
            radius = card.px(self.edge_blur) * image.width / card.width
            card.state["edges"] = self.blurred(image, radius)
        return image

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        if card.option("blur_edges") and not card.state.get("blurred"):
            radius = card.px(self.edge_blur) * pixels.shape[1] / card.width
            # Blurred in the array's order (every channel alike), kept in RGB as backdrop()
            # keeps it: only the small picture's channels are swapped.
            small = self.blurred(Image.fromarray(pixels), radius)
            card.state["edges"] = Image.merge("RGB", small.split()[::-1])

    @staticmethod
    def blurred(image: Image.Image, radius: float) -> Image.Image:
        """effects.blur_small(image, radius), shrunk by Pillow's box reduce when that gives the
        same size (a card-sized picture: 3 ms of its 5.5 went into the bilinear shrink; under
        the blur the two differ by at most one level)."""
        factor = max(1.0, radius / effects.SMALL_RADIUS)
        size = (max(1, round(image.width / factor)), max(1, round(image.height / factor)))
        n = round(factor)
        if n < 2 or (image.width // n, image.height // n) != size:
            return effects.blur_small(image, radius)
        small = image.reduce(n)
        return scale.gaussian(small, radius * small.width / image.width)

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        edges = card.state.get("edges")
        if isinstance(edges, Image.Image):
            self.paste_edges(card, canvas, edges)
        inset = card.px(self.inset)
        lines = {
            "top": inset,
            "middle": card.height / 2,
            "bottom": card.height - inset,
        }
        gaps: dict[str, tuple[int, int, int, int]] = {}
        placed = []
        for where, y in lines.items():
            element = card.option(f"{where}_element")
            thing = self.element(card, element, y, where == "middle")
            if thing is None:
                continue
            box = thing.bbox() if isinstance(thing, Block) else thing[1]
            if box and where != "middle":
                gaps[where] = box
            placed.append(thing)
        self.frame(card, canvas, gaps)
        shadow = self.scaled_shadow(card)
        for thing in placed:
            if isinstance(thing, Block):
                draw_shadowed(card, canvas, thing, shadow)
            else:
                logo, box = thing
                canvas.paste(logo, box[:2], logo if logo.mode == "RGBA" else None)

    def paste_edges(self, card: Card, canvas: Image.Image, small: Image.Image) -> None:
        """Blurred picture outside the frame: only the four strips are scaled up."""
        w, h, inset = card.width, card.height, round(card.px(self.inset))
        boxes = [
            (0, 0, w, inset),
            (0, h - inset, w, h),
            (0, inset, inset, h - inset),
            (w - inset, inset, w, h - inset),
        ]
        boxes = [box for box in boxes if box[2] > box[0] and box[3] > box[1]]
        if small.mode not in ("RGB", "L"):
            small = small.convert(canvas.mode)
        # Scaled up whole by OpenCV (bilinear is enough for a blurred picture) and cut: its
        # resize of the whole card costs a quarter of Pillow's resize of the four strips alone.
        import numpy as np  # on first use: web processes import the types, never draw

        pixels = getattr(canvas, "pixels", None)  # a card drawn on an array (BGR)
        source = np.asarray(small) if pixels is None else scale.swap_rb(np.asarray(small))
        big = scale._cv2().resize(source, (w, h), interpolation=scale._cv2().INTER_LINEAR)
        if pixels is not None:
            canvas.flush()  # type: ignore[attr-defined]
            for left, top, right, bottom in boxes:
                pixels[top:bottom, left:right] = big[top:bottom, left:right]
            return
        for left, top, right, bottom in boxes:
            strip = Image.fromarray(np.ascontiguousarray(big[top:bottom, left:right]))
            if strip.mode != canvas.mode:
                strip = strip.convert(canvas.mode)
            canvas.paste(strip, (left, top))

    def element(self, card: Card, element: str, y: float, middle: bool):
        if element == "title":
            return self.centred(card, card.title_block(card.width / 2, 0, "center", "down"), y)
        if element == "index":
            color = card.option("episode_text_color") or card.title_style.color
            style = card.style(self.episode_font, self.episode_size, color, self.episode_kerning)
            separator = card.option("separator")
            segments = card.episode_segments(style, style, f" {separator} " if separator else " ")
            return self.centred(card, card.line_block(segments, card.width / 2, 0, "center"), y)
        if element == "logo":
            return self.logo(card, y, middle)
        return None

    @staticmethod
    def centred(card: Card, block: Block | None, y: float) -> Block | None:
        """Centre the text on the row y by its capital letters (descenders hang below)."""
        if block is not None:
            block.centre_on(y)
        return block

    def logo(self, card: Card, y: float, middle: bool):
        path = str(card.option("logo")).strip()
        if not path:
            raise RenderError("the logo element needs the logo option (a path to an image)")
        height = round(card.px(self.logo_height * (2 if middle else 1)))
        logo = load_fitted(path, (round(card.width * 0.6), height), "logo")
        x = round(card.width / 2 - logo.width / 2)
        top = round(y - logo.height / 2)
        return logo, (x, top, x + logo.width, top + logo.height)

    def frame(
        self, card: Card, canvas: Image.Image, gaps: dict[str, tuple[int, int, int, int]]
    ) -> None:
        color = card.option("frame_color") or card.title_style.color
        w, h = card.width, card.height
        inset, half = card.px(self.inset), max(1.0, card.px(self.frame_width)) / 2
        gap = card.px(self.gap)
        left, right, top, bottom = inset, w - inset, inset, h - inset
        for where, y in (("top", top), ("bottom", bottom)):
            spans = [(left - half, right + half)]
            box = gaps.get(where)
            if box:
                spans = [(left - half, box[0] - gap), (box[2] + gap, right + half)]
            for x0, x1 in spans:
                if x1 > x0:
                    effects.rectangle(canvas, (x0, y - half, x1, y + half - 1), color)
        for x in (left, right):
            effects.rectangle(canvas, (x - half, top - half, x + half - 1, bottom + half), color)

    def scaled_shadow(self, card: Card):
        color, opacity, radius, dx, dy = self.shadow
        return (color, opacity, card.px(radius), round(card.px(dx)), round(card.px(dy)))
