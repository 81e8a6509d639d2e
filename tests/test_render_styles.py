"""Styles: grayscale really has no colour, blur really removes detail (but not from the text),
art styles draw the series art instead of the still."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image, ImageChops, ImageFilter, ImageStat

from cards.render import STYLES, CardSpec, FontSpec, RenderError, RenderResult, render
from cards.render.samples import save_landscape
from cards.render.types import CARD_TYPES
from tests.support import series_pictures


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> str:
    return save_landscape(str(tmp_path_factory.mktemp("still") / "still.jpg"), 960, 540)


def card(
    still: str, draw: Callable[[CardSpec], RenderResult] = render, **fields: object
) -> Image.Image:
    values = {"source": still, "title": "The Long Night", "season_number": 1, "episode_number": 3}
    values.update(series_pictures())
    values.update({"width": 960, "height": 540, **fields})
    return draw(CardSpec(**values)).image


def detail(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """High-frequency energy of a region: how far it is from a blurred copy of itself, measured
    at half size so that pixel-level grain (blur styles add a faint one against banding) does not
    count as detail."""
    region = image.crop(box).convert("L").reduce(2)
    smooth = region.filter(ImageFilter.GaussianBlur(2))
    return ImageStat.Stat(ImageChops.difference(region, smooth)).mean[0]


def test_a_grayscale_standard_card_has_no_colour_at_all(
    still: str, rendered: Callable[[CardSpec], RenderResult]
) -> None:
    # The cards test_the_unwatched_looking_styles_differ_from_unique compares: drawn once.
    for style in ("grayscale", "blur grayscale"):
        image = card(still, rendered, style=style)
        r, g, b = image.split()
        assert r.tobytes() == g.tobytes() == b.tobytes(), style


@pytest.mark.parametrize("style", [s for s in STYLES if "grayscale" in s])
@pytest.mark.parametrize("card_type", sorted(CARD_TYPES))
def test_a_grayscale_card_has_no_colour_even_in_its_text(
    still: str, card_type: str, style: str
) -> None:
    # star_wars draws gold text, and any type may be given a coloured font: none of it may
    # survive a grayscale style, in the picture or in the JPEG Plex gets.
    values = {"source": still, "art": still, "title": "The Long Night", "season_number": 1}
    spec = CardSpec(
        **values,
        **series_pictures(),
        episode_number=3,
        width=960,
        height=540,
        card_type=card_type,
        style=style,
        font=FontSpec(color="#E0A030", stroke_color="#2040FF"),
    )
    result = render(spec)
    r, g, b = result.image.split()
    assert r.tobytes() == g.tobytes() == b.tobytes()
    decoded = Image.open(io.BytesIO(result.data)).convert("RGB")
    spread = (
        ImageChops.difference(*decoded.split()[:2]),
        ImageChops.difference(*decoded.split()[1:]),
    )
    assert max(band.getextrema()[1] for band in spread) <= 2  # JPEG rounding only


# logo draws its (white) logo on black unless told to draw the still behind it: with the still,
# there is colour for grayscale to take out.
WITH_THE_STILL = {"logo": (("use_background_image", "true"),)}


@pytest.mark.parametrize("card_type", sorted(CARD_TYPES))
def test_grayscale_takes_the_colour_out_of_the_picture_of_every_type(
    still: str, card_type: str
) -> None:
    extras = WITH_THE_STILL.get(card_type, ())
    image = card(
        still,
        style="grayscale",
        card_type=card_type,
        title="",
        hide_season_text=True,
        hide_episode_text=True,
        extras=extras,
    )
    r, g, b = image.split()
    assert r.tobytes() == g.tobytes() == b.tobytes()
    colourful = card(still, style="unique", card_type=card_type, title="", extras=extras)
    r, g, b = colourful.split()
    assert r.tobytes() != b.tobytes()


@pytest.fixture(scope="module")
def detailed(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A still full of fine detail: a 4-pixel checkerboard."""
    tile = Image.new("L", (8, 8), 30)
    tile.paste(220, (0, 0, 4, 4))
    tile.paste(220, (4, 4, 8, 8))
    image = Image.new("L", (960, 540))
    for x in range(0, 960, 8):
        for y in range(0, 540, 8):
            image.paste(tile, (x, y))
    path = str(tmp_path_factory.mktemp("detailed") / "checker.png")
    image.convert("RGB").save(path)
    return path


# Where the usual box is not clear of a type's text: formula_one's text fills the middle of
# the card (below its frame the picture is clear).
CLEAR_BOXES = {
    "formula_one": (420, 350, 700, 450),
    "landscape": (380, 20, 700, 150),  # its title and box sit in the middle: look above them
}


# Types that draw more than text in the box the blur test looks at, and how to see the picture
# there all the same.
PICTURE_IN_THE_BOX: dict[str, dict[str, object]] = {
    # The logo and the episode line sit in the middle of the card.
    "calligraphy": {"logo": None, "hide_season_text": True, "hide_episode_text": True},
    # The still shows only through the letters of the number, whose edges are text and stay
    # sharp; with the overlay fully transparent all of it shows.
    "cutout": {"extras": (("overlay_transparency", "1"),)},
    # logo draws the still only when asked, and keeps the series logo sharp (it gives nothing
    # away): the still is drawn and the logo moved up out of the measured box.
    "logo": {"extras": (("use_background_image", "true"), ("logo_vertical_shift", "-300"))},
    # roman_numeral's picture is its numeral, and its title runs across the middle of it: the
    # numeral is measured alone.
    "roman_numeral": {"title": ""},
}


# Types that draw the series poster, not the still, down their left side: the checkerboard is
# given as their poster, and looked at there.
POSTER_ON_THE_LEFT = {"poster": (40, 170, 320, 300)}
# How much less detail the blur leaves: a 60-px blur of a detailed still leaves under a 20th;
# roman_numeral's 30-px blur (the reference's) of a few big flat letters, under a quarter.
REDUCTION = {"roman_numeral": 4}


@pytest.mark.parametrize("card_type", sorted(CARD_TYPES))
def test_blur_removes_most_of_the_detail_of_the_picture(detailed: str, card_type: str) -> None:
    box = CLEAR_BOXES.get(card_type, (380, 170, 700, 300))  # clear of every type's text
    fields = {"card_type": card_type, **PICTURE_IN_THE_BOX.get(card_type, {})}
    if card_type in POSTER_ON_THE_LEFT:
        box, fields["poster"] = POSTER_ON_THE_LEFT[card_type], detailed
    sharp = detail(card(detailed, **fields), box)
    blurred = detail(card(detailed, **fields, style="blur"), box)
    assert blurred < sharp / REDUCTION.get(card_type, 20), (sharp, blurred)


def test_blur_leaves_the_text_sharp(still: str) -> None:
    result = render(
        CardSpec(source=still, title="The Long Night", style="blur", width=960, height=540)
    )
    title = result.text_boxes[0]
    plain = card(still, style="blur", title="", hide_season_text=True, hide_episode_text=True)
    assert detail(result.image, title) > detail(plain, title) * 4


def test_art_styles_use_the_series_art(tmp_path, still: str) -> None:
    art = str(tmp_path / "art.png")
    Image.new("RGB", (400, 300), (200, 30, 30)).save(art)
    for style in ("art", "art blur", "art grayscale", "art blur grayscale"):
        image = card(
            still, style=style, art=art, title="", hide_season_text=True, hide_episode_text=True
        )
        r, g, b = image.getpixel((480, 60))
        if "grayscale" in style:
            assert r == g == b, style
        else:
            assert r > 150 and g < 60 and b < 60, (style, (r, g, b))


def test_an_art_style_without_art_is_refused(still: str) -> None:
    with pytest.raises(RenderError, match="background art"):
        card(still, style="art blur")


def test_the_unwatched_looking_styles_differ_from_unique(
    still: str, rendered: Callable[[CardSpec], RenderResult]
) -> None:
    unique = card(still).tobytes()
    for style in ("blur", "grayscale", "blur grayscale"):
        assert card(still, rendered, style=style).tobytes() != unique
