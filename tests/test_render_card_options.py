"""Card-type options (CardSpec.extras): each one changes the card the way it says."""

from __future__ import annotations

import dataclasses

import pytest
from PIL import Image, ImageChops, ImageStat

from cards.render import CardSpec, RenderError, render
from cards.render.samples import save_landscape
from tests.support import series_pictures


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> str:
    return save_landscape(str(tmp_path_factory.mktemp("still") / "still.jpg"), 480, 270)


def card(still: str, card_type: str, **extras: str) -> CardSpec:
    return CardSpec(
        **series_pictures(),
        source=still,
        title="The Long Night",
        season_number=1,
        episode_number=3,
        card_type=card_type,
        width=640,
        height=360,
        extras=tuple(extras.items()),
    )


def changed(a: Image.Image, b: Image.Image, box: tuple[int, int, int, int]) -> int:
    """How many pixels in box differ clearly between two cards."""
    diff = ImageChops.difference(a, b).crop(box).convert("L")
    return diff.point(lambda v: 255 if v > 24 else 0).histogram()[255]


def test_the_standard_gradient_can_be_left_out(still: str) -> None:
    spec = card(still, "standard")
    with_gradient = render(dataclasses.replace(spec, title="", hide_episode_text=True)).image
    without = render(
        dataclasses.replace(
            spec, title="", hide_episode_text=True, extras=(("omit_gradient", "true"),)
        )
    ).image
    # The bottom is darker with the gradient, the top untouched.
    assert changed(with_gradient, without, (0, 300, 640, 360)) > 5000
    assert changed(with_gradient, without, (0, 0, 640, 100)) == 0


def test_the_episode_line_colour_and_separator(still: str) -> None:
    plain = render(card(still, "standard"))
    red = render(card(still, "standard", episode_text_color="#FF0000", separator="|"))
    box = plain.text_boxes[-1]
    r, g, _ = red.image.crop(box).split()
    reds = ImageChops.multiply(
        r.point(lambda v: 255 * (v > 180)), g.point(lambda v: 255 * (v < 90))
    )
    assert reds.histogram()[255] > 20


def test_tinted_frame_elements_can_move_or_go(tmp_path, still: str) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (200, 100), (255, 0, 0, 255)).save(logo)
    result = render(
        card(
            still,
            "tinted_frame",
            top_element="omit",
            middle_element="logo",
            bottom_element="title",
            logo=str(logo),
        )
    )
    (title,) = result.text_boxes
    assert title[1] > 300  # the title sits on the bottom line now
    r, g, b = result.image.getpixel((320, 180))
    assert r > 200 and g < 60 and b < 60  # the logo in the middle


def test_tinted_frame_edges_are_blurred_unless_switched_off(still: str) -> None:
    blurred = render(card(still, "tinted_frame")).image
    sharp = render(card(still, "tinted_frame", blur_edges="false")).image
    diff = ImageChops.difference(blurred, sharp).convert("L")
    assert ImageStat.Stat(diff.crop((0, 100, 30, 260))).mean[0] > 1  # outside the frame
    assert diff.crop((100, 100, 540, 260)).getbbox() is None  # inside it


def test_a_logo_element_without_a_logo_is_a_clear_error(still: str) -> None:
    with pytest.raises(RenderError, match="logo option"):
        render(card(still, "tinted_frame", middle_element="logo"))
    with pytest.raises(RenderError, match="top_element"):
        render(card(still, "tinted_frame", top_element="banner"))


def test_star_wars_episode_colour(still: str) -> None:
    plain = render(card(still, "star_wars"))
    white = render(card(still, "star_wars", episode_text_color="white"))
    episode_box = plain.text_boxes[0]
    assert changed(plain.image, white.image, episode_box) > 50


@pytest.mark.parametrize("size", [(1000, 1500), (1600, 400), (200, 112)])
@pytest.mark.parametrize(
    "card_type",
    [
        *("standard", "anime", "tinted_frame", "star_wars", "olivier"),
        *("shape", "divider", "logo", "inset", "roman_numeral", "textless"),
    ],
)
def test_odd_canvas_shapes_render_inside_the_canvas(
    still: str, card_type: str, size: tuple[int, int]
) -> None:
    spec = dataclasses.replace(
        card(still, card_type), width=size[0], height=size[1], title="The Long Night of the Soul"
    )
    result = render(spec)
    assert result.image.size == size
    for left, top, right, bottom in result.text_boxes:
        assert left >= 0 and top >= 0 and right <= size[0] and bottom <= size[1]
