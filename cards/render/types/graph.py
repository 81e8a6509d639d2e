"""graph: a ring in a corner fills up with the season (episode 3 of 10 is three tenths round),
"3/10" inside it, and the title in a bold italic beside it, over a gradient darkening that side.

The episodes in the season come from CardSpec.season_episode_max (the pipeline fills it for this
type); without it the ring shows the episode number alone, and fills as far as the percentage
option says.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from .. import effects, fonts, scale
from ..layout import RGB, paint
from .base import BASE_HEIGHT, BASE_WIDTH, Card, CardType, Option, draw_shadowed

HELVETICA_BOLD_ITALIC = fonts.bundled("texgyreheros-bolditalic.otf")  # Helvetica Neue's look
POSITIONS = ("lower left", "upper left", "upper right", "left", "right", "lower right")
SUPERSAMPLE = 3  # the ring is drawn this many times larger and scaled down: smooth edges


class Graph(CardType):
    name = "graph"
    label = "Graph"
    pixels = True  # a shade, a ring laid on by its layers, lines and text
    rank = 23
    season_progress = True

    # The reference's sizes are at density 100: 95 pt = 132 px.
    title_font = HELVETICA_BOLD_ITALIC
    title_size = 132
    title_color = "#F7F7F7"
    title_kerning = 2
    # Heros' line box is 1.43 em, Helvetica Neue's 1.17: the reference's -35 px on the latter.
    title_line_spacing = -70
    title_case = "source"
    title_max_lines = 3
    title_max_width = 2500
    title_gap = 50  # between the ring and the title

    fraction_size = 97  # the numbers in the ring, at the default radius
    fraction_kerning = 4
    # Ink centres of the numbers and ends of the slanted line, from the ring's centre, at the
    # default radius (they scale with it).
    numerator_at = (-43, -58)
    denominator_at = (60, 51)
    line_ends = ((-90, 90), (90, -90))
    line_width = 8
    default_radius = 175

    ring_shadow = (0.95, 2, 4, 4)  # opacity, blur, dx, dy
    text_shadow = (0.95, 2, 8, 8)
    # The small gradient: clear 827 px from the dark edge, 77 % at it, easing in.
    gradient_length = 827
    gradient_opacity = 0.77
    gradient_power = 1.2

    options = {
        "graph_color": Option("color", None, "colour of the progress and the numerator"),
        "graph_background_color": Option("color", None, "colour of the ring's track (grey)"),
        "graph_background_opacity": Option(
            "number", 0.5, "opacity of the ring's track", minimum=0, maximum=1
        ),
        "graph_inset": Option("number", 75, "px from the card's edges", minimum=0, maximum=600),
        "graph_radius": Option(
            "number", 175, "px, to the middle of the ring", minimum=50, maximum=900
        ),
        "graph_width": Option("number", 25, "px, the ring's thickness", minimum=1, maximum=200),
        "fill_scale": Option(
            "number", 0.6, "thickness of the progress, of the ring's", minimum=0.05, maximum=2
        ),
        "graph_text_font_size": Option(
            "number", None, "scale of the numbers (default: radius / 175)", minimum=0.1, maximum=5
        ),
        "percentage": Option(
            "number",
            None,
            "how full the ring is, 0-1 (default: episode / last episode of the season)",
            minimum=0,
            maximum=1,
        ),
        "omit_gradient": Option("bool", False, "no dark gradient on the text's side"),
        "text_position": Option("choice", "lower left", "where the ring and title go", POSITIONS),
    }

    # --- geometry ---------------------------------------------------------------------------

    @staticmethod
    def sides(card: Card) -> tuple[str, str]:
        """(vertical: lower/upper/middle, horizontal: left/right) of the ring."""
        position = str(card.option("text_position"))
        vertical = position.split()[0] if " " in position else "middle"
        return vertical, position.split()[-1]

    def centre(self, card: Card) -> tuple[float, float]:
        vertical, horizontal = self.sides(card)
        reach = card.px(float(card.option("graph_inset")) + float(card.option("graph_radius")))
        x = reach if horizontal == "left" else card.width - reach
        y = {"lower": card.height - reach, "upper": reach, "middle": card.height / 2}[vertical]
        return x, y

    def progress(self, card: Card) -> float:
        given = card.option("percentage")
        if given is not None:
            return float(given)
        last, number = card.spec.season_episode_max, card.spec.episode_number
        if not last or number is None:
            return 0.0
        return max(0.0, min(1.0, number / last))

    # --- steps ------------------------------------------------------------------------------

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        if card.option("omit_gradient"):
            return image
        vertical, horizontal = self.sides(card)
        k = image.height / card.height
        color, opacity, power = (12, 12, 12), self.gradient_opacity, self.gradient_power
        if vertical == "middle":
            # The bottom gradient turned on its side and stretched across the card's width.
            length = round(card.px(self.gradient_length * BASE_WIDTH / BASE_HEIGHT) * k)
            flip = horizontal == "right"
            if flip:
                image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            image = _shade(image, "left", length, color, opacity, power)
            return image.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if flip else image
        start = image.height - round(card.px(self.gradient_length) * k)
        start = max(0, min(start, image.height - 1))
        if vertical == "upper":
            image = image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
            image = _shade(image, "bottom", image.height - start, color, opacity, power)
            return image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        return _shade(image, "bottom", image.height - start, color, opacity, power)

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        """backdrop() on the card's array: the same shade, flipped the same ways (a grey
        shade: the same in either channel order)."""
        if card.option("omit_gradient"):
            return
        vertical, horizontal = self.sides(card)
        k = pixels.shape[0] / card.height
        shade = ((12, 12, 12), self.gradient_opacity, self.gradient_power)
        if vertical == "middle":
            length = round(card.px(self.gradient_length * BASE_WIDTH / BASE_HEIGHT) * k)
            _shade_flipped(pixels, 1 if horizontal == "right" else None, "left", length, shade)
            return
        start = pixels.shape[0] - round(card.px(self.gradient_length) * k)
        start = max(0, min(start, pixels.shape[0] - 1))
        depth = pixels.shape[0] - start
        _shade_flipped(pixels, 0 if vertical == "upper" else None, "bottom", depth, shade)

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        cx, cy = self.centre(card)
        self.ring(card, canvas, cx, cy)
        self.fraction(card, canvas, cx, cy)
        self.title(card, canvas, cx, cy)

    def shadow(self, card: Card, which: tuple[float, float, float, float]):
        opacity, radius, dx, dy = which
        return ((0, 0, 0), opacity, card.px(radius), round(card.px(dx)), round(card.px(dy)))

    def ring(self, card: Card, canvas: Image.Image, cx: float, cy: float) -> None:
        """The track all round, and the progress from 12 o'clock clockwise. Like the reference,
        the progress is a closed outline: its arc and the chord back to 12 o'clock."""
        radius = card.px(float(card.option("graph_radius")))
        width = max(1.0, card.px(float(card.option("graph_width"))))
        fill = max(1.0, width * float(card.option("fill_scale")))
        reach = radius + max(width, fill) / 2
        pad = round(card.px(self.ring_shadow[1]) * 3 + card.px(self.ring_shadow[2])) + 2
        left, top = math.floor(cx - reach) - pad, math.floor(cy - reach) - pad
        size = (math.ceil(cx + reach) + pad - left, math.ceil(cy + reach) + pad - top)
        opacity_s, blur, dx, dy = self.ring_shadow
        shape = (
            size,
            (cx - left, cy - top),
            radius,
            width,
            fill,
            self.progress(card),
            float(card.option("graph_background_opacity")),
            opacity_s,
            card.px(blur),
        )
        offset = (round(card.px(dx)), round(card.px(dy)))
        track_color = card.option("graph_background_color") or (140, 140, 140)
        colors = (tuple(track_color), tuple(self.graph_color(card)))
        if canvas.mode == "RGB":
            if hasattr(canvas, "pixels"):  # a card drawn on an array (BGR)
                colors = (colors[0][::-1], colors[1][::-1])
            _lay_ring(canvas, (left, top), _ring_layers(shape, offset, colors))
            return
        track, done, shade = _ring(*shape)
        paint(canvas, (0, 0, 0), shade, left + offset[0], top + offset[1])
        paint(canvas, colors[0], track, left, top)
        paint(canvas, colors[1], done, left, top)

    def graph_color(self, card: Card):
        return card.option("graph_color") or (99, 184, 255)  # SteelBlue1

    def fraction(self, card: Card, canvas: Image.Image, cx: float, cy: float) -> None:
        """ "3/10" in the ring: the episode in the graph's colour over a slanted line, the
        season's last episode under it; with three digits or more, stacked over a level line."""
        spec = card.spec
        if spec.hide_episode_text or spec.episode_number is None:
            return
        radius = float(card.option("graph_radius"))
        scale = card.option("graph_text_font_size")
        scale = float(scale) if scale is not None else radius / self.default_radius
        unit = card.px(radius / self.default_radius)  # canvas px per reference px in the ring
        color = self.graph_color(card)
        full = self.progress(card) >= 1
        white = (255, 255, 255)
        size, kerning = self.fraction_size * scale, self.fraction_kerning * scale
        top = card.style(HELVETICA_BOLD_ITALIC, size, color, kerning)
        bottom = card.style(HELVETICA_BOLD_ITALIC, size, color if full else white, kerning)
        numerator = str(spec.episode_number)
        last = spec.season_episode_max
        shadow = self.shadow(card, self.text_shadow)
        if not last:
            self.number(card, canvas, numerator, top, (cx, cy), shadow)
            return
        denominator = str(last)
        line_color = color if full else white
        stacked = max(len(numerator), len(denominator)) >= 3
        if stacked:
            half = 90 * unit
            ends = ((cx - half, cy), (cx + half, cy))
            places = ((cx, cy - 60 * unit), (cx, cy + 60 * unit))
        else:
            ends = tuple((cx + dx * unit, cy + dy * unit) for dx, dy in self.line_ends)
            places = tuple(
                (cx + dx * unit, cy + dy * unit)
                for dx, dy in (self.numerator_at, self.denominator_at)
            )
        self.line(card, canvas, ends, line_color, max(1.0, self.line_width * unit), shadow)
        self.number(card, canvas, numerator, top, places[0], shadow)
        self.number(card, canvas, denominator, bottom, places[1], shadow)

    @staticmethod
    def line(card: Card, canvas: Image.Image, ends, color, width: float, shadow) -> None:
        _, opacity, blur, dx, dy = shadow
        xs, ys = [p[0] for p in ends], [p[1] for p in ends]
        pad = round(width + blur * 3) + 2
        left, top = math.floor(min(xs)) - pad, math.floor(min(ys)) - pad
        size = (math.ceil(max(xs)) + pad - left, math.ceil(max(ys)) + pad - top)
        k = SUPERSAMPLE
        mask = Image.new("L", (size[0] * k, size[1] * k), 0)
        ImageDraw.Draw(mask).line(
            [((x - left) * k, (y - top) * k) for x, y in ends], fill=255, width=round(width * k)
        )
        mask = mask.reduce(k)
        shade = mask.filter(ImageFilter.GaussianBlur(blur)).point(lambda v: round(v * opacity))
        paint(canvas, (0, 0, 0), shade, left + dx, top + dy)
        paint(canvas, color, mask, left, top)

    @staticmethod
    def number(card: Card, canvas: Image.Image, text: str, style, at, shadow) -> None:
        block = card.line_block([(text, style)], 0, 0, "left")
        box = block.bbox() if block else None
        if block is None or box is None:
            return
        block.shift(at[0] - (box[0] + box[2]) / 2, at[1] - (box[1] + box[3]) / 2)
        draw_shadowed(card, canvas, block, shadow)

    def title(self, card: Card, canvas: Image.Image, cx: float, cy: float) -> None:
        _, horizontal = self.sides(card)
        radius = card.px(float(card.option("graph_radius")))
        width = card.px(float(card.option("graph_width")))
        away = radius + width / 2 + card.px(self.title_gap)
        if horizontal == "left":
            x, align, room = cx + away, "left", card.width - (cx + away) - card.margin
        else:
            x, align, room = cx - away, "right", cx - away - card.margin
        height = 2 * min(cy, card.height - cy)
        block = card.title_block(x, cy, align, "down", max_width=max(room, 1), max_height=height)
        if block is None:
            return
        block.centre_on(cy)
        draw_shadowed(card, canvas, block, self.shadow(card, self.text_shadow))


@lru_cache(maxsize=32)
def _ring(
    size: tuple[int, int],
    centre: tuple[float, float],
    radius: float,
    width: float,
    fill: float,
    share: float,
    opacity: float,
    shadow_opacity: float,
    blur: float,
) -> tuple[Image.Image, Image.Image, Image.Image]:
    """The ring's masks (track, progress, the shadow under both) in a box of `size`, the ring
    centred on `centre` in it. Cached: they depend on the episode only through `share`, and
    drawing them three times larger took most of a card's ring (6 ms)."""
    k = SUPERSAMPLE
    middle = (centre[0] * k, centre[1] * k)

    def circle(r: float) -> tuple[float, float, float, float]:
        return (middle[0] - r, middle[1] - r, middle[0] + r, middle[1] + r)

    big = (size[0] * k, size[1] * k)
    track = Image.new("L", big, 0)
    ImageDraw.Draw(track).ellipse(
        circle((radius + width / 2) * k), outline=255, width=round(width * k)
    )
    done = Image.new("L", big, 0)
    if share > 0:
        pen = ImageDraw.Draw(done)
        end = -90 + 360 * share
        pen.arc(circle((radius + fill / 2) * k), -90, end, fill=255, width=round(fill * k))
        if share < 1:
            angle = math.radians(end)
            start = (middle[0], middle[1] - radius * k)
            stop = (
                middle[0] + radius * k * math.cos(angle),
                middle[1] + radius * k * math.sin(angle),
            )
            pen.line([start, stop], fill=255, width=round(fill * k))
            for x, y in (start, stop):  # round joins where the chord meets the arc
                r = fill * k / 2
                pen.ellipse((x - r, y - r, x + r, y + r), fill=255)
    track, done = track.reduce(k), done.reduce(k)
    track = track.point(lambda v: round(v * opacity))
    # One shadow under both, from what each lets show.
    shape = ImageChops.lighter(track, done)
    shade = shape.filter(ImageFilter.GaussianBlur(blur))
    shade = shade.point(lambda v: round(v * shadow_opacity))
    return track, done, shade


def _shade(
    image: Image.Image, edge: str, depth: int, color: RGB, opacity: float, power: float
) -> Image.Image:
    """The shade towards one edge, from effects' own cache of one-channel masks: the shared
    one of three-channel layers keeps 8, and a worker drawing several types went round more."""
    if image.mode not in ("RGB", "L"):
        effects.edge_gradient(image, edge, depth, color, opacity, power)
        return image
    return effects.edge_gradient_image(image, edge, depth, color, opacity, power)


def _shade_flipped(
    pixels: Any, flip: int | None, edge: str, depth: int, shade: tuple[RGB, float, float]
) -> None:
    """effects.edge_gradient_pixels on the array, in place; with `flip` (OpenCV's flip code)
    on the flipped picture, flipped back, as backdrop() does with Pillow's transpose."""
    if flip is None:
        effects.edge_gradient_pixels(pixels, edge, depth, *shade)
        return
    cv2 = scale._cv2()
    flipped = cv2.flip(pixels, flip)
    effects.edge_gradient_pixels(flipped, edge, depth, *shade)
    cv2.flip(flipped, flip, dst=pixels)


@lru_cache(maxsize=16)
def _ring_layers(shape: tuple, offset: tuple[int, int], colors: tuple[RGB, RGB]):
    """The ring's shadow, track and progress laid on in one step: where the three masked
    pastes keep the picture (keep / 255) and what colour they add, over the box they cover
    together, and that box's top-left from the ring's. Worked out once per look and share
    (the three pastes cost 3 ms a card); within a level of pasting them in turn."""
    import numpy as np

    track, done, shade = _ring(*shape)
    w, h = track.size
    sx, sy = offset
    ox, oy = min(0, sx), min(0, sy)
    width, height = max(w, w + sx) - ox, max(h, h + sy) - oy
    alphas = []
    for mask, (x, y) in ((shade, (sx, sy)), (track, (0, 0)), (done, (0, 0))):
        a = np.zeros((height, width), np.float32)
        a[y - oy : y - oy + h, x - ox : x - ox + w] = np.asarray(mask, np.float32) / 255
        alphas.append(a)
    a1, a2, a3 = alphas
    keep = 255 * (1 - a1) * (1 - a2) * (1 - a3)
    ink = np.stack(
        [c2 * a2 * (1 - a3) + c3 * a3 for c2, c3 in zip(colors[0], colors[1], strict=True)],
        axis=-1,
    )
    keep3 = np.repeat(np.rint(keep).astype(np.uint8)[..., None], 3, axis=-1)
    return (ox, oy), keep3, np.rint(ink).astype(np.uint8)


def _lay_ring(canvas: Image.Image, at: tuple[int, int], layers) -> None:
    """_ring_layers laid on the canvas, the ring's box at `at`, cut to the canvas."""
    import numpy as np

    cv2 = scale._cv2()
    (ox, oy), keep, ink = layers
    x, y = at[0] + ox, at[1] + oy
    h, w = keep.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(canvas.width, x + w), min(canvas.height, y + h)
    if x0 >= x1 or y0 >= y1:
        return
    cut = (slice(y0 - y, y1 - y), slice(x0 - x, x1 - x))
    pixels = getattr(canvas, "pixels", None)  # a card drawn on an array (core.PixelCanvas)
    if pixels is not None:
        canvas.flush()  # type: ignore[attr-defined]
        region = pixels[y0:y1, x0:x1]
        region[...] = cv2.add(cv2.multiply(region, keep[cut], scale=1 / 255), ink[cut])
        return
    region = np.asarray(canvas.crop((x0, y0, x1, y1)))
    shaded = cv2.add(cv2.multiply(region, keep[cut], scale=1 / 255), ink[cut])
    canvas.paste(Image.fromarray(shaded), (x0, y0))
