"""music: a "now playing" panel in a corner of the still, as a music player shows a song: the
series logo (or poster) as the album cover, the title, and a timeline from "S1" to "E3" whose
progress is drawn for the episode."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw

from .. import effects, fonts, layout, source
from ..layout import RGB, Block
from ..spec import RenderError
from .base import MISSING_INPUT, Card, CardType, Option, parse_color

STYLES = ("logo", "artwork", "poster", "basic")
POSITIONS = ("left", "middle", "right")
CONTROLS = ("shuffle", "previous", "play", "next", "repeat")
# Shapes are drawn this many times larger and scaled down: smooth edges (ImageDraw has none).
SUPERSAMPLE = 4


class Music(CardType):
    name = "music"
    label = "Music"
    rank = 18
    pixels = True  # a frosted player, an album, bars, shapes and text
    aliases = ("spotify",)
    # The album cover: the series logo (the default), or its poster.
    uses = ("logo", "poster")

    title_font = fonts.SANS_BOLD
    title_size = 83
    title_color = "white"
    title_line_spacing = -10
    title_case = "source"
    title_max_lines = 4
    title_max_height = 480  # the panel may grow to about a quarter of the card, no more

    season_format = "S{season_number}"
    episode_format = "E{episode_number}"
    label_font = fonts.SANS_SEMIBOLD
    label_size = 51
    subtitle_font = fonts.SANS
    subtitle_size = 44

    # The panel, in reference px: `padding` inside it on every side; the title's last baseline
    # `title_gap` above the timeline; the album cover `album_gap` above the title.
    padding = 50
    radius = 25
    blur = 12
    player_color = (0, 0, 0)
    timeline_below = 74  # the timeline's row above the panel's bottom edge
    timeline_inset = 45  # the labels start this far in from the text
    label_gap = 20  # between a label and the track
    track_height = 6
    bar_height = 7
    knob_radius = 15
    track_color = (120, 120, 120)
    timeline_color = (29, 185, 84)
    title_gap = 57
    subtitle_gap = 45
    album_gap = 35
    album_boxes = {"logo": (800, 250), "poster": (267, 400), "artwork": (300, 300)}
    album_radius = 20  # the artwork's corners
    album_shadow = ((0, 0, 0), 0.6, 10, 0, 8)
    controls_height = 108
    control_size = 40  # half the height of the previous / next / shuffle / repeat icons
    play_radius = 48
    heart_size = 64

    options = {
        "player_style": Option(
            "choice",
            "logo",
            "the album cover: logo (the series logo), artwork (a square of the poster), poster "
            "(the series poster), basic (none)",
            STYLES,
        ),
        "album_size": Option("number", 1.0, "scale of the album cover", minimum=0.2, maximum=2),
        "player_position": Option("choice", "left", "where the panel sits", POSITIONS),
        "player_inset": Option(
            "number", 50, "px between the panel and the card's edges", minimum=0, maximum=500
        ),
        "player_width": Option("number", 900, "px, width of the panel", minimum=400, maximum=3000),
        "player_color": Option("color", None, "colour laid over the panel (black)"),
        "player_opacity": Option(
            "number", 0.5, "how much of the colour covers the panel", minimum=0, maximum=1
        ),
        "round_corners": Option("bool", True, "round the panel's corners"),
        "subtitle": Option("text", "", "a line under the title, e.g. the series name"),
        "add_controls": Option("bool", False, "a row of player buttons under the timeline"),
        "control_colors": Option(
            "text",
            "white white white white white",
            "five colours: shuffle, previous, play, next, repeat",
        ),
        "pause_or_play": Option("choice", "play", "the middle button", ("play", "pause")),
        "draw_heart": Option("bool", False, "a heart beside the title"),
        "heart_color": Option("color", None, "fill of the heart (none)"),
        "heart_stroke_color": Option("color", None, "outline of the heart (white)"),
        "percentage": Option(
            "number",
            None,
            "how far the timeline has played, 0 to 1; empty: an amount drawn for the episode",
            minimum=0,
            maximum=1,
        ),
        "timeline_color": Option("color", None, "colour of the played part (#1DB954)"),
        "episode_text_color": Option("color", None, "colour of the S1 and E3 labels (white)"),
    }

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        pass  # the still as it is: the player is frosted from the card itself

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        controls = self.control_colors(card)
        inset = card.px(float(card.option("player_inset")))
        width = min(card.px(float(card.option("player_width"))), card.width - 2 * inset)
        left = {
            "left": inset,
            "middle": (card.width - width) / 2,
            "right": card.width - inset - width,
        }[str(card.option("player_position"))]
        pad = card.px(self.padding)
        inner = (left + pad, left + width - pad)
        player_style = str(card.option("player_style"))
        album = self.album(card, player_style, inner[1] - inner[0])
        bottom = card.height - inset
        timeline = bottom - card.px(self.timeline_below)
        if controls is not None:
            timeline -= card.px(self.controls_height)

        # From the bottom up: timeline, subtitle, title, album cover; then the panel round them.
        labels = self.labels(card, inner, timeline)
        subtitle = self.subtitle(card, inner[0], timeline - card.px(self.subtitle_gap))
        above = subtitle.bbox() if subtitle is not None else None
        baseline = (above[1] - card.px(30)) if above else timeline - card.px(self.title_gap)
        heart = card.px(self.heart_size) if card.option("draw_heart") else 0
        album_room = album.height + card.px(self.album_gap) if album is not None else 0
        room = baseline - (inset + pad + album_room + card.margin)
        title = card.title_block(
            inner[0],
            baseline,
            "left",
            "up",
            max_width=max(card.px(100), inner[1] - inner[0] - heart * 1.5),
            max_height=max(card.px(60), min(card.px(self.title_max_height), room)),
        )
        ink = title.bbox() if title is not None else None
        text_top = ink[1] if ink else baseline - card.px(60)
        album_at = None
        top = text_top - pad
        if album is not None:
            album_at = (round(inner[0]), round(text_top - card.px(self.album_gap) - album.height))
            top = album_at[1] - pad
        top = max(top, card.margin)

        box = (round(left), round(top), round(left + width), round(bottom))
        self.panel(card, canvas, box)
        if album is not None and album_at is not None:
            self.paste_album(card, canvas, album, album_at, player_style)
        card.draw(canvas, title)
        card.draw(canvas, subtitle)
        self.timeline(card, canvas, labels, inner, timeline)
        if heart and title is not None:
            last = title.lines[-1]
            cap = layout.cap_height(last.parts[0].style) if last.parts else heart
            self.heart(card, canvas, (inner[1] - heart * 0.6, last.y - cap / 2), heart)
        if controls is not None:
            self.controls(card, canvas, controls, inner, bottom - pad - card.px(self.play_radius))

    # --- the pieces -------------------------------------------------------------------------

    def album(self, card: Card, player_style: str, room: float) -> Image.Image | None:
        """The album cover at its size (RGBA, at most `room` wide), or None for the basic player.
        The series' own pictures: not blurred on a blurred card (they give nothing away)."""
        if player_style == "basic":
            return None
        scale = float(card.option("album_size"))
        w, h = (card.px(v) * scale for v in self.album_boxes[player_style])
        if w > room:
            w, h = room, h * room / w
        if player_style == "logo":
            logo = card.logo((w, h))
            if logo is None:
                raise RenderError(f"{MISSING_INPUT['logo']}, or player_style basic")
            return logo
        if not card.spec.poster:
            raise RenderError(f"{MISSING_INPUT['poster']}, or player_style basic")
        side = min(w, h)
        size = (side, side) if player_style == "artwork" else (w, h)
        size = (max(1, round(size[0])), max(1, round(size[1])))
        poster = source.load_cover(card.spec.poster, size, what="poster")
        if poster.size != size:
            poster = poster.resize(size, Image.Resampling.BICUBIC)
        return poster.convert("RGBA")

    def paste_album(
        self, card: Card, canvas: Image.Image, album: Image.Image, at: tuple[int, int], kind: str
    ) -> None:
        if kind == "artwork":
            mask = _rounded_mask(album.size, card.px(self.album_radius))
            color, opacity, radius, dx, dy = self.album_shadow
            shadow = (color, opacity, card.px(radius), round(card.px(dx)), round(card.px(dy)))
            layout.drop_shadow(canvas, mask, at[0], at[1], shadow)
            album.putalpha(mask)
        canvas.paste(album, at, album)

    def panel(self, card: Card, canvas: Image.Image, box: tuple[int, int, int, int]) -> None:
        """The still behind the panel, blurred and tinted, with rounded corners."""
        size = (box[2] - box[0], box[3] - box[1])
        if size[0] <= 0 or size[1] <= 0:
            return
        if hasattr(canvas, "pixels"):  # a card drawn on an array (core.PixelCanvas)
            self.panel_pixels(card, canvas, box)
            return
        region = effects.frost(
            canvas.crop(box),
            card.px(self.blur),
            card.option("player_color") or self.player_color,
            float(card.option("player_opacity")),
        )
        radius = card.px(self.radius) if card.option("round_corners") else 0
        if radius < 1:
            canvas.paste(region, box[:2])
            return
        r = min(round(radius), size[0] // 2, size[1] // 2)
        effects.paste_rounded(canvas, region, box[:2], _rounded_mask(size, radius), r)

    def panel_pixels(self, card: Card, canvas: Any, box: tuple[int, int, int, int]) -> None:
        """panel() on a card's BGR array: the frost and the rounded paste work on every channel
        alike, so done on a picture of the BGR box (black beyond the card, as Pillow's crop
        gives) with the colour's red and blue swapped, they give the BGR of the Pillow card's."""
        import numpy as np

        pixels, (width, height) = canvas.pixels, canvas.size
        size = (box[2] - box[0], box[3] - box[1])
        x0, y0 = max(0, box[0]), max(0, box[1])
        x1, y1 = min(width, box[2]), min(height, box[3])
        if x0 >= x1 or y0 >= y1:
            return
        canvas.flush()
        padded = np.zeros((size[1], size[0], 3), np.uint8)
        inner = (slice(y0 - box[1], y1 - box[1]), slice(x0 - box[0], x1 - box[0]))
        padded[inner] = pixels[y0:y1, x0:x1]
        part = Image.fromarray(padded)
        color = card.option("player_color") or self.player_color
        frosted = effects.frost(
            part, card.px(self.blur), color[::-1], float(card.option("player_opacity"))
        )
        radius = card.px(self.radius) if card.option("round_corners") else 0
        if radius >= 1:
            r = min(round(radius), size[0] // 2, size[1] // 2)
            effects.paste_rounded(part, frosted, (0, 0), _rounded_mask(size, radius), r)
            frosted = part
        pixels[y0:y1, x0:x1] = np.asarray(frosted)[inner]

    def labels(self, card: Card, inner: tuple[float, float], y: float) -> list[Block]:
        """S1 at the left end of the timeline, E3 at the right end, centred on its row."""
        color = card.option("episode_text_color") or card.title_style.color
        style = card.style(self.label_font, self.label_size, color)
        left, right = inner[0] + card.px(self.timeline_inset), inner[1]
        most = (right - left) * 0.3  # each label leaves the track room, however long it is
        episode = "".join(text for text, _ in card.episode_parts or ())
        blocks = []
        for text, x, align in ((card.season_text, left, "left"), (episode, right, "right")):
            block = (
                card.line_block(layout.fit_line([(text, style)], most), x, y, align)
                if text
                else None
            )
            if block is not None:
                block.centre_on(y)
                blocks.append(block)
        return blocks

    def subtitle(self, card: Card, x: float, y: float) -> Block | None:
        text = str(card.option("subtitle")).strip()
        if not text:
            return None
        style = card.style(self.subtitle_font, self.subtitle_size, card.title_style.color)
        return card.line_block([(text, style)], x, y, "left")

    def timeline(
        self,
        card: Card,
        canvas: Image.Image,
        labels: list[Block],
        inner: tuple[float, float],
        y: float,
    ) -> None:
        """The labels, and between them the track with its played part and knob."""
        gap = card.px(self.label_gap)
        start, end = inner[0] + card.px(self.timeline_inset), inner[1]
        for block in labels:
            card.draw(canvas, block)
            box = block.bbox()
            if box is not None and box[0] <= start + 1:
                start = box[2] + gap
            elif box is not None:
                end = box[0] - gap
        if end - start < card.px(20):
            return
        share = card.option("percentage")
        if share is None:
            share = card.random("progress").random()
        played = start + (end - start) * float(share)
        # At least a pixel high: on a small card (a 320-px preview) the heights round to nothing.
        track = max(card.px(self.track_height), 1.0) / 2
        bar = max(card.px(self.bar_height), 1.0) / 2
        effects.rectangle(canvas, (start, y - track, end, y + track - 1), self.track_color)
        color = card.option("timeline_color") or self.timeline_color
        effects.rectangle(canvas, (start, y - bar, played, y + bar - 1), color)
        _paint(canvas, color, _disc(card.px(self.knob_radius)), (played, y))

    def control_colors(self, card: Card) -> list[RGB] | None:
        """The five button colours, or None without controls (a bad list is refused either
        way, so that it fails where it was typed)."""
        words = str(card.option("control_colors")).split()
        if len(words) != len(CONTROLS):
            raise RenderError(
                f"bad value {card.option('control_colors')!r} for option control_colors: "
                f"give {len(CONTROLS)} colours ({', '.join(CONTROLS)})"
            )
        colors = [parse_color(word, "colour in option control_colors") for word in words]
        return colors if card.option("add_controls") else None

    def controls(
        self,
        card: Card,
        canvas: Image.Image,
        colors: list[RGB],
        inner: tuple[float, float],
        y: float,
    ) -> None:
        """Shuffle, previous, play (or pause), next, repeat, spread across the panel."""
        step = (inner[1] - inner[0]) / len(CONTROLS)
        size = card.px(self.control_size)
        for i, (name, color) in enumerate(zip(CONTROLS, colors, strict=True)):
            centre = (inner[0] + step * (i + 0.5), y)
            if name == "play":
                radius = card.px(self.play_radius)
                _paint(canvas, color, _disc(radius), centre)
                symbol = str(card.option("pause_or_play"))
                panel = card.option("player_color") or self.player_color
                _paint(canvas, panel, _icon(symbol, radius * 0.45), centre)
            else:
                _paint(canvas, color, _icon(name, size), centre)

    def heart(
        self, card: Card, canvas: Image.Image, centre: tuple[float, float], size: float
    ) -> None:
        fill = card.option("heart_color")
        if fill:
            _paint(canvas, fill, _heart(size, None), centre)
        stroke = card.option("heart_stroke_color") or (255, 255, 255)
        _paint(canvas, stroke, _heart(size, max(1.0, size * 0.09)), centre)


def _paint(canvas: Image.Image, color: RGB, mask: Image.Image, centre: tuple[float, float]) -> None:
    """Paint colour through a mask centred on a point."""
    x, y = round(centre[0] - mask.width / 2), round(centre[1] - mask.height / 2)
    layout.paint(canvas, color, mask, x, y)  # cut to the canvas, as Pillow's paste is


def _smooth(
    size: tuple[float, float], draw: Callable[[ImageDraw.ImageDraw, float], None]
) -> Image.Image:
    """A mask with smooth edges: `draw(pen, k)` draws in white, k times larger than `size`."""
    w, h = max(1, math.ceil(size[0])), max(1, math.ceil(size[1]))
    big = Image.new("L", (w * SUPERSAMPLE, h * SUPERSAMPLE), 0)
    draw(ImageDraw.Draw(big), SUPERSAMPLE)
    return big.reduce(SUPERSAMPLE)


@lru_cache(maxsize=16)
def _disc(radius: float) -> Image.Image:
    d = 2 * radius
    return _smooth((d, d), lambda pen, k: pen.ellipse((0, 0, d * k - 1, d * k - 1), fill=255))


@lru_cache(maxsize=16)
def _rounded_mask(size: tuple[int, int], radius: float) -> Image.Image:
    """A rectangle with quarter circles for corners: only the corners are drawn finely."""
    mask = Image.new("L", size, 255)
    r = min(round(radius), size[0] // 2, size[1] // 2)
    if r < 1:
        return mask
    d = 2 * r
    corner = _smooth((r, r), lambda pen, k: pen.ellipse((0, 0, d * k - 1, d * k - 1), fill=255))
    w, h = size
    mask.paste(corner, (0, 0))
    mask.paste(corner.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (w - r, 0))
    mask.paste(corner.transpose(Image.Transpose.FLIP_TOP_BOTTOM), (0, h - r))
    mask.paste(corner.transpose(Image.Transpose.ROTATE_180), (w - r, h - r))
    return mask


@lru_cache(maxsize=32)
def _icon(name: str, size: float) -> Image.Image:
    """A player button's symbol, `size` being half its height, centred in its mask."""
    side = 2.4 * size

    def draw(pen: ImageDraw.ImageDraw, k: float) -> None:
        c, s = side * k / 2, size * k

        def at(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
            return [(c + x * s, c + y * s) for x, y in points]

        line = max(1, round(0.18 * s))
        if name == "play":
            pen.polygon(at([(-0.7, -1), (-0.7, 1), (1, 0)]), fill=255)
        elif name == "pause":
            pen.rectangle(at([(-0.75, -1), (-0.2, 1)]), fill=255)
            pen.rectangle(at([(0.2, -1), (0.75, 1)]), fill=255)
        elif name in ("previous", "next"):
            flip = -1 if name == "previous" else 1
            pen.polygon(at([(-0.8 * flip, -1), (-0.8 * flip, 1), (0.65 * flip, 0)]), fill=255)
            bar = sorted((0.65 * flip, 0.95 * flip))
            pen.rectangle(at([(bar[0], -1), (bar[1], 1)]), fill=255)
        elif name == "shuffle":
            for y0 in (0.6, -0.6):
                pen.line(
                    at([(-1, y0), (-0.4, y0), (0.4, -y0), (0.7, -y0)]),
                    fill=255,
                    width=line,
                    joint="curve",
                )
                pen.polygon(at([(0.65, -y0 - 0.35), (0.65, -y0 + 0.35), (1.05, -y0)]), fill=255)
        elif name == "repeat":
            pen.rounded_rectangle(
                at([(-1, -0.65), (1, 0.65)]), radius=0.45 * s, outline=255, width=line
            )
            pen.polygon(at([(0.1, -1.0), (0.1, -0.3), (0.55, -0.65)]), fill=255)

    return _smooth((side, side), draw)


@lru_cache(maxsize=8)
def _heart(size: float, stroke: float | None) -> Image.Image:
    """A heart `size` wide: filled, or its outline `stroke` wide."""
    # The classic heart curve: about 32 units wide and 29 tall, centred on (0, -1.5) units.
    curve = [
        (
            16 * math.sin(t) ** 3,
            1.5 - (13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)),
        )
        for t in (i * math.tau / 120 for i in range(120))
    ]
    side = size * 1.15

    def draw(pen: ImageDraw.ImageDraw, k: float) -> None:
        scale = size * k / 34
        points = [(side * k / 2 + x * scale, side * k / 2 + y * scale) for x, y in curve]
        if stroke is None:
            pen.polygon(points, fill=255)
        else:
            pen.line([*points, points[0]], fill=255, width=round(stroke * k), joint="curve")

    return _smooth((side, side), draw)
