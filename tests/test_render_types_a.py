"""The card types comic_book, tinted_glass, fade, landscape, overline and frame: each draws its
text inside a full-size card in every look, each of its options changes the card, and a bad
value for one is refused naming it."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from PIL import Image, ImageChops

from cards.render import CardSpec, RenderError, render
from cards.render.types import CARD_TYPES
from cards.render.types.base import Sides
from tests.support import series_pictures

TYPES = ["comic_book", "tinted_glass", "fade", "landscape", "overline", "frame"]

# A value for every option of these types that must change the card (at 640x360, drawn with
# the title "The Long Night of the Soul", S1E3).
CHANGES = {
    "comic_book": {
        "episode_text_color": "#FF0000",
        "index_text_position": "right",
        "text_box_fill_color": "#FFFF00",
        "text_box_edge_color": "#0000FF",
        "title_text_rotation_angle": "3",
        "index_text_rotation_angle": "0",
        "banner_fill_color": "#00FF00",
        "banner_opacity": "1",
        "title_banner_shift": "-80",
        "index_banner_shift": "60",
        "hide_title_banner": "true",
        "hide_index_banner": "true",
    },
    "tinted_glass": {
        "episode_text_color": "#FF0000",
        "episode_text_position": "left",
        "box_adjustments": "20 0 10 100",
        "glass_color": "#0000FF",
        "glass_opacity": "0",
        "rounding_radius": "150",
        "vertical_adjustment": "-100",
    },
    "fade": {"episode_text_color": "#FF0000", "separator": "|", "hide_logo": "true"},
    "landscape": {
        "add_bounding_box": "false",
        "box_color": "#FF0000",
        "box_width": "30",
        "box_adjustments": "0 200 0 0",
        "darken": "all",
        "shadow_color": "#FF0000",
    },
    "overline": {
        "line_color": "#FF0000",
        "line_position": "bottom",
        "line_width": "30",
        "hide_line": "true",
        "episode_text_color": "#FF0000",
        "episode_text_font_size": "1.5",
        "separator": "|",
        "omit_gradient": "true",
    },
    "frame": {"episode_text_color": "#FF0000", "episode_text_position": "left"},
}


def spec(still: str, card_type: str, **fields: object) -> CardSpec:
    values = {
        "source": still,
        **series_pictures(),
        "title": "The Long Night of the Soul",
        "season_number": 1,
        "episode_number": 3,
        "series_name": "The Long Night",
        "card_type": card_type,
    }
    values.update(fields)
    return CardSpec(**values)


def changed(
    a: Image.Image, b: Image.Image, box: tuple[int, int, int, int] | None = None, by: int = 40
) -> int:
    """How many pixels (in box) differ by more than `by`, in any channel, between two cards."""
    red, green, blue = ImageChops.difference(a, b).split()
    diff = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    if box is not None:
        diff = diff.crop(box)
    return diff.point(lambda v: 255 if v > by else 0).histogram()[255]


@pytest.mark.parametrize("style", ["unique", "blur grayscale"])
@pytest.mark.parametrize("card_type", TYPES)
def test_it_draws_its_text_inside_a_full_size_card(still: str, card_type: str, style: str) -> None:
    result = render(spec(still, card_type, style=style))
    assert result.image.size == (3200, 1800)
    assert not result.warnings
    bare = render(
        spec(still, card_type, style=style, title="", hide_season_text=True, hide_episode_text=True)
    )
    assert result.text_boxes
    for box in result.text_boxes:
        left, top, right, bottom = box
        assert 0 <= left < right <= 3200 and 0 <= top < bottom <= 1800, box
        # Really drawn: a good share of the box's pixels are letters (or their box).
        area = (right - left) * (bottom - top)
        assert changed(result.image, bare.image, box) > area * 0.1, box


@pytest.mark.parametrize(
    ("card_type", "option"),
    [(kind, option) for kind in TYPES for option in CARD_TYPES[kind].options],
)
def test_each_option_changes_the_card(small_still: str, card_type: str, option: str) -> None:
    base = spec(small_still, card_type, width=640, height=360)
    value = CHANGES[card_type][option]
    plain = render(base).image
    varied = render(dataclasses.replace(base, extras=((option, value),))).image
    # The pictures, not the JPEGs: no noise to allow for.
    assert changed(plain, varied, by=16) > 50, f"{option}={value} changed nothing"


def bad_value(option: object) -> str:
    if isinstance(option, Sides):
        return "1 2"
    return {
        "color": "not-a-colour",
        "number": "1e9",
        "int": "1.5",
        "bool": "maybe",
        "choice": "sideways",
    }[option.kind]


@pytest.mark.parametrize(
    ("card_type", "option"),
    [
        (kind, name)
        for kind in TYPES
        for name, option in CARD_TYPES[kind].options.items()
        if option.kind != "text" or isinstance(option, Sides)
    ],
)
def test_a_bad_option_value_is_refused_naming_it(
    small_still: str, card_type: str, option: str
) -> None:
    value = bad_value(CARD_TYPES[card_type].options[option])
    with pytest.raises(RenderError, match=option):
        render(spec(small_still, card_type, width=640, height=360, extras=((option, value),)))


def letters(still: str, card_type: str, **fields: object) -> Image.Image:
    """Where the title's pixels are: the card against the same card without a title."""
    titled = spec(
        still, card_type, width=1600, height=900, hide_season_text=True, hide_episode_text=True
    )
    titled = dataclasses.replace(titled, **fields)
    bare = dataclasses.replace(titled, title="")
    diff = ImageChops.difference(render(titled).image, render(bare).image).convert("L")
    return diff.point(lambda v: 255 if v > 40 else 0)


def middle_row(mask: Image.Image, box: tuple[int, int, int, int]) -> float:
    """The mean row of the mask's pixels in box."""
    rows = np.asarray(mask.crop(box), dtype=np.float64).sum(axis=1)
    return box[1] + float((rows * np.arange(len(rows))).sum() / max(1.0, rows.sum()))


def test_comic_book_tilts_the_title_box_so_it_rises_to_the_right(still: str) -> None:
    tilted = letters(still, "comic_book")
    level = letters(still, "comic_book", extras=(("title_text_rotation_angle", "0"),))
    box = tilted.getbbox()
    assert box is not None
    third = (box[2] - box[0]) // 3
    left = middle_row(tilted, (box[0], box[1], box[0] + third, box[3]))
    right = middle_row(tilted, (box[2] - third, box[1], box[2], box[3]))
    # The two thirds' middles are two thirds of the width apart: tan(4 deg) of that.
    expected = 2 * third * math.tan(math.radians(4))
    assert left - right == pytest.approx(expected, rel=0.25)
    flat = level.getbbox()
    assert flat is not None
    assert (
        abs(
            middle_row(level, (flat[0], flat[1], flat[0] + third, flat[3]))
            - middle_row(level, (flat[2] - third, flat[1], flat[2], flat[3]))
        )
        < 3
    )


def test_tinted_glass_sets_the_title_on_a_darker_pane_reaching_past_it(still: str) -> None:
    base = spec(still, "tinted_glass", width=1600, height=900, hide_episode_text=True)
    result = render(base)
    bare = render(dataclasses.replace(base, title="")).image
    left = min(box[0] for box in result.text_boxes)
    top = min(box[1] for box in result.text_boxes)

    def mean(image: Image.Image, box: tuple[int, int, int, int]) -> float:
        return float(np.asarray(image.convert("L").crop(box), dtype=np.float64).mean())

    # Beside the first letter, inside the pane (40 px of 3200 = 20 here): tinted with #191919 at
    # 0.7, so a pixel keeps 30 % of itself plus 17.5 (the frosting moves the mean a little).
    beside = (left - 16, top, left - 4, top + 30)
    assert mean(result.image, beside) < mean(bare, beside) * 0.3 + 17.5 + 6
    # Well beyond the pane, the picture is untouched.
    far = (left - 80, top, left - 60, top + 30)
    assert changed(result.image, bare, far, by=2) == 0


def test_fade_shows_the_picture_on_the_right_fading_into_black(tmp_path, still: str) -> None:
    art = str(tmp_path / "art.png")
    Image.new("RGB", (400, 300), (200, 30, 30)).save(art)
    base = spec(still, "fade", width=1600, height=900, art=art)
    card = render(base).image
    assert card.getpixel((20, 450)) == (0, 0, 0)  # the black column
    assert card.getpixel((520, 450)) == (0, 0, 0)  # left of the window (1060 of 3200)
    assert sum(card.getpixel((1000, 450))) > 60  # the picture
    assert card.getpixel((1580, 450)) == (0, 0, 0)  # right of it
    # The window fades over about 50 px (100 of 3200) on its left.
    ramp = [sum(card.getpixel((x, 450))) / 3 for x in range(530, 581, 10)]
    assert ramp == sorted(ramp) and ramp[0] < ramp[-1] / 4
    # An art style shows the series art in the window.
    red = render(dataclasses.replace(base, style="art")).image.getpixel((1000, 450))
    assert red[0] > 150 and red[1] < 60


def test_fade_draws_the_logo_only_when_the_series_has_one(still: str) -> None:
    with_logo = render(spec(still, "fade", width=1600, height=900)).image
    without = render(spec(still, "fade", width=1600, height=900, logo=None)).image
    logo_box = (50, 100, 500, 250)  # 900x500 of 3200 from x=100, centred at y=350
    assert changed(with_logo, without, logo_box) > 2000
    assert changed(with_logo, without, (0, 300, 1600, 900)) == 0


def test_landscape_frames_the_title_in_a_darkened_box(still: str) -> None:
    base = spec(still, "landscape", width=1600, height=900)
    result = render(base)
    bare = render(dataclasses.replace(base, title="")).image
    assert (
        bare.tobytes()
        == render(spec(still, "landscape", width=1600, height=900, title="")).image.tobytes()
    )
    left = min(box[0] for box in result.text_boxes)
    top = min(box[1] for box in result.text_boxes)
    right = max(box[2] for box in result.text_boxes)
    # The outline 150 px (of 3200) beside the ink, 5 wide: white on the left, at mid-height.
    row = round(sum(box[1] + box[3] for box in result.text_boxes) / (2 * len(result.text_boxes)))
    assert result.image.getpixel((left - 77, row)) == (255, 255, 255)
    assert result.image.getpixel((right + 77, row)) == (255, 255, 255)
    # Inside, the picture is darker by a fifth; outside it is untouched.
    inside = (left - 60, top, left - 20, top + 20)
    ratio = (
        np.asarray(result.image.crop(inside), float).mean()
        / np.asarray(bare.crop(inside), float).mean()
    )
    assert ratio == pytest.approx(1 - 48 / 255, abs=0.03)
    outside = (left - 200, top, left - 120, top + 20)
    assert changed(result.image, bare, outside, by=1) == 0
    # No episode line: the season and episode make no difference.
    hidden = render(dataclasses.replace(base, hide_season_text=True, hide_episode_text=True))
    assert hidden.image.tobytes() == result.image.tobytes()


def rule_rows(image: Image.Image, x: int) -> list[int]:
    """The rows of column x that are white (the rule, the letters)."""
    column = np.asarray(image.convert("L").crop((x, 0, x + 1, image.height)))[:, 0]
    return [y for y, v in enumerate(column) if v > 230]


@pytest.mark.parametrize("where", ["top", "bottom"])
def test_overline_runs_a_rule_through_the_episode_text_broken_round_it(
    still: str, where: str
) -> None:
    base = spec(still, "overline", width=1600, height=900, extras=(("line_position", where),))
    title, episode = render(base).text_boxes
    image = render(base).image
    # Left of the episode text, on the title's span: a white rule through the text's middle.
    middle = (episode[1] + episode[3]) / 2
    rows = rule_rows(image, (title[0] + episode[0]) // 2)
    assert rows and abs(sum(rows) / len(rows) - middle) < 4
    assert len(rows) <= 6  # 9 px of 3200, here 4 or 5
    # Broken round the text: nothing white just beside it, at its middle.
    beside = (episode[0] - 5, round(middle) - 1, episode[0] - 2, round(middle) + 1)
    assert np.asarray(image.convert("L").crop(beside)).max() < 200
    # The rule is above the title, or under it.
    assert (episode[3] < title[1]) == (where == "top")


def test_frame_prints_the_picture_on_paper_with_the_episode_either_side(still: str) -> None:
    base = spec(still, "frame", width=1600, height=900)
    result = render(base)
    season, episode, title = result.text_boxes
    image = result.image
    assert image.getpixel((10, 450)) == (0, 0, 0)  # black round the print
    assert image.getpixel((50, 450)) == (252, 251, 253)  # the paper's left edge (69-143)
    assert sum(image.getpixel((800, 400))) < 3 * 240  # the picture in the window
    # SEASON 1 ends 25 px (of 3200) before the title, EPISODE 3 starts 25 px after it,
    # all three on one centre line in the paper's bottom strip.
    assert title[0] - season[2] == pytest.approx(12, abs=4)
    assert episode[0] - title[2] == pytest.approx(12, abs=4)
    middle = (title[1] + title[3]) / 2
    for box in (season, episode):
        assert abs((box[1] + box[3]) / 2 - middle) < 4
    assert title[1] > 719 and title[3] < 851  # the strip: 1438-1703 of 1800


def test_frame_can_put_both_episode_parts_on_one_side(still: str) -> None:
    extras = (("episode_text_position", "right"),)
    season, episode, title = render(
        spec(still, "frame", width=1600, height=900, extras=extras)
    ).text_boxes
    assert season[0] > title[2] and episode[0] > title[2]
    assert season[3] <= episode[1]  # stacked, SEASON 1 on top
