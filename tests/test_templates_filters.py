"""A template's filters: each field and operation over what tcm stores from Plex, and the
rows the admin refuses (with the field at fault named)."""

from __future__ import annotations

from datetime import date

import pytest

from cards.filters import Facts, FilterError, all_hold, parse_filter

SHOW = Facts(
    library="Anime",
    series_title="Frieren: Beyond Journey's End",
    year=2023,
    genres=("Animation", "Fantasy"),
    content_rating="TV-14",
    labels=("subbed",),
    collections=("Winter 2023",),
    season_count=2,
    season_number=1,
    episode_number=7,
    absolute_number=7,
    watched=False,
    title="Like a Fairy Tale",
    air_date=date(2023, 10, 20),
)


@pytest.mark.parametrize(
    ("field", "operation", "value", "holds"),
    [
        ("library", "equals", "anime", True),
        ("library", "not_equals", "Anime", False),
        ("series_title", "contains", "journey", True),
        ("series_title", "not_contains", "journey", False),
        ("series_title", "regex", r"^frieren\b", True),
        ("series_title", "regex", r"^Beyond", False),
        ("year", "at_least", "2020", True),
        ("year", "less_than", "2023", False),
        ("genre", "contains", "fantasy", True),
        ("genre", "not_contains", "Drama", True),
        ("content_rating", "equals", "TV-14", True),
        ("label", "contains", "Subbed", True),
        ("collection", "contains", "Winter 2023", True),
        ("season_count", "greater_than", "1", True),
        ("season_number", "equals", "1", True),
        ("episode_number", "at_most", "6", False),
        ("absolute_number", "greater_than", "6", True),
        ("watched", "equals", "false", True),
        ("watched", "equals", "yes", False),
        ("title_length", "greater_than", "20", False),
        ("title_length", "at_least", "17", True),
        ("air_date", "before", "2024-01-01", True),
        ("air_date", "after", "2023-10-20", False),
    ],
)
def test_each_field_and_operation(field: str, operation: str, value: str, holds: bool) -> None:
    assert parse_filter(field, operation, value).holds(SHOW) is holds


def test_an_unknown_value_only_satisfies_is_not() -> None:
    unknown = Facts(series_title="Harbour")
    assert not parse_filter("year", "at_least", "1900").holds(unknown)
    assert parse_filter("year", "not_equals", "2020").holds(unknown)
    assert not parse_filter("air_date", "before", "2100-01-01").holds(unknown)


def test_all_filters_must_hold() -> None:
    anime = parse_filter("library", "equals", "Anime")
    old = parse_filter("year", "less_than", "2000")
    assert all_hold([anime], SHOW)
    assert not all_hold([anime, old], SHOW)
    assert all_hold([], SHOW)  # no filters: every series


@pytest.mark.parametrize(
    ("field", "operation", "value", "at_fault", "message"),
    [
        ("year", "contains", "20", "operation", "year can be compared with"),
        ("year", "equals", "twenty", "value", "year is compared with a number, not 'twenty'"),
        ("series_title", "regex", "(unclosed", "value", "not a regular expression"),
        ("air_date", "before", "31/01/2024", "value", "a date like 2024-01-31"),
        ("watched", "equals", "maybe", "value", "watched is true or false"),
        ("genre", "contains", "  ", "value", "give the genre to compare with"),
        ("mood", "equals", "x", "field", "unknown field 'mood'"),
    ],
)
def test_a_bad_row_names_the_field_at_fault(
    field: str, operation: str, value: str, at_fault: str, message: str
) -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter(field, operation, value)
    assert caught.value.field == at_fault
    assert message in str(caught.value)
