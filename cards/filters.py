"""Which templates and season titles apply to an episode: plain data in, a yes or no out.

A template's filters are rows (field, operation, value) over what tcm stores from Plex about an
episode and its show (`Facts`). `parse_filter` checks a row once (on the admin form, and when a
job loads the templates) and turns it into a `Filter` that tests facts; a template applies when
all its filters hold. Season titles are keyed by a season number ("2"), an absolute number
range ("1-12") or an episode range ("s1e1-s2e5"): `parse_season_key` reads a key,
`SeasonKey.matches` tests an episode.

Nothing here touches the database: cards/looks.py builds the facts from the rows and decides
which template applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date


class FilterError(ValueError):
    """A filter row or season key that cannot be used; `field` names the form field at fault."""

    def __init__(self, message: str, field: str = "value") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Facts:
    """What a filter can ask about an episode (and its show)."""

    library: str = ""
    series_title: str = ""
    year: int | None = None
    genres: tuple[str, ...] = ()
    content_rating: str = ""
    labels: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()
    season_count: int | None = None
    season_number: int | None = None
    episode_number: int | None = None
    absolute_number: int | None = None
    watched: bool | None = None
    title: str = ""
    air_date: date | None = None


# The kinds of value a field holds, and the operations each kind offers (value → label).
OPERATIONS: dict[str, dict[str, str]] = {
    "text": {
        "equals": "is",
        "not_equals": "is not",
        "contains": "contains",
        "not_contains": "does not contain",
        "regex": "matches the regular expression",
    },
    "number": {
        "equals": "=",
        "not_equals": "≠",
        "less_than": "<",
        "greater_than": ">",
        "at_most": "≤",
        "at_least": "≥",
    },
    "tags": {"contains": "includes", "not_contains": "does not include"},
    "bool": {"equals": "is"},
    "date": {"before": "before", "after": "after"},
}

# field → (label, kind, how to read it from the facts)
FIELDS: dict[str, tuple[str, str, Callable[[Facts], object]]] = {
    "library": ("library", "text", lambda f: f.library),
    "series_title": ("series title", "text", lambda f: f.series_title),
    "year": ("year", "number", lambda f: f.year),
    "genre": ("genre", "tags", lambda f: f.genres),
    "content_rating": ("content rating", "text", lambda f: f.content_rating),
    "label": ("Plex label of the show", "tags", lambda f: f.labels),
    "collection": ("Plex collection", "tags", lambda f: f.collections),
    "season_count": ("number of seasons", "number", lambda f: f.season_count),
    "season_number": ("season number", "number", lambda f: f.season_number),
    "episode_number": ("episode number", "number", lambda f: f.episode_number),
    "absolute_number": ("absolute number", "number", lambda f: f.absolute_number),
    "watched": ("watched", "bool", lambda f: f.watched),
    "title_length": ("title length (characters)", "number", lambda f: len(f.title)),
    "air_date": ("air date", "date", lambda f: f.air_date),
}

TRUE, FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off")


def filter_field_choices() -> list[tuple[str, str]]:
    return [(name, label) for name, (label, _, _) in FIELDS.items()]


def filter_operation_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for ops in OPERATIONS.values():
        for op, label in ops.items():
            seen.setdefault(op, label)
    return list(seen.items())


# What a value looks like, per kind, for the admin's placeholder.
EXAMPLES = {
    "text": "e.g. Anime",
    "number": "e.g. 2",
    "tags": "e.g. Animation",
    "bool": "true or false",
    "date": "e.g. 2024-01-31",
}


def filter_operations() -> dict[str, dict[str, object]]:
    """Per field, the operations it takes and an example value (for the admin's script)."""
    return {
        name: {"operations": list(OPERATIONS[kind]), "example": EXAMPLES[kind]}
        for name, (_, kind, _) in FIELDS.items()
    }


@dataclass(frozen=True)
class Filter:
    field: str
    operation: str
    value: object  # parsed: str, float, bool, date or a compiled pattern

    def holds(self, facts: Facts) -> bool:
        _, kind, read = FIELDS[self.field]
        actual = read(facts)
        op, wanted = self.operation, self.value
        if kind == "tags":
            assert isinstance(actual, tuple)
            has = any(tag.casefold() == wanted for tag in actual)
            return has if op == "contains" else not has
        if actual is None:
            # Unknown (no year, no air date): only "is not" holds.
            return op in ("not_equals", "not_contains")
        if kind == "text":
            text = str(actual).casefold()
            if op == "regex":
                assert isinstance(wanted, re.Pattern)
                return wanted.search(str(actual)) is not None
            assert isinstance(wanted, str)
            return {
                "equals": text == wanted,
                "not_equals": text != wanted,
                "contains": wanted in text,
                "not_contains": wanted not in text,
            }[op]
        if kind == "number":
            assert isinstance(actual, int | float) and isinstance(wanted, float)
            return {
                "equals": actual == wanted,
                "not_equals": actual != wanted,
                "less_than": actual < wanted,
                "greater_than": actual > wanted,
                "at_most": actual <= wanted,
                "at_least": actual >= wanted,
            }[op]
        if kind == "bool":
            return bool(actual) == wanted
        assert isinstance(actual, date) and isinstance(wanted, date)
        return actual < wanted if op == "before" else actual > wanted


def parse_filter(field_name: str, operation: str, raw: str) -> Filter:
    """A filter row checked and made ready to test facts; FilterError names what is wrong."""
    if field_name not in FIELDS:
        raise FilterError(f"unknown field {field_name!r}", "field")
    label, kind, _ = FIELDS[field_name]
    ops = OPERATIONS[kind]
    if operation not in ops:
        allowed = ", ".join(f"{op} ({text})" for op, text in ops.items())
        raise FilterError(f"{label} can be compared with: {allowed}", "operation")
    text = raw.strip()
    value: object
    if kind == "text" and operation == "regex":
        try:
            value = re.compile(text, re.IGNORECASE)
        except re.error as exc:
            raise FilterError(f"not a regular expression: {exc}") from None
    elif kind in ("text", "tags"):
        if not text:
            raise FilterError(f"give the {label} to compare with")
        value = text.casefold()
    elif kind == "number":
        try:
            value = float(text)
        except ValueError:
            raise FilterError(f"{label} is compared with a number, not {text!r}") from None
    elif kind == "bool":
        if text.lower() not in TRUE + FALSE:
            raise FilterError(f"{label} is true or false, not {text!r}")
        value = text.lower() in TRUE
    else:
        try:
            value = date.fromisoformat(text)
        except ValueError:
            raise FilterError(f"{label} is a date like 2024-01-31, not {text!r}") from None
    return Filter(field_name, operation, value)


def all_hold(filters: Sequence[Filter], facts: Facts) -> bool:
    """Whether a template with these filters applies (a template without filters always does)."""
    return all(f.holds(facts) for f in filters)


# --- Season titles

_SEASON = re.compile(r"\d+")
_ABSOLUTE = re.compile(r"(\d+)\s*-\s*(\d+)")
_EPISODES = re.compile(r"s(\d+)\s*e(\d+)\s*-\s*s(\d+)\s*e(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class SeasonKey:
    """Which episodes a season title row is for."""

    season: int | None = None
    absolute: tuple[int, int] | None = None
    episodes: tuple[tuple[int, int], tuple[int, int]] | None = None

    def matches(self, season: int | None, episode: int | None, absolute: int | None) -> bool:
        if self.season is not None:
            return season == self.season
        if self.absolute is not None:
            low, high = self.absolute
            # Specials carry no absolute number in a run of episodes.
            return absolute is not None and season != 0 and low <= absolute <= high
        assert self.episodes is not None
        if season is None or episode is None:
            return False
        first, last = self.episodes
        return first <= (season, episode) <= last


def parse_season_key(raw: str) -> SeasonKey:
    text = raw.strip()
    if _SEASON.fullmatch(text):
        return SeasonKey(season=int(text))
    if match := _ABSOLUTE.fullmatch(text):
        low, high = int(match[1]), int(match[2])
        if low > high:
            raise FilterError(f"the range {text!r} ends before it starts", "episodes")
        return SeasonKey(absolute=(low, high))
    if match := _EPISODES.fullmatch(text):
        first, last = (int(match[1]), int(match[2])), (int(match[3]), int(match[4]))
        if first > last:
            raise FilterError(f"the range {text!r} ends before it starts", "episodes")
        return SeasonKey(episodes=(first, last))
    raise FilterError(
        f"{text!r} is not a season (2), an absolute range (1-12) or an episode range (s1e1-s2e5)",
        "episodes",
    )


@dataclass(frozen=True)
class SeasonTitleRule:
    key: SeasonKey
    text: str


@dataclass(frozen=True)
class SeasonTitles:
    """A level's season title rows, in order: the first that matches wins."""

    rules: tuple[SeasonTitleRule, ...] = field(default_factory=tuple)

    def text_for(self, season: int | None, episode: int | None, absolute: int | None) -> str | None:
        for rule in self.rules:
            if rule.key.matches(season, episode, absolute):
                return rule.text
        return None
