"""What every card type shares: its declared defaults, its options, and the Card being drawn.

A card type module subclasses CardType, states its look as class attributes (numbers in pixels of
a 3200x1800 card, scaled to the real canvas) and implements up to three steps:

- adjust(card, image): colour work on the picture, at whatever resolution is cheapest;
- backdrop(card, image): smooth overlays (gradients) on the picture, same resolution;
- decorate(card, canvas): sharp things (text, lines, stars) on the full-size canvas.

A type whose picture work is only shading may set `pixels` and implement backdrop_pixels()
instead of backdrop() (adjust() still runs before a blur): its cards are then drawn on an array
from decode to encode (core.compose_pixels), and decorate() gets a core.PixelCanvas: it pastes
colour through masks (text, layout.paint) and pictures (a logo), fills rectangles
(effects.rectangle) and maps a box through a table of levels; effects.star_field and
effects.glow draw on it, and a type that works on the card's own pixels (a frosted panel) does
so on `canvas.pixels` (BGR) after `canvas.flush()`.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from PIL import Image, ImageColor

from .. import effects, fonts, layout, scale
from .. import source as pictures
from ..layout import RGB, Block, TextStyle
from ..spec import CASES, CardSpec, RenderError, Style
from ..text import apply_case, apply_replacements, clean, format_parts

BASE_WIDTH, BASE_HEIGHT = 3200, 1800


def parse_color(value: str, what: str = "colour") -> RGB:
    try:
        rgb = ImageColor.getrgb(value.strip())
    except (ValueError, AttributeError):
        raise RenderError(f"unknown {what} {value!r}; use e.g. #EBEBEB or white") from None
    return rgb[:3]


def _parse_bool(value: str) -> bool:
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true or false")


def _parse_number(value: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("expected a finite number")
    return number


OPTION_KINDS = ("color", "number", "int", "bool", "text", "choice")


@dataclass(frozen=True)
class Option:
    """A card-type option, set through CardSpec.extras (all values arrive as strings).

    Declared once, at the top of its card type's module; the admin builds its form fields from
    the same declaration (kind, default, limits, help), so what the form accepts is what the
    renderer accepts.
    """

    kind: str  # one of OPTION_KINDS
    default: object
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None  # for number and int
    maximum: float | None = None
    # For text: a regular expression the whole value must match (a form can check it too).
    pattern: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in OPTION_KINDS:
            raise ValueError(f"unknown option kind {self.kind!r}")
        if self.kind == "choice" and self.default not in self.choices:
            raise ValueError(f"default {self.default!r} is not one of {self.choices}")

    def parse(self, name: str, raw: str) -> object:
        try:
            if self.kind == "color":
                return parse_color(raw, f"colour for {name}")
            if self.kind in ("number", "int"):
                number = _parse_number(raw)
                if self.kind == "int":
                    if number != int(number):
                        raise ValueError("expected a whole number")
                    number = int(number)
                self.check_limits(number)
                return number
            if self.kind == "bool":
                return _parse_bool(raw)
            if self.kind == "choice":
                value = str(raw).strip().lower()
                if value not in self.choices:
                    raise ValueError(f"choose one of {', '.join(self.choices)}")
                return value
            if self.pattern and not re.fullmatch(self.pattern, str(raw).strip()):
                raise ValueError(f"not in the expected form ({self.help})")
            return str(raw)
        except ValueError as exc:
            raise RenderError(f"bad value {raw!r} for option {name}: {exc}") from None

    def check_limits(self, number: float) -> None:
        low, high = self.minimum, self.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(f"must be between {_limit(low, '-inf')} and {_limit(high, 'inf')}")


def _limit(value: float | None, none: str) -> str:
    return none if value is None else f"{value:g}"


@dataclass(frozen=True)
class Sides(Option):
    """Four lengths in reference px, "top right bottom left" (TitleCardMaker's box_adjustments),
    given as text; one number applies to every side. Parsed to a tuple of four floats (the
    default too), and the tuple's own spelling "(0, 0, 0, 0)" reads back the same, so a form
    that shows the default and sends it back unchanged is not refused."""

    kind: str = "text"
    default: object = (0.0, 0.0, 0.0, 0.0)
    help: str = "px added to each side: top right bottom left"
    minimum: float | None = -1000
    maximum: float | None = 1000

    def parse(self, name: str, raw: str) -> object:
        words = str(raw).translate(str.maketrans(",()[]", "     ")).split()
        try:
            if len(words) not in (1, 4):
                raise ValueError("expected four numbers: top right bottom left")
            values = tuple(_side(word) for word in words)
            for value in values:
                self.check_limits(value)
        except ValueError as exc:
            raise RenderError(f"bad value {raw!r} for option {name}: {exc}") from None
        return values * 4 if len(values) == 1 else values


def _side(word: str) -> float:
    try:
        return _parse_number(word)
    except ValueError:
        raise ValueError(f"{word!r} is not a number (top right bottom left, in px)") from None


# What a card type may draw with besides its text. The still is the episode's own picture; the
# others belong to the series.
INPUTS = ("still", "art", "logo", "poster")
MISSING_INPUT = {
    "logo": "no logo for this series: upload one or choose another card type",
    "poster": "no poster for this series: upload one or choose another card type",
    "art": "no background art for this series: upload one or choose another card type",
}


class CardType:
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    # Position in the reference community's usage ranking (most used first): the order the admin
    # lists the types in.
    rank: ClassVar[int] = 100
    # Other names for it, as TitleCardMaker users know them ("tinted frame", "generic"...).
    aliases: ClassVar[tuple[str, ...]] = ()
    # Bump when a change to this type alone changes the pixels of the same spec: its cards (and
    # only its) get re-rendered. A change to every type bumps spec.RENDERER_VERSION instead.
    version: ClassVar[int] = 1

    # Inputs. The still is "required" (no card without one), "optional" (drawn on a plain
    # background when there is none) or "unused". `needs` names the series' pictures the type
    # cannot do without; `uses` those it draws when there are some.
    still: ClassVar[str] = "required"
    needs: ClassVar[tuple[str, ...]] = ()
    uses: ClassVar[tuple[str, ...]] = ()
    # When False the card starts as a plain `background` canvas and the type places its
    # pictures itself (card.picture(), card.logo()); otherwise the still (or art) covers it.
    fills_canvas: ClassVar[bool] = True
    # Whether it draws the episode's place in its season (graph): the pipeline then fills
    # CardSpec.season_episode_max, which every other card does without.
    season_progress: ClassVar[bool] = False
    background: ClassVar[str] = "black"
    # The blur of the blur styles, in reference px (some types blur less than the usual 60).
    blur_radius: ClassVar[float] = effects.BLUR_RADIUS

    # Title, in pixels of a 3200x1800 card.
    title_font: ClassVar[str] = fonts.CONDENSED
    title_size: ClassVar[float] = 150
    title_color: ClassVar[str] = "white"
    title_kerning: ClassVar[float] = 0
    title_word_spacing: ClassVar[float] = 0
    title_stroke: ClassVar[float] = 0
    title_stroke_color: ClassVar[str] = "black"
    title_line_spacing: ClassVar[float] = 0
    title_case: ClassVar[str] = "upper"
    title_max_lines: ClassVar[int] = 4
    title_max_width: ClassVar[float] = 2600

    # Episode line: what it says. {season_number} etc.; see text.format_parts.
    season_format: ClassVar[str | None] = "SEASON {season_number}"
    episode_format: ClassVar[str] = "EPISODE {episode_number}"
    episode_case: ClassVar[str] = "upper"

    options: ClassVar[dict[str, Option]] = {}

    # Drawn on an array (see the module's docstring): backdrop_pixels() instead of backdrop()
    # (and of adjust() on a sharp card), and a decorate() that draws what PixelCanvas takes.
    # The grayscale styles and a card without a picture still go the Pillow way. Not inherited
    # (__init_subclass__):
    # a subclass that draws more (white_border's frame on standard) must say so itself.
    pixels: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "pixels" not in cls.__dict__:
            cls.pixels = False

    def adjust(self, card: Card, image: Image.Image) -> Image.Image:
        return image

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        """backdrop() on a BGR array (height x width x 3) at the picture's resolution, in
        place; for types that set `pixels`."""
        raise NotImplementedError

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        return image

    def decorate(self, card: Card, canvas: Image.Image) -> None:
        raise NotImplementedError

    def finish(self, card: Card, canvas: Image.Image) -> Image.Image:
        """Last step on the whole card (e.g. a blur over everything); default: nothing."""
        return canvas

    def style_blur(self, card: Card) -> float:
        """The blur of the blur styles for this card, in reference px: `blur_radius`, unless an
        option of the type changes it."""
        return self.blur_radius

    @classmethod
    def spoiler_safe(cls) -> bool:
        """Whether the type can hide an unwatched episode by drawing without its still."""
        return cls.still != "required"

    @classmethod
    def inputs(cls) -> tuple[str, ...]:
        """Every picture the type may draw with."""
        still = () if cls.still == "unused" else ("still",)
        return (*still, *cls.needs, *(u for u in cls.uses if u not in cls.needs))


def _cut(image: Image.Image, size: tuple[int, int], part: tuple[float, ...]) -> Image.Image:
    """The part of a box of `size` that `part` covers, from a picture of the box's shape at any
    resolution (to the nearest of its pixels)."""
    if tuple(part) == (0, 0, *size):
        return image
    k = image.width / size[0]
    box = [round(v * k) for v in part]
    box = (
        min(max(0, box[0]), image.width - 1),
        min(max(0, box[1]), image.height - 1),
        max(min(image.width, box[2]), box[0] + 1),
        max(min(image.height, box[3]), box[1] + 1),
    )
    return image.crop(box)


def _rgb(image: Image.Image) -> Image.Image:
    # convert() copies even an RGB picture: 7 ms at card size.
    return image if image.mode == "RGB" else image.convert("RGB")


class BottomGradient:
    """The dark gradient rising from the bottom edge, shared by standard and anime: transparent
    `gradient_height` reference pixels above the bottom, `gradient_opacity` at the bottom."""

    gradient_height: ClassVar[float] = 1255
    gradient_color: ClassVar[RGB] = (12, 12, 12)
    gradient_opacity: ClassVar[float] = 0.85
    gradient_option: ClassVar[Option] = Option("bool", False, "no dark gradient at the bottom")

    def backdrop(self, card: Card, image: Image.Image) -> Image.Image:
        if not card.option("omit_gradient"):
            start = card.from_bottom(self.gradient_height) * image.height / card.height
            effects.bottom_gradient(image, round(start), self.gradient_color, self.gradient_opacity)
        return image

    def backdrop_pixels(self, card: Card, pixels: Any) -> None:
        if not card.option("omit_gradient"):
            start = card.from_bottom(self.gradient_height) * pixels.shape[0] / card.height
            effects.bottom_gradient_pixels(
                pixels, round(start), self.gradient_color, self.gradient_opacity
            )


class Card:
    """One card being drawn: the spec resolved against its card type's defaults."""

    def __init__(self, spec: CardSpec, card_type: CardType):
        if not (16 <= spec.width <= 10000 and 16 <= spec.height <= 10000):
            raise RenderError(f"card size {spec.width}x{spec.height} is out of range (16-10000)")
        if not 1 <= spec.quality <= 100:
            raise RenderError(f"JPEG quality {spec.quality} is out of range (1-100)")
        self.spec = spec
        self.type = card_type
        self.look = Style.parse(spec.style)
        self.width, self.height = spec.width, spec.height
        # Uniform scale from the 3200x1800 reference; distances from an edge use the edge.
        self.scale = min(spec.width / BASE_WIDTH, spec.height / BASE_HEIGHT)
        self.boxes: list[tuple[int, int, int, int]] = []
        self.warnings: list[str] = []
        self.missing: set[str] = set()
        self.state: dict[str, object] = {}  # what backdrop() leaves for decorate()
        self.options = self._options()
        self.title_style, self.title_case, self.title_shift = self._title_font()
        title = apply_replacements(clean(self._formatted_title()), spec.font.replacements)
        self.title = apply_case(title, self.title_case)
        self.season_text, self.episode_parts = self._episode_text()

    def px(self, value: float) -> float:
        """A length from the 3200x1800 reference, on this canvas."""
        return value * self.scale

    def from_bottom(self, value: float) -> float:
        """The row `value` reference pixels above the bottom edge."""
        return self.height - self.px(value)

    def option(self, name: str) -> object:
        return self.options[name]

    @property
    def blur_radius(self) -> float:
        """The blur of the blur styles on this canvas, in pixels."""
        return self.px(self.type.style_blur(self))

    def random(self, purpose: str) -> random.Random:
        """Random numbers for a look the reference draws at random (a texture's scale, a
        progress bar), the same for the same episode on every render: a re-render must give the
        same bytes, or the stored fingerprint would not stand for the card. Seeded by the
        episode (series, season, episode number), not the title, so correcting a title keeps the
        look; `purpose` keeps two uses in one type independent. hashlib, not hash(): Python
        salts str hashes per process."""
        spec = self.spec
        key = f"{purpose}\0{spec.series_name}\0{spec.season_number}\0{spec.episode_number}"
        return random.Random(hashlib.sha256(key.encode()).digest())

    def picture(
        self,
        path: str,
        size: tuple[int, int],
        what: str = "image",
        part: tuple[float, float, float, float] | None = None,
        adjust: Callable[[Image.Image], Image.Image] | None = None,
    ) -> Image.Image:
        """A picture covering `size` (centre crop) in the card's style: blurred and grey when the
        card is. For types that place the still (or a poster) in part of the card.

        `part` (a box inside `size`) gives only that part of it, cut out before the picture is
        scaled up; `adjust` is colour work done on the picture before it is scaled up (and
        before it goes grey), where it has the fewest pixels.
        """
        size, part, out = _sizes(size, part)
        if not self.look.blur:
            # load_cover keeps a smaller picture at its own size: cut, colour and grey it there,
            # on the fewest pixels, then scale it up.
            image = _cut(pictures.load_cover(path, size, what=what), size, part)
            if adjust is not None:
                image = adjust(image)
            if self.look.grayscale:
                image = effects.grayscale(image)
            return _rgb(scale.upscale(image, out))
        image = _blurred(self, path, size, what, adjust, effects.SMALL_RADIUS)
        image = scale.upscale(_cut(image, size, part), out, smooth=True)
        return effects.dither(_rgb(image))

    def logo(self, box: tuple[float, float]) -> Image.Image | None:
        """The series logo scaled to fit `box` (aspect kept; never enlarged beyond it), RGBA;
        None when the spec has none (a type that needs it never gets here without one)."""
        if not self.spec.logo:
            return None
        box_px = (max(1, round(box[0])), max(1, round(box[1])))
        image = pictures.load_fitted(self.spec.logo, box_px, "logo", grow=True)
        if self.look.grayscale:
            alpha = image.getchannel("A")
            image = image.convert("L").convert("RGBA")
            image.putalpha(alpha)
        return image

    def style(
        self,
        font: str,
        size: float,
        color: RGB | str,
        kerning: float = 0,
        stroke: float = 0,
        stroke_color: RGB | str = (0, 0, 0),
    ) -> TextStyle:
        """A text style from reference-pixel numbers, scaled to this canvas."""
        if isinstance(color, str):
            color = parse_color(color)
        if isinstance(stroke_color, str):
            stroke_color = parse_color(stroke_color)
        return TextStyle(
            font=font,
            size=self.px(size),
            color=color,
            kerning=self.px(kerning),
            stroke_width=self.px(stroke),
            stroke_color=stroke_color,
        )

    def _options(self) -> dict[str, object]:
        known = self.type.options
        # A colour default is written as a form shows it ("#C6E2FF"); the type gets RGB anyway.
        values = {
            name: parse_color(option.default)
            if option.kind == "color" and isinstance(option.default, str)
            else option.default
            for name, option in known.items()
        }
        for name, raw in self.spec.extras:
            if name not in known:
                # Series-wide extras may be meant for another card type: note, don't fail.
                self.warnings.append(
                    f"option {name!r} does not apply to card type {self.type.name}"
                )
                continue
            values[name] = known[name].parse(name, raw)
        return values

    def _title_font(self) -> tuple[TextStyle, str, float]:
        spec, kind = self.spec.font, self.type
        for name in ("size", "kerning", "stroke_width"):
            value = getattr(spec, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise RenderError(f"font {name} must be a number, not {value!r}")
        if not 0 < spec.size <= 10:
            raise RenderError(f"font size scale {spec.size} is out of range (above 0, at most 10)")
        if spec.stroke_width < 0:
            raise RenderError(f"font stroke width scale {spec.stroke_width} must not be negative")
        for name in ("word_spacing", "line_split_bias"):
            value = getattr(spec, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise RenderError(f"font {name.replace('_', ' ')} must be a number, not {value!r}")
        if not -1 <= spec.line_split_bias <= 1:
            raise RenderError(
                f"font line split bias {spec.line_split_bias} is not between -1 and 1"
            )
        case = spec.case or kind.title_case
        if case not in CASES:
            raise RenderError(f"unknown case {case!r}; use one of {', '.join(CASES)}")
        path = kind.title_font
        if spec.file:
            fonts.check_font_file(spec.file)
            path = spec.file
        style = TextStyle(
            font=path,
            size=self.px(kind.title_size * spec.size),
            color=parse_color(spec.color or kind.title_color, "font colour"),
            kerning=self.px(kind.title_kerning * spec.kerning),
            word_spacing=self.px(kind.title_word_spacing + spec.word_spacing),
            stroke_width=self.px(kind.title_stroke * spec.stroke_width),
            stroke_color=parse_color(spec.stroke_color or kind.title_stroke_color, "stroke colour"),
            line_spacing=self.px(kind.title_line_spacing + spec.interline_spacing),
            split_bias=spec.line_split_bias,
        )
        return style, case, self.px(spec.vertical_shift)

    def _values(self) -> dict[str, object]:
        """The fields a title or episode format may use."""
        spec = self.spec
        return {
            "season_number": spec.season_number,
            "episode_number": spec.episode_number,
            "absolute_number": spec.absolute_number,
            "series_name": spec.series_name,
            "title": clean(spec.title or "").replace("\n", " "),
        }

    def _formatted_title(self) -> str:
        spec = self.spec
        if not spec.title_format:
            return spec.title or ""
        # The title with its line breaks; __init__ cleans the whole result.
        values = {**self._values(), "title": spec.title or ""}
        parts = format_parts(spec.title_format, values, what="title format")
        # A field without a value (no absolute number) leaves the plain title, never a stub.
        return "".join(text for text, _ in parts) if parts else spec.title or ""

    def _episode_text(self) -> tuple[str | None, list[tuple[str, bool]] | None]:
        spec, kind = self.spec, self.type
        if spec.hide_episode_text and spec.hide_season_text:
            return None, None
        if spec.episode_text is not None:
            # A literal line replaces the whole episode line.
            text = clean(spec.episode_text).replace("\n", " ").strip()
            return None, ([(apply_case(text, kind.episode_case), False)] if text else None)
        values = self._values()
        season = None
        if not spec.hide_season_text:
            if spec.season_text is not None:
                season = clean(spec.season_text).replace("\n", " ").strip() or None
            elif spec.season_number == 0:
                season = "SPECIALS"
            elif kind.season_format and spec.season_number is not None:
                parts = format_parts(kind.season_format, values)
                season = "".join(text for text, _ in parts) if parts else None
        episode = None
        if not spec.hide_episode_text:
            episode = format_parts(spec.episode_text_format or kind.episode_format, values)
        case = kind.episode_case
        if season is not None:
            season = apply_case(season, case)
        if episode is not None:
            episode = [(apply_case(text, case), field) for text, field in episode]
            if not "".join(text for text, _ in episode).strip():
                episode = None
        return season, episode

    # --- drawing helpers the card types share -------------------------------------------------

    def title_block(
        self,
        x: float,
        y: float,
        align: str,
        grow: str,
        max_width: float | None = None,
        max_height: float | None = None,
    ) -> Block | None:
        """The title, wrapped and shrunk to the type's limits and placed with its last (grow="up")
        or first (grow="down") baseline at y. None when there is no title to draw.

        The height it may take is what lies between y and the canvas edge it grows towards, so
        a long title shrinks rather than runs off the card (or gets pushed back over other text).
        """
        kind = self.type
        max_width = min(max_width or self.px(kind.title_max_width), self.width - 2 * self.margin)
        if max_height is None:
            size = self.title_style.size
            if grow == "up":  # from the top margin down to the last line's descenders
                max_height = y + 0.3 * size - self.margin
            else:  # from the first line's ascenders down to the bottom margin
                max_height = self.height - self.margin - (y - 1.0 * size)
            max_height = max(max_height, self.title_style.size)
        max_height = min(max_height, self.height - 2 * self.margin)
        lines, style = layout.fit(
            self.title, self.title_style, max_width, kind.title_max_lines, max_height
        )
        if not lines:
            return None
        rendered = [layout.render_line([(line, style)], self.missing) for line in lines]
        block = Block.stack(rendered, x, y + self.title_shift, style.pitch(), align, grow)
        # Settle the final position now: other elements are placed relative to the title.
        block.keep_inside(self.width, self.height, min(self.margin, 8))
        return block

    @property
    def margin(self) -> int:
        """Text keeps at least this far from the canvas edges."""
        return max(1, round(self.px(40)))

    def line_block(
        self,
        segments: list[tuple[str, TextStyle]],
        x: float,
        y: float,
        align: str,
        max_width: float | None = None,
    ) -> Block | None:
        """One line of mixed styles (the episode line), shrunk (at last cut) to fit the canvas,
        or `max_width` when the type needs room round it (a box, a tilt)."""
        segments = [(text, style) for text, style in segments if text]
        limit = self.width - 2 * self.margin
        limit = limit if max_width is None else max(1.0, min(max_width, limit))
        segments = layout.fit_line(segments, limit) if segments else []
        if not segments:
            return None
        line = layout.render_line(segments, self.missing)
        return Block.stack([line], x, y, 1, align, "down")

    def draw(self, canvas: Image.Image, block: Block | None, shadow=None) -> None:
        if block is None:
            return
        block.keep_inside(self.width, self.height, min(self.margin, 8))
        self.boxes.extend(block.draw(canvas, shadow))

    def episode_segments(
        self,
        season_style: TextStyle,
        episode_style: TextStyle,
        separator: str,
        field_style: TextStyle | None = None,
    ) -> list[tuple[str, TextStyle]]:
        """The episode line as styled pieces: season part, separator, episode part (whose
        formatted fields may get their own style, like Star Wars' bold number)."""
        segments: list[tuple[str, TextStyle]] = []
        if self.season_text:
            segments.append((self.season_text, season_style))
        if self.episode_parts:
            if segments and separator:
                segments.append((separator, episode_style))
            for text, is_field in self.episode_parts:
                style = field_style if is_field and field_style else episode_style
                segments.append((text, style))
        return segments


def picture(
    card: Card,
    path: str,
    size: tuple[int, int],
    what: str = "image",
    part: tuple[float, float, float, float] | None = None,
    adjust: Callable[[Image.Image], Image.Image] | None = None,
    small_radius: float = effects.SMALL_RADIUS,
) -> Image.Image:
    """Card.picture(), the same pixels, with a blurred picture's grain added while it is scaled
    up (as compose() does for a covering picture): Card.picture dithers the scaled-up picture
    afterwards, which hands every pixel of it to numpy and back once more.

    `small_radius`: the radius the blur is computed at (the picture shrunk until its blur is
    that small). A type whose light blur leaves a large picture to blur may choose less."""
    if not card.look.blur:
        return card.picture(path, size, what, part, adjust)
    size, part, out = _sizes(size, part)
    image = _cut(_blurred(card, path, size, what, adjust, small_radius), size, part)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # The same noise in R, G and B: a grey picture may take it before it becomes RGB.
    return _rgb(scale.upscale(image, out, smooth=True, grain=effects.grain(out, image.mode)))


def picture_pixels(
    card: Card,
    path: str,
    size: tuple[int, int],
    what: str = "image",
    part: tuple[float, float, float, float] | None = None,
    adjust: Callable[[Image.Image], Image.Image] | None = None,
) -> Any:
    """picture() as a BGR array (height x width x 3, writable, the card's own order), the same
    pixels: for a type drawn on an array that places a picture on its card. The picture is
    handed to the array before it is scaled up, where it has the fewest pixels, and never back
    (Image.fromarray of a scaled-up window cost 7 ms); a sharp picture without colour work is
    decoded by OpenCV straight into it. A grey card's picture goes the Pillow way."""
    import numpy as np

    if card.look.grayscale:
        return scale.swap_rb(np.asarray(picture(card, path, size, what, part, adjust)))
    size, part, out = _sizes(size, part)
    if not card.look.blur:
        cover = pictures.load_cover_pixels(path, size, what=what)
        pixels = _cut_pixels(cover, size, part, own=adjust is None)
        if adjust is not None:
            # Colour work is Pillow's (its rounding): lent only the part cut, then taken back.
            pixels = _bgr(_rgb(adjust(scale.image_of(pixels, bgr=True))))
        pixels = scale.upscale_pixels(pixels, out)
        return pixels if pixels.flags.writeable else pixels.copy()
    image = _blurred(card, path, size, what, adjust, effects.SMALL_RADIUS)
    image = _rgb(_cut(image, size, part))
    grain = effects.grain(out, "RGB")  # the same noise in every channel: any order takes it
    return scale.upscale_pixels(scale.swap_rb(np.asarray(image)), out, smooth=True, grain=grain)


def _sizes(
    size: tuple[float, float], part: tuple[float, float, float, float] | None
) -> tuple[tuple[int, int], tuple[float, float, float, float], tuple[int, int]]:
    """A picture's size in whole pixels, the part of it wanted (all of it for None) and that
    part's size in whole pixels, as the pictures above take them."""
    whole = (max(1, round(size[0])), max(1, round(size[1])))
    part = part or (0, 0, *whole)
    return whole, part, (max(1, round(part[2] - part[0])), max(1, round(part[3] - part[1])))


def _blurred(
    card: Card,
    path: str,
    size: tuple[int, int],
    what: str,
    adjust: Callable[[Image.Image], Image.Image] | None,
    small_radius: float,
) -> Image.Image:
    """A blurred card's picture for `size`, before it is cut and scaled up: loaded shrunk until
    its blur is `small_radius`, its colour work done (and grey if the card is) on those few
    pixels, then blurred whole, so that the edges of a part keep what lay beyond them."""
    radius = card.blur_radius * size[0] / card.width
    factor = max(1.0, radius / small_radius)
    small = (max(1, round(size[0] / factor)), max(1, round(size[1] / factor)))
    image = pictures.load_cover(path, small, draft=1.0, what=what)
    if adjust is not None:
        image = adjust(image)
    if card.look.grayscale:
        image = effects.grayscale(image)
    return effects.blur_small(image, radius * image.width / size[0])


def _bgr(image: Image.Image) -> Any:
    """An "RGB" picture as a BGR array: pasted onto a 4-channel array Pillow draws on (a copy
    of its own 4-byte pixels), narrowed and swapped by OpenCV in one pass. np.asarray() goes
    through Pillow's tobytes(), 3-4 times as slow for a window's picture from a 4K still."""
    import numpy as np

    wide = np.empty((image.height, image.width, 4), np.uint8)
    shared = scale._shared_rgb(wide)
    if shared is None:  # a Pillow that cannot share memory
        return scale.swap_rb(np.asarray(image))
    shared.paste(image, (0, 0))
    return scale._cv2().cvtColor(wide, scale._cv2().COLOR_RGBA2BGR)


def _cut_pixels(
    pixels: Any, size: tuple[int, int], part: tuple[float, ...], own: bool = True
) -> Any:
    """_cut() of an array: a copy of its own (for work in place), or with `own` False a view
    where it can be (for a reader: OpenCV takes a view's row stride as it is)."""
    if tuple(part) == (0, 0, *size):
        return pixels
    import numpy as np

    height, width = pixels.shape[:2]
    k = width / size[0]
    box = [round(v * k) for v in part]
    left, top = min(max(0, box[0]), width - 1), min(max(0, box[1]), height - 1)
    right, bottom = max(min(width, box[2]), box[0] + 1), max(min(height, box[3]), box[1] + 1)
    if right > width or bottom > height:  # past the edge: Pillow's crop fills it with black
        return np.array(Image.fromarray(pixels).crop((left, top, right, bottom)))
    cut = pixels[top:bottom, left:right]
    return scale.contiguous(cut) if own else cut


def draw_shadowed(
    card: Card,
    canvas: Image.Image,
    block: Block | None,
    shadow: tuple[RGB, float, float, int, int],
) -> None:
    """card.draw(canvas, block, shadow) with the shadow laid on by effects.glow, which costs
    half what the block's own (layout.glow) does; the same place, within a level."""
    if block is None:
        return
    block.keep_inside(card.width, card.height, min(card.margin, 8))
    color, opacity, radius, dx, dy = shadow
    masked = block.mask(int(radius * 3) + 2)
    if masked is not None:
        effects.glow(canvas, *masked, color, opacity, radius, dx, dy)
    card.boxes.extend(block.draw(canvas))


def draw_soft_shadowed(
    card: Card, canvas: Image.Image, block: Block | None, shadow: tuple[RGB, float, float, int, int]
) -> None:
    """card.draw(canvas, block, shadow) with the shadow painted as a picture of its colour
    through its mask (effects.soft_shadow): the same pixels as the block's own, at half
    Pillow's cost. On a card drawn on an array the shadow goes straight onto it
    (effects.soft_shadow_pixels), after whatever was asked for before it."""
    if block is None:
        return
    block.keep_inside(card.width, card.height, min(card.margin, 8))
    if hasattr(canvas, "pixels"):  # a card drawn on an array (core.PixelCanvas)
        canvas.flush()  # type: ignore[attr-defined]
        effects.soft_shadow_pixels(canvas.pixels, block, shadow)
        card.draw(cast(Image.Image, _Blender(canvas.pixels)), block)
    else:
        effects.soft_shadow(canvas, block, shadow)
        card.draw(canvas, block)


class _Blender:
    """What layout.Block.draw paints its text on, painting each colour through its mask
    straight into a card's BGR array (effects.blend_pixels, Pillow's own blend) as it is
    asked: the same pixels as PixelCanvas's pastes, at less than half the cost of Pillow's
    blend of a colour plus the patch's trip to Pillow and back. Nothing else draws on it."""

    mode = "RGB"

    def __init__(self, pixels: Any) -> None:
        self.pixels = pixels
        self.height, self.width = pixels.shape[:2]

    def paste(self, color: RGB, box: tuple[int, int, int, int], mask: Image.Image) -> None:
        # layout cut the mask to the canvas already.
        import numpy as np

        bgr = (color[2], color[1], color[0])
        effects.blend_pixels(self.pixels, np.asarray(mask), box[:2], bgr)


def bottom_shade(kind: BottomGradient, card: Card, image: Image.Image) -> Image.Image:
    """BottomGradient.backdrop() from effects' own cache of one-channel masks (the same
    pixels): the shared cache of three-channel layers keeps 8, and a worker drawing several
    types with shades of their own went round more, recomputing each (17 ms at 4K)."""
    if card.option("omit_gradient"):
        return image
    if image.mode not in ("RGB", "L"):
        return BottomGradient.backdrop(kind, card, image)
    start = round(card.from_bottom(kind.gradient_height) * image.height / card.height)
    depth = image.height - max(0, min(start, image.height - 1))
    return effects.edge_gradient_image(
        image, "bottom", depth, kind.gradient_color, kind.gradient_opacity
    )
