"""What a card is made of: the plain data the renderer takes and gives back.

Nothing here knows about Django or Plex; the pipeline builds a CardSpec from its models and
hands it to render().
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from PIL import Image

# Bump whenever a change makes the same CardSpec come out with different pixels on every card
# type, so that stored fingerprints no longer match and cards get re-rendered. A change to one
# type's look bumps that type's own `version` (CardType.version) instead: only its cards are
# re-rendered. Both are in the fingerprint (cards/looks.py).
# 2: grayscale takes the colour out of the text too
# 3: a still larger than the card is scaled down from a full decode, not up from a halved one
RENDERER_VERSION = "3"

STYLES: tuple[str, ...] = (
    "unique",
    "blur",
    "grayscale",
    "blur grayscale",
    "art",
    "art blur",
    "art grayscale",
    "art blur grayscale",
)

CASES = ("upper", "lower", "title", "source")

# The spec's picture inputs: file paths, which the fingerprint replaces by the files' contents.
PATHS = ("source", "art", "logo", "poster")


class RenderError(Exception):
    """The card cannot be rendered from this input; the message is one line saying why."""


@dataclass(frozen=True)
class FontSpec:
    """How to draw the title. Every field's default keeps the card type's own setting."""

    file: str | None = None
    color: str | None = None
    size: float = 1.0
    kerning: float = 1.0
    stroke_width: float = 1.0
    stroke_color: str | None = None
    interline_spacing: int = 0
    vertical_shift: int = 0
    case: str | None = None
    replacements: tuple[tuple[str, str], ...] = ()
    # Extra space for every space character of the title, in px of a 3200x1800 card.
    word_spacing: float = 0.0
    # Where a title split over several lines puts its weight: above 0 longer top lines, below
    # 0 longer bottom lines, 0 balanced (-1 to 1).
    line_split_bias: float = 0.0


@dataclass(frozen=True)
class CardSpec:
    # The episode's still; empty when Plex has none (card types that need no still still draw).
    source: str
    title: str
    season_number: int | None = None
    episode_number: int | None = None
    absolute_number: int | None = None
    # The last episode number of the season, for card types that draw how far into its season
    # an episode is (graph); None for the others, and then left out of the fingerprint.
    season_episode_max: int | None = None
    series_name: str = ""
    card_type: str = "standard"
    style: str = "unique"
    art: str | None = None
    # The series' transparent logo (Plex's clearLogo or an upload) and its poster, for the card
    # types that use them; None when the series has none.
    logo: str | None = None
    poster: str | None = None
    font: FontSpec = field(default_factory=FontSpec)
    episode_text: str | None = None
    episode_text_format: str | None = None
    # The title drawn, as a format of the same fields as the episode line, e.g.
    # "{series_name}: {title}" or "Chapter {episode_number:cardinal}"; None draws the title.
    title_format: str | None = None
    season_text: str | None = None
    hide_season_text: bool = False
    hide_episode_text: bool = False
    width: int = 3200
    height: int = 1800
    quality: int = 95
    extras: tuple[tuple[str, str], ...] = ()

    def fingerprint_data(self) -> dict:
        """Everything that decides the pixels except file paths (the caller hashes the files'
        contents itself, so a moved file does not force a re-render), plus the renderer version.
        """
        data = dataclasses.asdict(self)
        for path in PATHS:
            del data[path]
        if data["season_episode_max"] is None:
            # Absent rather than null: cards from before the field keep their fingerprint.
            del data["season_episode_max"]
        font = data["font"]
        font["custom_file"] = font.pop("file") is not None
        font["replacements"] = [list(pair) for pair in self.font.replacements]
        for name in ("word_spacing", "line_split_bias"):
            if font[name] == 0:
                # Absent rather than 0: cards from before these fields keep their fingerprint.
                del font[name]
        data["extras"] = [list(pair) for pair in self.extras]
        data["renderer_version"] = RENDERER_VERSION
        return data


@dataclass(frozen=True)
class Style:
    """A style name taken apart: which picture, and which spoiler-hiding effects."""

    art: bool
    blur: bool
    grayscale: bool

    @classmethod
    def parse(cls, name: str) -> Style:
        if name not in STYLES:
            raise RenderError(f"unknown style {name!r}; choose one of: {', '.join(STYLES)}")
        words = name.split()
        return cls(art="art" in words, blur="blur" in words, grayscale="grayscale" in words)


@dataclass
class RenderResult:
    data: bytes  # the JPEG file
    # The same picture before encoding (RGB), or what makes it: a card drawn on an array
    # becomes a Pillow image only for a caller that asks (`image`), not for every upload.
    picture: Image.Image | Callable[[], Image.Image]
    # Ink boxes (left, top, right, bottom) of every piece of text drawn, in canvas pixels.
    text_boxes: list[tuple[int, int, int, int]] = field(default_factory=list)
    # Things the caller may want to log, e.g. characters no bundled font can draw.
    warnings: list[str] = field(default_factory=list)

    @property
    def image(self) -> Image.Image:
        if callable(self.picture):
            self.picture = self.picture()
        return self.picture
