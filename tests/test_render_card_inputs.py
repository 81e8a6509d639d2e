"""What a card type draws with: the still, the series' logo, poster or art; and what happens
when one it needs is missing."""

from __future__ import annotations

import dataclasses

import pytest

from cards.render import CardSpec, RenderError, render
from cards.render.types import CARD_TYPES, get, without_still
from cards.render.types.base import Option


def test_a_card_without_a_still_names_the_types_that_need_none() -> None:
    with pytest.raises(RenderError, match="no still for this episode") as caught:
        render(CardSpec(source="", title="Pilot", card_type="standard", width=320, height=180))
    for name in without_still():
        assert name in str(caught.value)


def test_every_type_declares_inputs_it_knows() -> None:
    for name, kind in CARD_TYPES.items():
        assert kind.still in ("required", "optional", "unused"), name
        assert set(kind.needs) | set(kind.uses) <= {"art", "logo", "poster"}, name


def test_titlecardmaker_names_find_the_same_type() -> None:
    assert get("tinted frame") is CARD_TYPES["tinted_frame"]
    assert get("Star Wars") is CARD_TYPES["star_wars"]
    assert get("generic") is CARD_TYPES["standard"]
    with pytest.raises(RenderError, match="unknown card type"):
        get("no such type")


def test_the_fingerprint_does_not_depend_on_where_the_pictures_are() -> None:
    spec = CardSpec(source="/a/still.jpg", title="T", logo="/a/logo.png", poster="/a/p.jpg")
    moved = dataclasses.replace(spec, source="/b/s.jpg", logo="/b/l.png", poster="/b/p.jpg")
    assert spec.fingerprint_data() == moved.fingerprint_data()


@pytest.mark.parametrize(
    ("option", "raw", "message"),
    [
        (Option("number", 1.0, "", minimum=0.1, maximum=3), "5", "between 0.1 and 3"),
        (Option("int", 2, "", minimum=0), "-1", "between 0 and inf"),
        (Option("int", 2, ""), "1.5", "whole number"),
        (Option("number", 1.0, ""), "nan", "finite"),
        (Option("text", "a", "letters a or b", pattern="[ab]+"), "abc", "letters a or b"),
    ],
)
def test_an_option_out_of_its_limits_is_refused(option: Option, raw: str, message: str) -> None:
    with pytest.raises(RenderError, match=message):
        option.parse("size", raw)


def test_an_option_within_its_limits_is_parsed() -> None:
    assert Option("int", 2, "", minimum=0, maximum=9).parse("n", "7") == 7
    assert Option("number", 1.0, "", minimum=0.5).parse("n", "0.5") == 0.5
    assert Option("text", "a", "", pattern="[ab]+").parse("n", " abba ") == " abba "


@pytest.mark.parametrize("style", ["unique", "grayscale", "blur", "blur grayscale"])
def test_a_picture_a_type_places_covers_the_box_it_asks_for(tmp_path, style: str) -> None:
    from cards.render.samples import save_landscape
    from cards.render.types.base import Card

    still = save_landscape(str(tmp_path / "still.jpg"), 480, 270)
    card = Card(CardSpec(source=still, title="T", style=style), CARD_TYPES["standard"])
    picture = card.picture(still, (1200, 500))  # larger than the still, another shape
    assert picture.size == (1200, 500) and picture.mode == "RGB"
    red, _, blue = picture.split()
    assert (red.tobytes() == blue.tobytes()) == ("grayscale" in style)


@pytest.mark.parametrize("style", ["unique", "blur"])
def test_a_part_of_a_picture_is_that_part_of_the_whole(tmp_path, style: str) -> None:
    from PIL import ImageChops, ImageStat

    from cards.render.samples import save_landscape
    from cards.render.types.base import Card

    still = save_landscape(str(tmp_path / "still.jpg"), 480, 270)
    card = Card(CardSpec(source=still, title="T", style=style), CARD_TYPES["standard"])
    whole = card.picture(still, (1600, 900))
    part = card.picture(still, (1600, 900), part=(400, 100, 1300, 700))
    assert part.size == (900, 600)
    difference = ImageChops.difference(part, whole.crop((400, 100, 1300, 700)))
    assert max(ImageStat.Stat(difference).mean) < 4


def test_box_adjustments_are_four_numbers_or_one() -> None:
    from cards.render.types.base import Sides

    sides = Sides()
    assert sides.parse("box_adjustments", "10 -20 30 40") == (10, -20, 30, 40)
    assert sides.parse("box_adjustments", "15") == (15, 15, 15, 15)
    # The default, as a form shows it and sends it back, reads as itself.
    assert sides.parse("box_adjustments", str(sides.default)) == sides.default
    for bad in ("1 2", "a b c d", "0 0 0 5000", "nan"):
        with pytest.raises(RenderError, match="box_adjustments"):
            sides.parse("box_adjustments", bad)


@pytest.mark.parametrize("style", ["unique", "grayscale", "blur", "blur grayscale"])
def test_a_picture_smaller_than_its_box_is_scaled_up_to_cover_it(tmp_path, style: str) -> None:
    from PIL import Image

    from cards.render.types.base import Card

    path = tmp_path / "poster.png"
    Image.new("RGB", (100, 150), (200, 10, 10)).save(path)
    card = Card(CardSpec(source="", title="x", style=style), CARD_TYPES["standard"])
    picture = card.picture(str(path), (1200, 1800), "poster")
    assert picture.size == (1200, 1800) and picture.mode == "RGB"
