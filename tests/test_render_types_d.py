"""The white_border, striped, graph, notification and formula_one card types: each draws its text
on a full-size card in the styles that hide spoilers, its options change the picture and bad
values are refused, and what is particular to each (the border, the stripes, the ring...) is
where the type says it is."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from PIL import Image, ImageChops

from cards.render import CardSpec, RenderError, RenderResult, render
from tests.support import series_pictures

TYPES = ("white_border", "striped", "graph", "notification", "formula_one")


def spec(still: str, card_type: str, **fields: object) -> CardSpec:
    values = {
        "source": still,
        **series_pictures(),
        "title": "The Long Night of the Soul",
        "season_number": 1,
        "episode_number": 3,
        "season_episode_max": 10,
        "card_type": card_type,
        "width": 640,
        "height": 360,
    }
    values.update(fields)
    return CardSpec(**values)


Rendered = Callable[[CardSpec], RenderResult]


def changed(
    a: Image.Image, b: Image.Image, box: tuple[int, int, int, int] | None = None, by: int = 40
) -> int:
    """How many pixels differ by more than `by` grey levels between two pictures, in `box`."""
    diff = ImageChops.difference(a, b).convert("L")
    if box is not None:
        diff = diff.crop(box)
    return diff.point(lambda v: 255 if v > by else 0).histogram()[255]


@pytest.mark.parametrize("style", ["unique", "blur grayscale"])
@pytest.mark.parametrize("card_type", TYPES)
def test_it_draws_its_text_inside_a_full_size_card(still: str, card_type: str, style: str) -> None:
    full = spec(still, card_type, style=style, width=3200, height=1800)
    result = render(full)
    bare = render(
        dataclasses.replace(full, title="", hide_season_text=True, hide_episode_text=True)
    )
    assert result.image.size == (3200, 1800)
    assert len(result.text_boxes) >= 2, "title and episode text"
    for box in result.text_boxes:
        assert 0 <= box[0] < box[2] <= 3200 and 0 <= box[1] < box[3] <= 1800, box
        if box in bare.text_boxes:
            continue  # text of the type's own (formula_one's race and year), on both cards
        area = (box[2] - box[0]) * (box[3] - box[1])
        assert changed(result.image, bare.image, box) > area * 0.1, f"nothing drawn in {box}"


def option_effect(
    rendered: Rendered, still: str, card_type: str, name: str, value: str, **fields: object
) -> int:
    # Every option of a type is tried on the same plain card: it is drawn once for them all.
    plain = rendered(spec(still, card_type, **fields))
    optioned = render(spec(still, card_type, extras=((name, value),), **fields))
    # The pictures before encoding: no JPEG noise to see past, so any clear change counts.
    return changed(plain.image, optioned.image, by=8)


# (type, option, a value that must change the picture)
OPTIONS = [
    ("white_border", "border_color", "#C03020"),
    ("white_border", "episode_text_color", "#FF0000"),
    ("white_border", "episode_text_size", "1.5"),
    ("white_border", "episode_text_vertical_shift", "-40"),
    ("white_border", "stroke_color", "#FF00FF"),
    ("white_border", "separator", "|"),
    ("white_border", "omit_gradient", "true"),
    ("striped", "angle", "100"),
    ("striped", "inset", "200"),
    ("striped", "inter_stripe_spacing", "40"),
    ("striped", "overlay_color", "#203040"),
    ("striped", "polygons", "sml+"),
    ("striped", "episode_text_color", "#00FF00"),
    ("striped", "episode_text_size", "1.5"),
    ("striped", "separator", "/"),
    ("striped", "text_position", "upper right"),
    ("graph", "graph_color", "#FF0000"),
    ("graph", "graph_background_color", "#FF0000"),
    ("graph", "graph_background_opacity", "1"),
    ("graph", "graph_inset", "150"),
    ("graph", "graph_radius", "250"),
    ("graph", "graph_width", "60"),
    ("graph", "fill_scale", "1.5"),
    ("graph", "graph_text_font_size", "0.6"),
    ("graph", "percentage", "0.9"),
    ("graph", "omit_gradient", "true"),
    ("graph", "text_position", "upper right"),
    ("notification", "position", "left"),
    ("notification", "glass_color", "#2040C0"),
    ("notification", "glass_opacity", "0.9"),
    ("notification", "edge_color", "#FF0000"),
    ("notification", "edge_width", "20"),
    ("notification", "box_adjustments", "20 0 20 100"),
    ("notification", "episode_text_color", "#FF0000"),
    ("notification", "episode_text_size", "1.4"),
    ("notification", "episode_text_vertical_shift", "-30"),
    ("notification", "separator", "-"),
    ("formula_one", "country", "Italian"),
    ("formula_one", "race", "SPRINT"),
    ("formula_one", "episode_text_color", "#FF0000"),
    ("formula_one", "episode_text_size", "1.5"),
    ("formula_one", "frame_year", "1999"),
]


@pytest.mark.parametrize(("card_type", "name", "value"), OPTIONS)
def test_each_option_changes_the_picture(
    small_still: str, rendered: Rendered, card_type: str, name: str, value: str
) -> None:
    assert option_effect(rendered, small_still, card_type, name, value) > 20


BAD_VALUES = [
    ("white_border", "border_color", "not-a-colour"),
    ("white_border", "episode_text_size", "lots"),
    ("white_border", "omit_gradient", "maybe"),
    ("striped", "angle", "10"),
    ("striped", "inset", "-5"),
    ("striped", "polygons", "random[xyz]"),
    ("striped", "polygons", "wide stripes"),
    ("striped", "text_position", "middle"),
    ("graph", "graph_radius", "20"),
    ("graph", "percentage", "1.5"),
    ("graph", "graph_color", "bluish"),
    ("graph", "text_position", "centre"),
    ("notification", "position", "top"),
    ("notification", "glass_opacity", "2"),
    ("notification", "box_adjustments", "10 10"),
    ("formula_one", "frame_year", "20.5"),
    ("formula_one", "frame_year", "-1"),
    ("formula_one", "episode_text_size", "0"),
]


@pytest.mark.parametrize(("card_type", "name", "value"), BAD_VALUES)
def test_a_bad_option_value_is_refused_naming_the_option(
    small_still: str, card_type: str, name: str, value: str
) -> None:
    with pytest.raises(RenderError, match=name):
        render(spec(small_still, card_type, extras=((name, value),)))


# --- white_border ---------------------------------------------------------------------------


def test_white_border_frames_the_card_in_white_with_a_shadow_inside(small_still: str) -> None:
    image = render(spec(small_still, "white_border", width=3200, height=1800)).image
    for x, y in ((12, 900), (3187, 900), (1600, 12), (1600, 1787), (5, 5)):
        assert image.getpixel((x, y)) == (255, 255, 255), (x, y)
    # Just inside the border the picture is darkened; 40 px further in it is not.
    plain = render(spec(small_still, "standard", width=3200, height=1800)).image
    inside, further = image.getpixel((26, 900)), image.getpixel((70, 900))
    assert sum(inside) < sum(plain.getpixel((26, 900))) * 0.6
    assert abs(sum(further) - sum(plain.getpixel((70, 900)))) <= 6


# --- striped --------------------------------------------------------------------------------


def test_striped_draws_the_same_stripes_for_the_same_episode_every_time(
    small_still: str, rendered: Rendered
) -> None:
    card = spec(small_still, "striped")
    # Two renders of the card, one of them perhaps drawn by another test of this module.
    first = rendered(card)
    assert first.data == render(card).data
    # Another title keeps the episode's stripes (only the text changes) ...
    retitled = render(dataclasses.replace(card, title="Another Title")).image
    above_text = (0, 0, 640, 250)
    assert changed(first.image, retitled, above_text) == 0
    # ... another episode gets others.
    other = render(dataclasses.replace(card, episode_number=4)).image
    assert changed(first.image, other, above_text) > 500


def test_striped_stripes_stop_short_of_the_text(small_still: str) -> None:
    result = render(spec(small_still, "striped", width=3200, height=1800))
    left = min(box[0] for box in result.text_boxes)
    top = min(box[1] for box in result.text_boxes)
    right = max(box[2] for box in result.text_boxes)
    # The band just above the text is all sheet: no stripe runs into it.
    band = result.image.crop((left, top - 60, right, top - 5)).convert("L")
    assert band.getextrema() == (255, 255)
    # Elsewhere the picture shows through the sheet.
    assert result.image.crop((0, 0, 3200, 1200)).convert("L").getextrema()[0] < 200


def test_striped_fixed_widths_give_stripes_of_that_width(small_still: str) -> None:
    image = render(
        spec(
            small_still,
            "striped",
            width=3200,
            height=1800,
            extras=(("polygons", "300+"), ("angle", "90"), ("inter_stripe_spacing", "20")),
        )
    ).image
    # Upright stripes of 300 px, 20 px apart, from x = 50: the sheet shows only between them.
    row = image.convert("L").crop((0, 900, 3200, 901)).point(lambda v: 255 if v > 250 else 0)
    sheet = [x for x in range(3200) if row.getpixel((x, 0)) == 255]
    gaps = [x for x in sheet if 50 < x < 2900]
    assert gaps, "no gaps between the stripes"
    assert all(any(abs(x - (50 + k * 320 + 310)) <= 12 for k in range(10)) for x in gaps)


def test_striped_text_goes_to_the_corner_asked_for(small_still: str) -> None:
    result = render(
        spec(
            small_still,
            "striped",
            width=3200,
            height=1800,
            extras=(("text_position", "upper right"),),
        )
    )
    right = max(box[2] for box in result.text_boxes)
    top = min(box[1] for box in result.text_boxes)
    assert right > 3000 and top < 200


# --- graph ----------------------------------------------------------------------------------


def steel_blue(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel
    return b > 200 and 130 < g < 230 and r < 150


def ring_point(angle: float, radius: float = 175) -> tuple[int, int]:
    """A point on the default ring (centre 250, 1550), clockwise from 12 o'clock."""
    import math

    a = math.radians(angle - 90)
    return round(250 + radius * math.cos(a)), round(1550 + radius * math.sin(a))


def test_graph_ring_fills_as_far_into_the_season_as_the_episode_is(
    small_still: str, rendered: Rendered
) -> None:
    def ring(number: int) -> Image.Image:
        card = spec(small_still, "graph", episode_number=number, width=3200, height=1800)
        return rendered(card).image

    third, most = ring(3), ring(8)  # of 10
    assert steel_blue(third.getpixel(ring_point(45)))
    assert not steel_blue(third.getpixel(ring_point(180)))
    assert steel_blue(most.getpixel(ring_point(180)))
    assert steel_blue(most.getpixel(ring_point(270)))
    assert not steel_blue(most.getpixel(ring_point(320)))


def test_graph_shows_the_episode_and_the_season_in_the_ring(
    small_still: str, rendered: Rendered
) -> None:
    # The card of the third episode test_graph_ring_fills_... looks at.
    result = rendered(spec(small_still, "graph", width=3200, height=1800))
    numerator, denominator, title = result.text_boxes
    # "3" up and left of the ring's centre, "10" down and right, the title beside the ring.
    assert numerator[2] < 250 + 20 and numerator[3] < 1550
    assert denominator[0] > 250 - 20 and denominator[1] > 1550
    assert title[0] > 250 + 175 and title[1] < 1550 < title[3]


def test_graph_without_the_season_size_shows_the_episode_alone(small_still: str) -> None:
    result = render(spec(small_still, "graph", season_episode_max=None, width=3200, height=1800))
    number, _title = result.text_boxes
    assert number[0] < 250 < number[2] and number[1] < 1550 < number[3]
    assert not steel_blue(result.image.getpixel(ring_point(45)))  # nothing to fill it with
    filled = render(
        spec(
            small_still,
            "graph",
            season_episode_max=None,
            width=3200,
            height=1800,
            extras=(("percentage", "0.5"),),
        )
    )
    assert steel_blue(filled.image.getpixel(ring_point(135)))


def test_graph_stacks_a_fraction_of_long_numbers(small_still: str) -> None:
    result = render(
        spec(
            small_still,
            "graph",
            episode_number=104,
            season_episode_max=120,
            width=3200,
            height=1800,
        )
    )
    numerator, denominator, _title = result.text_boxes
    assert numerator[3] < 1550 < denominator[1]  # one above the other
    assert abs((numerator[0] + numerator[2]) / 2 - 250) < 12


# --- notification ---------------------------------------------------------------------------


def test_notification_boxes_are_frosted_glass_on_the_edge(small_still: str) -> None:
    def card(**fields: object) -> tuple[Image.Image, list]:
        result = render(spec(small_still, "notification", width=3200, height=1800, **fields))
        return result.image, result.text_boxes

    image, (title, episode) = card()
    bare = render(
        spec(
            small_still,
            "standard",
            width=3200,
            height=1800,
            title="",
            extras=(("omit_gradient", "true"),),
            hide_episode_text=True,
            hide_season_text=True,
        )
    ).image
    assert title[2] > 3100 and episode[2] > 3100  # right-aligned near the edge
    # Behind the title, between its ink and the edge, the picture is darker (tinted glass) ...
    probe = (3190, (title[1] + title[3]) // 2)
    assert sum(image.getpixel(probe)) < sum(bare.getpixel(probe)) * 0.75
    # ... with a white bar on the box's inner side, left of the text.
    row = [image.getpixel((x, probe[1])) for x in range(title[0] - 80, title[0])]
    assert (255, 255, 255) in row
    # On the left, everything is mirrored.
    image, (title, episode) = card(extras=(("position", "left"),))
    assert title[0] < 100 and episode[0] < 100


# --- formula_one ----------------------------------------------------------------------------


def test_formula_one_writes_round_country_race_and_session_down_the_middle(
    small_still: str,
) -> None:
    result = render(spec(small_still, "formula_one", season_text="Monaco", width=3200, height=1800))
    round_, country, race, session, year = result.text_boxes
    for box in (round_, country, race, session):
        assert abs((box[0] + box[2]) / 2 - 1600) < 25, box  # centred
    assert round_[3] < country[1] < country[3] < race[1] < race[3] < session[1]
    assert year[2] <= 1300 and year[1] > session[3]
    assert session[2] - session[0] <= 1625 + 4  # the session fits its line


def test_formula_one_puts_the_race_country_flag_in_the_corner_piece(
    small_still: str, tmp_path
) -> None:
    def piece(**fields: object) -> tuple[int, int, int]:
        image = render(spec(small_still, "formula_one", width=3200, height=1800, **fields)).image
        return image.getpixel((690, 500))  # in the left bar of the corner piece

    assert piece() == (255, 255, 255)  # no country: plain white
    r, g, b = piece(season_text="Italian Grand Prix")
    assert g > 100 and r < 60  # Italy's green, at the hoist
    r, g, b = piece(extras=(("country", "Belgian"),))
    assert max(r, g, b) < 60  # Belgium's black
    flag = tmp_path / "flag.png"
    Image.new("RGB", (300, 200), (20, 40, 200)).save(flag)
    r, g, b = piece(extras=(("flag", str(flag)),))
    assert b > 150 and r < 60


def test_formula_one_keeps_the_session_on_one_line(small_still: str) -> None:
    result = render(
        spec(
            small_still,
            "formula_one",
            title="Practice\nSession One of the Longest Grand Prix Weekend Ever Held",
            width=3200,
            height=1800,
            extras=(("frame_year", "0"),),
        )
    )
    session = result.text_boxes[3]
    assert session[2] - session[0] <= 1625 + 4 and session[3] - session[1] < 120
