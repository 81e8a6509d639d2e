"""The card types, by name. Add a module with a CardType subclass and list it here."""

from __future__ import annotations

from ..spec import RenderError
from .anime import Anime
from .base import CardType
from .olivier import Olivier
from .standard import Standard
from .star_wars import StarWars
from .tinted_frame import TintedFrame

CARD_TYPES: dict[str, CardType] = {
    kind.name: kind() for kind in (Standard, Anime, TintedFrame, StarWars, Olivier)
}


def get(name: str) -> CardType:
    try:
        return CARD_TYPES[name]
    except KeyError:
        raise RenderError(
            f"unknown card type {name!r}; choose one of: {', '.join(CARD_TYPES)}"
        ) from None
