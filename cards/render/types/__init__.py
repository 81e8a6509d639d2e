"""The card types, by name. A card type is one module in this package with one CardType
subclass; it is found here by itself (no list to keep in step), ordered by its `rank`."""

from __future__ import annotations

import difflib
import importlib
import pkgutil

from ..spec import RenderError
from .base import CardType


def _discover() -> dict[str, CardType]:
    found: list[type[CardType]] = []
    for module in pkgutil.iter_modules(__path__):
        if module.name == "base" or module.name.startswith("_"):
            continue
        namespace = vars(importlib.import_module(f"{__name__}.{module.name}"))
        found += [
            kind
            for kind in namespace.values()
            if isinstance(kind, type)
            and issubclass(kind, CardType)
            and kind.name
            and kind.__module__ == f"{__name__}.{module.name}"
        ]
    found.sort(key=lambda kind: (kind.rank, kind.name))
    return {kind.name: kind() for kind in found}


CARD_TYPES: dict[str, CardType] = _discover()
# TitleCardMaker's names ("tinted frame", "comic book", "generic"...) find the same types.
ALIASES: dict[str, str] = {
    alias: name
    for name, kind in CARD_TYPES.items()
    for alias in (name.replace("_", " "), name.replace("_", "-"), *kind.aliases)
}


def get(name: str) -> CardType:
    key = name.strip().lower()
    try:
        return CARD_TYPES[ALIASES.get(key, key)]
    except KeyError:
        raise RenderError(
            f"unknown card type {name!r}; choose one of: {', '.join(CARD_TYPES)}"
        ) from None


def version(name: str) -> int | None:
    """The card type's own version (CardType.version), for the fingerprint; None for a name no
    type has (such a spec renders no card, so its fingerprint only needs to be stable)."""
    try:
        return get(name).version
    except RenderError:
        return None


def without_still() -> list[str]:
    """The card types that draw without an episode still (spoiler-safe choices)."""
    return [name for name, kind in CARD_TYPES.items() if kind.spoiler_safe()]


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
            close = difflib.get_close_matches(name, known, n=3)
            if close:
                hint = f"did you mean {' or '.join(map(repr, close))}?"
            else:
                hint = f"options: {', '.join(known)}"
            problems.append(f"no card type has an option {name!r} ({hint})")
            continue
        for option in options:
            try:
                option.parse(name, str(raw))  # the pipeline hands every value over as text
            except RenderError as exc:
                problems.append(str(exc))
                break
    return problems
