"""poster: the series poster down the left side, a star field beside it, and on the field the
title in a squared techno face, "Ep. 3" at the bottom and the series logo (when it has one) at
the top. It shows nothing of the episode but its title: it needs no still."""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw

from .. import effects, fonts
from .base import Card, CardType, Option, picture

TECHNO = fonts.bundled("FerriteCoreDX-Black.otf")


class Poster(CardType):
    name = "poster"
    label = "Poster"
    rank = 25
    aliases = ("gundam",)
    still = "unused"
    needs = ("poster",)
    uses = ("logo",)
    fills_canvas = False
    background = "#07080C"
    blur_radius = 30

    title_font = TECHNO
    title_size = 150  # Ferrite Core is wider than the reference's face: smaller, as wide
    title_color = "white"
    title_line_spacing = -10
    title_case = "upper"
    title_max_lines = 5
    title_max_width = 1800
    logo_drop = 200  # the title's middle moves this far down when there is a logo

    season_format = None
    episode_format = "Ep. {episode_number}"
    episode_case = "source"
    episode_size = 75
    episode_baseline = 87  # above the bottom edge

    poster_aspect = 2 / 3  # the poster's width to its height; at most `poster_share` of the card
    poster_share = 0.6
    fade = (160, 10)  # the field fades in over the poster from this far to this far from its edge
    field_top = (7, 8, 12)  # the field's colour at the top and at the bottom
    field_bottom = (7, 9, 22)
    star_density = 2.5  # stars per 1000 square pixels
    star_seed = 2249

    logo_box = (1775, 450)
    logo_top = 50
    gap = 50  # between the title and the logo or the episode line

    options = {
        "episode_text_color": Option("color", None, "colour of the episode line (the font's)"),
        "hide_logo": Option("bool", False, "no series logo above the title"),
    }

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        """The star field, then the poster with its right edge fading into it."""
        w, h = image.size
        width = self.poster_width(card)
        # Its light blur leaves a large picture to blur: computed at half the usual size (the
        # blur as wide on the card), where it costs an eighth.
        poster = picture(card, str(card.spec.poster), (width, h), "poster", small_radius=3.0)
        start, end = round(card.px(self.fade[0])), round(card.px(self.fade[1]))
        solid = max(0, min(width, width - start))
        # The field is the same on every card of a size: drawn once (its thousands of stars
        # cost more than the rest of the card's drawing) and copied.
        image = _field(
            w, h, image.mode, self.field_top, self.field_bottom, self.star_density, self.star_seed
        ).copy()
        # The opaque part as it is, and only the fading strip through its mask: a masked paste
        # costs Pillow several times a plain one, per pixel (same pixels either way).
        if solid:
            image.paste(poster.crop((0, 0, solid, h)), (0, 0))
        if solid < width:
            strip = (solid, 0, width, h)
            image.paste(poster.crop(strip), strip, _fade(width, h, start, end).crop(strip))
        return image

    def poster_width(self, card: Card) -> int:
        return round(min(card.height * self.poster_aspect, card.width * self.poster_share))

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        field = self.poster_width(card)
        middle_x = (field + card.width) / 2
        room = card.width - field - 2 * card.margin
        top = card.margin
        logo = None if card.option("hide_logo") else self.logo(card, room)
        if logo is not None:
            x, y = round(middle_x - logo.width / 2), round(card.px(self.logo_top))
            canvas.paste(logo, (x, y), logo)
            top = y + logo.height + card.px(self.gap)

        color = card.option("episode_text_color") or card.title_style.color
        style = card.style(self.title_font, self.episode_size, color)
        segments = card.episode_segments(style, style, " ")
        episode = card.line_block(
            segments, middle_x, card.from_bottom(self.episode_baseline), "center"
        )
        box = episode.bbox() if episode is not None else None
        bottom = (box[1] if box else card.height - card.margin) - card.px(self.gap)
        card.draw(canvas, episode)

        middle = card.height / 2 + (card.px(self.logo_drop) if logo is not None else 0)
        middle = min(max(middle, top), bottom)
        half = max(card.px(100), min(middle - top, bottom - middle))
        title = card.title_block(
            middle_x,
            middle,
            "center",
            "down",
            max_width=min(room, card.px(self.title_max_width)),
            max_height=2 * half,
        )
        if title is not None:
            title.centre_on(middle)
            card.draw(canvas, title)

    def logo(self, card: Card, room: float) -> Image.Image | None:
        return card.logo((min(card.px(self.logo_box[0]), room), card.px(self.logo_box[1])))


@lru_cache(maxsize=4)
def _fade(width: int, height: int, start: int, end: int) -> Image.Image:
    """The poster's mask: opaque, then fading out between `start` and `end` pixels from its
    right edge."""
    values = []
    for x in range(width):
        left = width - x  # distance from the right edge
        values.append(
            255
            if left >= start
            else 0
            if left <= end
            else round(255 * (left - end) / max(1, start - end))
        )
    row = Image.new("L", (width, 1))
    row.putdata(values)
    return row.resize((width, height), Image.Resampling.NEAREST)


@lru_cache(maxsize=2)
def _field(
    w: int,
    h: int,
    mode: str,
    top: tuple[int, int, int],
    bottom: tuple[int, int, int],
    density: float,
    seed: int,
) -> Image.Image:
    """The star field of a card of w x h: bands from `top` to `bottom` colour, stars over it.
    Callers paste it (never draw on it): it is shared."""
    image = Image.new(mode, (w, h))
    pen = ImageDraw.Draw(image)
    bands = 12  # one blue level apart: no band shows
    for i in range(bands):
        t = i / (bands - 1)
        color = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        pen.rectangle((0, round(h * i / bands), w - 1, round(h * (i + 1) / bands) - 1), fill=color)
    effects.star_field(image, w, density, 1.0, 0.0, seed)
    return image
