"""Title layout: measured wrapping into balanced lines, shrinking, explicit breaks, and never a
glyph outside the canvas, whatever the title."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

import pytest

from cards.render import CardSpec, FontSpec, fonts, layout, render
from cards.render.layout import TextStyle
from cards.render.samples import save_landscape
from cards.render.types import CARD_TYPES
from tests.support import TEXTLESS, series_pictures

WIDTH, HEIGHT = 800, 450
# Types that draw the episode text in front of the title instead of on a line of its own.
TITLE_PREFIXED = {"shape"}
# Types that set the season and episode lines beside the title, on lines of their own.
BESIDE_THE_TITLE = {"divider"}
# Types that set the episode text into the title's last line.
SET_INTO_THE_TITLE = {"inset"}
# Types whose episode text lies behind the title.
BEHIND_THE_TITLE = {"roman_numeral"}

HOSTILE_TITLES = {
    "80 characters": "The Extraordinarily Long and Winding Road to the Very End of the Known "
    "Universe!",
    "one 40-character word": "Supercalifragilisticexpialidociousnessss",
    "500 characters": ("lorem ipsum dolor sit amet " * 20)[:500],
    "500 letters, no space": "W" * 500,
    "control characters": "Bad\x00Title\x07 with\ttabs\r\nand \x1b[31m escapes\u200b\u202e",
    "right to left": "שלום עולם مرحبا بالعالم",
    "only spaces": "     ",
    "emoji": "Party 🎉🔥 Time 👍🏽",
    "many explicit breaks": "A\nB\nC\nD\nE\nF\nG\nH",
}

# Card types that draw no episode line at all: the reference's landscape has none.
NO_EPISODE_LINE = {"landscape"}
# And those that draw it in pieces: frame puts SEASON 1 and EPISODE 3 either side of the title,
# formula_one writes "ROUND 1" and the season title on two lines.
EPISODE_PIECES = {"frame": 2, "formula_one": 2}


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> str:
    return save_landscape(str(tmp_path_factory.mktemp("still") / "still.jpg"), 400, 225)


Boxes = list[tuple[int, int, int, int]]


@pytest.fixture(scope="module")
def text_boxes() -> Callable[[CardSpec], Boxes]:
    """render(spec).text_boxes, remembered for the module: the no-run-in test looks at the cards
    the canvas test draws. Only the boxes are kept (not hundreds of pictures), each caller
    getting its own list; a render is deterministic, so they are the boxes a render gives."""
    cached = functools.lru_cache(maxsize=None)(lambda spec: tuple(render(spec).text_boxes))
    return lambda spec: list(cached(spec))


def inside(box: tuple[int, int, int, int]) -> bool:
    return box[0] >= 0 and box[1] >= 0 and box[2] <= WIDTH and box[3] <= HEIGHT


@pytest.mark.parametrize("title", HOSTILE_TITLES.values(), ids=HOSTILE_TITLES.keys())
@pytest.mark.parametrize("card_type", sorted(CARD_TYPES))
def test_no_title_draws_outside_the_canvas(
    still: str, text_boxes: Callable[[CardSpec], Boxes], card_type: str, title: str
) -> None:
    boxes = text_boxes(
        CardSpec(
            **series_pictures(),
            source=still,
            title=title,
            season_number=1,
            episode_number=3,
            card_type=card_type,
            width=WIDTH,
            height=HEIGHT,
        )
    )
    if card_type not in NO_EPISODE_LINE | TEXTLESS:
        assert boxes, "the episode line at least is drawn"
    assert all(inside(box) for box in boxes), boxes


@pytest.mark.parametrize("title", ["80 characters", "one 40-character word"])
@pytest.mark.parametrize("card_type", sorted(CARD_TYPES))
def test_long_titles_stay_on_a_full_size_card(still: str, card_type: str, title: str) -> None:
    # Rounding and hinting differ with the size: check the real 3200x1800 canvas too.
    result = render(
        CardSpec(
            **series_pictures(),
            source=still,
            title=HOSTILE_TITLES[title],
            season_number=1,
            episode_number=3,
            card_type=card_type,
        )
    )
    least = 0 if card_type in TEXTLESS else 1 if card_type in NO_EPISODE_LINE else 2
    assert len(result.text_boxes) >= least
    for left, top, right, bottom in result.text_boxes:
        assert left >= 0 and top >= 0 and right <= 3200 and bottom <= 1800, result.text_boxes


# Card types whose title takes the room the episode text leaves (so the title drawn alone is
# not the title drawn with it): which of the card's text boxes are the episode text. (marvel
# shrinks its title along with its two side texts; music puts S1 and E3 at the ends of its
# timeline; banner stacks SEASON 1 over EPISODE 3 and sets the title's last line after them;
# poster's title fills the room above "Ep. 3".)
EPISODE_BOXES = {
    "marvel": slice(-2, None),
    "music": slice(-2, None),
    "banner": slice(0, 2),
    "poster": slice(0, 1),
}


@pytest.mark.parametrize(
    "title",
    ["80 characters", "one 40-character word", "many explicit breaks", "500 characters"],
)
@pytest.mark.parametrize("card_type", sorted(CARD_TYPES))
def test_a_long_title_never_runs_into_the_episode_line(
    still: str, text_boxes: Callable[[CardSpec], Boxes], card_type: str, title: str
) -> None:
    spec = CardSpec(
        **series_pictures(),
        source=still,
        title=HOSTILE_TITLES[title],
        season_number=1,
        episode_number=3,
        card_type=card_type,
        width=WIDTH,
        height=HEIGHT,
    )
    # The same card test_no_title_draws_outside_the_canvas looks at: drawn once for both.
    both = text_boxes(spec)
    if card_type in TEXTLESS:
        assert both == []  # nothing to run into anything
        return
    # shape draws the episode number as the title's prefix ("3. Title"): its title lines keep
    # it, and the line under them is the season text.
    hide = {"hide_season_text": True, "hide_episode_text": card_type not in TITLE_PREFIXED}
    title_lines = render(dataclasses.replace(spec, **hide)).text_boxes
    assert len(title_lines) >= 1
    if card_type in NO_EPISODE_LINE:
        assert both == title_lines  # nothing but the title, whatever it is
        return
    if card_type in EPISODE_BOXES:
        episode = both[EPISODE_BOXES[card_type]]
        title_lines = [box for box in both if box not in episode]
    elif card_type in BESIDE_THE_TITLE:
        # divider moves its title aside for its two lines ("Season 1" over "Episode 3"): the
        # title is what it draws first, as many lines as it has alone.
        title_lines, episode = both[: len(title_lines)], both[len(title_lines) :]
        assert len(episode) == 2
    elif card_type in BEHIND_THE_TITLE:
        # roman_numeral's numeral (the episode text, drawn first) lies under the title on
        # purpose; the title must keep clear of the season text.
        episode = [box for box in both[1:] if box not in title_lines]
        assert len(episode) == 1
    else:
        episode = [box for box in both if box not in title_lines]
        assert len(episode) == EPISODE_PIECES.get(card_type, 1)
    for line in title_lines:
        for piece in episode:
            overlap_x = min(line[2], piece[2]) - max(line[0], piece[0])
            overlap_y = min(line[3], piece[3]) - max(line[1], piece[1])
            if card_type in SET_INTO_THE_TITLE and line == title_lines[-1]:
                # inset sets its episode text into the title's last line, on purpose.
                assert overlap_y > 0 and line[1] <= piece[1] and piece[3] <= line[3] + 2
                continue
            assert overlap_x <= 0 or overlap_y <= 0, (line, piece)


def test_a_huge_custom_size_and_shift_still_stay_on_the_canvas(still: str) -> None:
    result = render(
        CardSpec(
            source=still,
            title="The Long Night of the Soul",
            font=FontSpec(size=6.0, vertical_shift=900, interline_spacing=200),
            width=WIDTH,
            height=HEIGHT,
        )
    )
    assert all(inside(box) for box in result.text_boxes)


def style(size: float = 100) -> TextStyle:
    return TextStyle(font=fonts.CONDENSED, size=size)


def test_a_title_that_fits_stays_on_one_line() -> None:
    lines, fitted = layout.fit("THE LONG NIGHT", style(), 2700, 4)
    assert lines == ["THE LONG NIGHT"]
    assert fitted.size == 100


def test_wrapping_is_by_measured_width_not_by_characters() -> None:
    # Same number of characters; the wide letters need more lines.
    narrow, _ = layout.fit("iiii iiii iiii iiii iiii iiii", style(), 600, 4)
    wide, fitted = layout.fit("WWWW WWWW WWWW WWWW WWWW WWWW", style(), 600, 4)
    assert len(narrow) < len(wide)
    for line in wide:
        assert layout.measure(line, fitted) <= 600


def test_wrapped_lines_are_balanced() -> None:
    text = "The Extraordinarily Long and Winding Road to the End"
    lines, fitted = layout.fit(text, style(), 1600, 4)
    assert len(lines) == 2
    widths = [layout.measure(line, fitted) for line in lines]
    assert max(widths) / min(widths) < 1.35, lines


@pytest.mark.parametrize("mark", [":", ",", " -"])
def test_it_prefers_to_break_after_a_colon_comma_or_dash(mark: str) -> None:
    lines, _ = layout.fit(f"Chapter Seven{mark} The Lost Letters", style(), 1200, 4)
    assert lines == [f"Chapter Seven{mark}", "The Lost Letters"]
    # Even where a break one word later would balance the lines better.
    lines, _ = layout.fit(f"Seven Lost{mark} Old Letters and Stamps", style(), 1200, 4)
    assert lines[0] == f"Seven Lost{mark}"


def test_an_explicit_line_break_is_honoured() -> None:
    lines, _ = layout.fit("Part One\nThe Beginning", style(), 2700, 4)
    assert lines == ["Part One", "The Beginning"]


def test_the_line_limit_is_kept_by_shrinking() -> None:
    text = " ".join(["WORDS"] * 40)
    lines, fitted = layout.fit(text, style(), 1000, 2)
    assert len(lines) <= 2
    assert fitted.size < 100
    assert all(layout.measure(line, fitted) <= 1000 for line in lines)


def test_a_word_wider_than_the_card_shrinks_until_it_fits() -> None:
    word = "Supercalifragilisticexpialidociousnessss"
    lines, fitted = layout.fit(word, style(200), 1500, 4)
    assert lines == [word]
    assert layout.measure(word, fitted) <= 1500


def test_a_title_that_cannot_fit_even_at_the_smallest_size_is_cut_with_an_ellipsis() -> None:
    lines, fitted = layout.fit("W" * 500, style(), 1000, 2)
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(layout.measure(line, fitted) <= 1000 for line in lines)


def test_letter_spacing_widens_the_line() -> None:
    plain = layout.measure("SEASON", style())
    spaced = layout.measure("SEASON", TextStyle(font=fonts.CONDENSED, size=100, kerning=10))
    assert spaced == pytest.approx(plain + 50, abs=1)
