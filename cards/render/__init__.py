"""The card renderer: pure code, plain data in, JPEG bytes out.

No ORM, no network, no Django settings here; the pipeline builds a CardSpec and calls render().
"""

from __future__ import annotations

from .core import reencode, render
from .spec import (
    RENDERER_VERSION,
    STYLES,
    CardSpec,
    FontSpec,
    RenderError,
    RenderResult,
)
from .types import CARD_TYPES


def card_type_choices() -> list[tuple[str, str]]:
    """(name, label) pairs for the admin, the most used first."""
    names = list(CARD_TYPES)  # by usage rank: standard first
    return [(name, CARD_TYPES[name].label) for name in names]


__all__ = [
    "RENDERER_VERSION",
    "STYLES",
    "CardSpec",
    "FontSpec",
    "RenderError",
    "RenderResult",
    "card_type_choices",
    "reencode",
    "render",
]
