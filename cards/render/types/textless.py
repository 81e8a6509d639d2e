"""textless: the picture alone, no text, gradient or frame, in the card's style.

Without a still it draws the series' background art (a series picture gives nothing away, and
the card still looks like one), and without either a plain `background`: so it serves episodes
Plex has no still for, as the spoiler-safe choice.
"""

from __future__ import annotations

from PIL import Image

from .. import scale
from .base import Card, CardType, Option


class Textless(CardType):
    name = "textless"
    label = "Textless"
    rank = 27
    aliases = ("import",)

    still = "optional"
    uses = ("art",)

    options = {
        "background": Option(
            "color", None, "colour of the card with neither still nor art (black)"
        ),
    }

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        spec = card.spec
        if spec.source or card.look.art or not spec.art:
            return image  # the still (or, in an art style, the art) already covers the card
        size = (card.width, card.height)
        art = card.picture(spec.art, size, "art image")
        return scale.upscale(art, size, smooth=card.look.blur)

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        return None
