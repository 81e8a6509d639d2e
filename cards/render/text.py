"""Words on the card: cleaning titles, case and replacements, and the episode-line format strings
with their number helpers ({episode_number:cardinal} -> "THREE")."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Mapping, Sequence

from .spec import RenderError

# Titles longer than this are cut: nothing legible fits on a card past it, and the layout search
# grows with the number of words.
MAX_TITLE_CHARS = 1000

_ONES = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
    *("seventeen", "eighteen", "nineteen"),
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORDINAL_WORDS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def cardinal(n: int) -> str:
    """12 -> "twelve", 121 -> "one hundred twenty-one"."""
    if n < 0:
        return "minus " + cardinal(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {cardinal(rest)}" if rest else "")
    for size, name in _SCALES:
        if n >= size:
            high, rest = divmod(n, size)
            return f"{cardinal(high)} {name}" + (f" {cardinal(rest)}" if rest else "")
    raise AssertionError("unreachable")


def ordinal(n: int) -> str:
    """3 -> "third", 21 -> "twenty-first", 40 -> "fortieth"."""
    words = cardinal(n)
    head, sep, last = words.rpartition(" ")
    head2, sep2, last = last.rpartition("-")
    if last in _ORDINAL_WORDS:
        last = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + head2 + sep2 + last


def nth(n: int) -> str:
    """1 -> "1st", 12 -> "12th", 22 -> "22nd"."""
    if n % 100 in (11, 12, 13):
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def roman(n: int) -> str:
    """4 -> "IV". Roman numerals have no zero or negatives and stop at 3999: those stay digits."""
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


# The format helpers. The spelling of the helper picks the case: "cardinal" gives "ONE" because
# episode lines are capitals by convention, "Cardinal" gives "One".
HELPERS: dict[str, Callable[[int], str]] = {
    "cardinal": lambda n: cardinal(n).upper(),
    "Cardinal": lambda n: cardinal(n).title(),
    "ordinal": lambda n: ordinal(n).upper(),
    "Ordinal": lambda n: ordinal(n).title(),
    "nth": lambda n: nth(n).upper(),
    "Nth": nth,
    "roman": roman,
}

FIELDS = ("season_number", "episode_number", "absolute_number", "series_name", "title")


class _MissingValue(Exception):
    """A field the format uses has no value (e.g. no absolute number): the part is left out."""


class _EpisodeFormatter(string.Formatter):
    def __init__(self, what: str) -> None:
        self.what = what  # named in errors: which admin field to fix

    def get_field(self, field_name: str, args: Sequence, kwargs: Mapping) -> tuple[object, str]:
        # Only plain names: attribute and index access ("{title.__class__}") could reach into
        # Python objects from a string typed into the admin.
        if field_name not in FIELDS:
            raise RenderError(
                f"unknown field {{{field_name}}} in the {self.what}; "
                f"use {', '.join('{' + f + '}' for f in FIELDS)}"
            )
        value = kwargs[field_name]
        if value is None or value == "":
            raise _MissingValue(field_name)
        return value, field_name

    def format_field(self, value: object, format_spec: str) -> str:
        helper = HELPERS.get(format_spec)
        if helper is not None:
            if not isinstance(value, int):
                raise RenderError(f"the :{format_spec} helper needs a number, not {value!r}")
            return helper(value)
        try:
            return format(value, format_spec)
        except ValueError as exc:
            raise RenderError(f"bad format :{format_spec} in the {self.what}: {exc}") from None


def format_parts(
    fmt: str, values: Mapping[str, object], what: str = "episode text format"
) -> list[tuple[str, bool]] | None:
    """Format an episode-text (or title) template into pieces of (text, came_from_a_field).

    Card types may draw the field values differently (Star Wars puts the number in bold). None
    when a field the template uses has no value, so the caller can leave the part out rather
    than draw "EPISODE ".
    """
    formatter = _EpisodeFormatter(what)
    parts: list[tuple[str, bool]] = []
    try:
        for literal, field_name, spec, conversion in formatter.parse(fmt):
            if literal:
                parts.append((literal, False))
            if field_name is None:
                continue
            if field_name == "" or field_name.isdigit():
                raise RenderError(f"the {what} needs field names, e.g. {{episode_number}}")
            value, _ = formatter.get_field(field_name, (), values)
            if conversion:
                value = formatter.convert_field(value, conversion)
            parts.append((formatter.format_field(value, spec or ""), True))
    except _MissingValue:
        return None
    except ValueError as exc:  # unbalanced braces
        raise RenderError(f"bad {what} {fmt!r}: {exc}") from None
    return parts


def clean(text: str) -> str:
    """Keep what can be drawn: newlines stay (explicit breaks), tabs become spaces, control and
    invisible formatting characters go, and an overlong title is cut."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = "".join(
        ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co")
    )
    if len(text) > MAX_TITLE_CHARS:
        text = text[: MAX_TITLE_CHARS - 1] + "…"
    return text


_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")  # words, with apostrophes inside


def apply_case(text: str, case: str) -> str:
    if case == "upper":
        return text.upper()
    if case == "lower":
        return text.lower()
    if case == "title":
        # str.title() would make "Don'T" of "don't"; capitalise whole words instead.
        return _WORD.sub(lambda m: m[0][:1].upper() + m[0][1:].lower(), text)
    return text


def apply_replacements(text: str, replacements: Sequence[tuple[str, str]]) -> str:
    for old, new in replacements:
        if old:
            text = text.replace(old, new)
    return text
