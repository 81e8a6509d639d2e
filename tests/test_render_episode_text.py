"""The episode line: format strings, number helpers, specials, overrides and hiding."""

from __future__ import annotations

import pytest

from cards.render import CardSpec, RenderError
from cards.render.text import cardinal, format_parts, nth, ordinal, roman
from cards.render.types import CARD_TYPES
from cards.render.types.base import Card


def line(card_type: str = "standard", **fields: object) -> tuple[str | None, str | None]:
    values = {
        "source": "unused.jpg",
        "title": "The Long Night",
        "season_number": 1,
        "episode_number": 3,
    }
    values.update(fields)
    card = Card(CardSpec(card_type=card_type, **values), CARD_TYPES[card_type])
    episode = "".join(text for text, _ in card.episode_parts) if card.episode_parts else None
    return card.season_text, episode


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zero"),
        (1, "one"),
        (13, "thirteen"),
        (20, "twenty"),
        (21, "twenty-one"),
        (100, "one hundred"),
        (110, "one hundred ten"),
        (1234, "one thousand two hundred thirty-four"),
        (2_000_005, "two million five"),
        (-3, "minus three"),
    ],
)
def test_cardinal_words(number: int, words: str) -> None:
    assert cardinal(number) == words


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (1, "first"),
        (2, "second"),
        (3, "third"),
        (5, "fifth"),
        (12, "twelfth"),
        (21, "twenty-first"),
        (40, "fortieth"),
        (100, "one hundredth"),
    ],
)
def test_ordinal_words(number: int, words: str) -> None:
    assert ordinal(number) == words


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (22, "22nd"),
        (111, "111th"),
    ],
)
def test_nth(number: int, text: str) -> None:
    assert nth(number) == text


@pytest.mark.parametrize(
    ("number", "numeral"),
    [
        (1, "I"),
        (4, "IV"),
        (9, "IX"),
        (14, "XIV"),
        (40, "XL"),
        (1999, "MCMXCIX"),
        (0, "0"),
        (4000, "4000"),
    ],
)
def test_roman_numerals(number: int, numeral: str) -> None:
    assert roman(number) == numeral


def test_format_helpers_in_a_template() -> None:
    values = {
        "season_number": 2,
        "episode_number": 3,
        "absolute_number": 27,
        "series_name": "Show",
        "title": "T",
    }
    text = lambda fmt: "".join(t for t, _ in format_parts(fmt, values))  # noqa: E731
    assert text("EPISODE {episode_number:cardinal}") == "EPISODE THREE"
    assert text("{season_number:Ordinal} Season") == "Second Season"
    assert text("{episode_number:nth} of {series_name}") == "3RD of Show"
    assert text("PART {episode_number:roman}") == "PART III"
    assert text("No. {absolute_number:03}") == "No. 027"
    parts = format_parts("EPISODE {episode_number:cardinal}", values)
    assert parts == [("EPISODE ", False), ("THREE", True)]


def test_the_default_line_is_season_and_episode() -> None:
    assert line() == ("SEASON 1", "EPISODE 3")


def test_season_zero_is_specials() -> None:
    assert line(season_number=0) == ("SPECIALS", "EPISODE 3")


def test_the_season_text_can_be_overridden() -> None:
    assert line(season_text="Book One") == ("BOOK ONE", "EPISODE 3")
    assert line(season_number=0, season_text="Extras") == ("EXTRAS", "EPISODE 3")


def test_either_part_can_be_hidden() -> None:
    assert line(hide_season_text=True) == (None, "EPISODE 3")
    assert line(hide_episode_text=True) == ("SEASON 1", None)
    assert line(hide_season_text=True, hide_episode_text=True) == (None, None)


def test_a_custom_episode_format_and_a_literal_line() -> None:
    assert line(episode_text_format="Chapter {absolute_number:roman}", absolute_number=12) == (
        "SEASON 1",
        "CHAPTER XII",
    )
    assert line(episode_text="The Finale") == (None, "THE FINALE")


def test_a_field_without_a_value_leaves_the_part_out() -> None:
    assert line(episode_text_format="ABSOLUTE {absolute_number}") == ("SEASON 1", None)
    assert line(season_number=None) == (None, "EPISODE 3")


def test_star_wars_has_no_season_part_and_spells_the_number() -> None:
    assert line("star_wars", episode_number=1) == (None, "EPISODE ONE")


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("EPISODE {episode}", "unknown field"),
        ("{title.__class__}", "unknown field"),
        ("{0}", "field names"),
        ("EPISODE {episode_number", "bad episode text format"),
        ("{episode_number:xyz}", "bad format"),
        ("{series_name:cardinal}", "needs a number"),
    ],
)
def test_a_bad_format_is_a_clear_error(fmt: str, message: str) -> None:
    with pytest.raises(RenderError, match=message):
        line(episode_text_format=fmt, series_name="Show")
