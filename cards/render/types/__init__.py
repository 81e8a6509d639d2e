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


def check_extras(extras: dict[str, object]) -> list[str]:
    """What is wrong with a series' card-type options (its "extras"), one line each; [] when
    nothing is. A series' extras may be meant for any card type (it can change type), so an
    option is checked against every type that has one of that name, and one no type has is a
    typo."""
    problems = []
    for name, raw in extras.items():
        options = [kind.options[name] for kind in CARD_TYPES.values() if name in kind.options]
        if not options:
            known = sorted({option for kind in CARD_TYPES.values() for option in kind.options})
            problems.append(f"no card type has an option {name!r} (options: {', '.join(known)})")
            continue
        for option in options:
            try:
                option.parse(name, str(raw))  # the pipeline hands every value over as text
            except RenderError as exc:
                problems.append(str(exc))
                break
    return problems
