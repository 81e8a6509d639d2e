"""logo: the series logo large in the upper part of a plain card (optionally over the still), the
title and "SEASON 1 • EPISODE 3" under it as on the standard card. Needs no still: a spoiler-safe
choice for episodes Plex has no still for."""

from __future__ import annotations

import math

from PIL import Image

from .. import effects, scale
from .base import BottomGradient, Card, Option
from .standard import Standard


class Logo(Standard):
    name = "logo"
    label = "Logo"
    rank = 16
    aliases = ("reality tv",)

    still = "optional"
    needs = ("logo",)
    fills_canvas = False  # a plain background unless use_background_image
    background = "black"

    logo_box = (1875, 1030)  # the logo fits this box (x logo_size)...
    logo_band = (60, 1090)  # ...centred between these rows

    options = {
        **Standard.options,
        "logo_size": Option("number", 1.0, "scale of the logo", (), 0.1, 3),
        "logo_vertical_shift": Option(
            "number", 0.0, "px, positive moves the logo down", (), -1800, 1800
        ),
        "background": Option("color", None, "colour of the card behind the logo (black)"),
        "use_background_image": Option(
            "bool", False, "draw the episode's still (or the art) behind the logo"
        ),
        # On by default, unlike the reference: blur styles hide the still, and a series logo gives
        # nothing away; blurred, it only makes the card look broken.
        "blur_only_image": Option(
            "bool", True, "blur styles blur the background picture only, not the logo"
        ),
        "omit_gradient": Option("bool", True, "no dark gradient at the bottom"),
    }

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        path = self.background_picture(card)
        if path:
            size = (card.width, card.height)
            picture = card.picture(path, size, "art image" if card.look.art else "source image")
            image = scale.upscale(picture, size, smooth=card.look.blur)
        return BottomGradient.backdrop(self, card, image)

    @staticmethod
    def background_picture(card: Card) -> str | None:
        if not card.option("use_background_image"):
            return None
        return card.spec.art if card.look.art else (card.spec.source or None)

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        size = float(card.option("logo_size"))
        box = (card.px(self.logo_box[0] * size), card.px(self.logo_box[1] * size))
        logo = card.logo(box)
        if logo is not None:
            middle = card.px(sum(self.logo_band) / 2 + float(card.option("logo_vertical_shift")))
            x, y = round((card.width - logo.width) / 2), round(middle - logo.height / 2)
            if card.look.blur and not card.option("blur_only_image"):
                logo, pad = soften(logo, card.blur_radius)
                x, y = x - pad, y - pad
            canvas.paste(logo, (x, y), logo)
        super().decorate(card, canvas)


def soften(logo: Image.Image, radius: float) -> tuple[Image.Image, int]:
    """The logo blurred like the picture of a blur style, with room for the blur round it (and
    how much room). Blurred premultiplied ("RGBa"): transparent pixels have no colour to bleed
    into the edges as a dark fringe."""
    pad = math.ceil(3 * radius)
    padded = Image.new("RGBa", (logo.width + 2 * pad, logo.height + 2 * pad))
    padded.paste(logo.convert("RGBa"), (pad, pad))
    small = effects.blur_small(padded, radius)
    return small.resize(padded.size, effects.UPSCALE).convert("RGBA"), pad
