"""The card types shape, divider, logo, inset, roman_numeral and textless: each renders a full-size
card with its text inside the canvas and really drawn, the ones that need no still render without
one, and each option changes the card (a bad value is refused, naming the option)."""

from __future__ import annotations

import dataclasses

import pytest
from PIL import Image, ImageChops, ImageDraw

from cards.render import CardSpec, RenderError, render
from cards.render.scale import upscale
from cards.render.source import load_cover
from tests.support import series_pictures
from tests.test_render_styles import detail

TYPES = ["shape", "divider", "logo", "inset", "roman_numeral"]
# The types that draw without an episode still.
WITHOUT_STILL = ["logo", "roman_numeral", "textless"]
STYLES = ("unique", "blur grayscale")


@pytest.fixture(scope="module")
def checker(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A still of fine detail (a 4-pixel checkerboard), for seeing blur."""
    image = Image.new("L", (640, 360), 30)
    pen = ImageDraw.Draw(image)
    for x in range(0, 640, 4):
        for y in range(x // 4 % 2 * 4, 360, 8):
            pen.rectangle((x, y, x + 3, y + 3), fill=220)
    path = str(tmp_path_factory.mktemp("checker") / "checker.png")
    image.convert("RGB").save(path)
    return path


def spec(source: str, card_type: str, **fields: object) -> CardSpec:
    values: dict[str, object] = {
        "source": source,
        **series_pictures(),
        "title": "The Long Night of the Soul",
        "season_number": 1,
        "episode_number": 3,
        "card_type": card_type,
    }
    values.update(fields)
    return CardSpec(**values)


def changed(
    a: Image.Image, b: Image.Image, box: tuple[int, int, int, int] | None = None, level: int = 40
) -> int:
    """How many pixels (in box) differ by more than `level` between two cards."""
    diff = ImageChops.difference(a, b).convert("L")
    if box is not None:
        diff = diff.crop(box)
    return diff.point(lambda v: 255 if v > level else 0).histogram()[255]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("card_type", TYPES)
def test_it_draws_its_text_inside_a_full_size_card(still: str, card_type: str, style: str) -> None:
    card = spec(still, card_type, style=style)
    result = render(card)
    bare = render(
        dataclasses.replace(card, title="", hide_episode_text=True, hide_season_text=True)
    )
    assert result.image.size == (3200, 1800)
    assert result.text_boxes, "no text was drawn"
    for box in result.text_boxes:
        left, top, right, bottom = box
        assert 0 <= left < right <= 3200 and 0 <= top < bottom <= 1800, box
        # Really drawn: the pixels where the renderer says it wrote are not the bare card's.
        area = (right - left) * (bottom - top)
        assert changed(result.image, bare.image, box) > area * 0.05, box


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("card_type", WITHOUT_STILL)
def test_it_draws_a_card_without_a_still(card_type: str, style: str) -> None:
    result = render(spec("", card_type, style=style, width=640, height=360))
    assert result.image.size == (640, 360)
    assert result.text_boxes or card_type == "textless"


@pytest.mark.parametrize("card_type", ["logo"])
def test_without_the_series_logo_it_says_so(small_still: str, card_type: str) -> None:
    for source in ("", small_still):
        with pytest.raises(RenderError, match="no logo for this series: upload one"):
            render(spec(source, card_type, logo=None, width=640, height=360))


# --- shape ------------------------------------------------------------------------------------


def test_shape_puts_the_episode_number_in_front_of_the_title_and_the_season_under_it(
    small_still: str,
) -> None:
    result = render(spec(small_still, "shape", width=640, height=360))
    title, season = result.text_boxes
    alone = render(spec(small_still, "shape", width=640, height=360, hide_episode_text=True))
    assert title[2] > alone.text_boxes[0][2] + 20  # "3. " in front: the line got longer
    assert title[0] == alone.text_boxes[0][0]  # its first character is centred in the shape
    assert season[1] > title[3] and season[0] > title[0]  # under it, indented
    assert title[0] < 640 * 0.15 and title[3] > 360 * 0.75  # lower left


def test_shape_is_drawn_in_its_colour_and_open_where_the_title_runs_through(
    small_still: str,
) -> None:
    card = spec(small_still, "shape", width=640, height=360, extras=(("shape_color", "red"),))
    image = render(card).image
    red = _red(image)
    # The diamond's left corner is 75 px (of 3200) from the left edge, its bottom 75 px up.
    assert red.crop((10, 260, 40, 350)).getbbox() is not None  # its left half
    # Its right corner is where the title passes: nothing red there.
    title = render(card).text_boxes[0]
    assert red.crop((70, title[1], 100, title[3])).getbbox() is None
    hidden = render(dataclasses.replace(card, extras=(("hide_shape", "true"),))).image
    assert _red(hidden).getbbox() is None


def _red(image: Image.Image) -> Image.Image:
    r, g, _ = image.split()
    return ImageChops.multiply(
        r.point(lambda v: 255 * (v > 150)), g.point(lambda v: 255 * (v < 90))
    )


@pytest.mark.parametrize("card_type", ["shape", "divider"])
@pytest.mark.parametrize(
    "text_position", ["lower left", "lower right", "upper left", "upper right", "left", "right"]
)
def test_text_position_moves_the_text_to_that_side(
    small_still: str, card_type: str, text_position: str
) -> None:
    extras = (("text_position", text_position),)
    boxes = render(spec(small_still, card_type, width=640, height=360, extras=extras)).text_boxes
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
    if text_position.endswith("left"):
        assert left < 640 * 0.15
    else:
        assert right > 640 * 0.85
    if text_position.startswith("upper"):
        assert top < 360 * 0.2
    elif text_position.startswith("lower"):
        assert bottom > 360 * 0.8
    else:
        assert abs((top + bottom) / 2 - 180) < 40


# --- divider ----------------------------------------------------------------------------------


def test_divider_sets_the_title_and_the_two_lines_either_side_of_a_bar(small_still: str) -> None:
    card = spec(small_still, "divider", width=640, height=360, extras=(("divider_color", "red"),))
    result = render(card)
    *title, season, episode = result.text_boxes
    assert len(title) == 2  # "The Long Night / of the Soul"
    assert episode[1] > season[1] and season[0] == episode[0]  # left-aligned, one under the other
    assert max(box[2] for box in title) < season[0]  # the title on the left
    assert episode[2] > 640 - 20 and episode[3] > 360 - 20  # lower right, 50 px (of 3200) in
    bar = _red(result.image).getbbox()
    assert bar is not None
    assert max(box[2] for box in title) <= bar[0] and bar[2] <= season[0]
    assert bar[3] - bar[1] > (episode[3] - season[1]) * 0.6


def test_divider_title_can_go_right_of_the_bar(small_still: str) -> None:
    card = spec(
        small_still, "divider", width=640, height=360, extras=(("title_text_position", "right"),)
    )
    season, episode, *title = render(card).text_boxes
    assert season[2] < min(box[0] for box in title)
    assert season[2] == episode[2]  # the lines lean on the bar, as the title does


# --- logo -------------------------------------------------------------------------------------


def _bright(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """White pixels: the logo's (the test stills have none)."""
    return image.crop(box).convert("L").point(lambda v: 255 * (v > 240)).histogram()[255]


def test_logo_draws_the_logo_big_above_the_title_on_black(small_still: str) -> None:
    result = render(spec(small_still, "logo", width=640, height=360))
    title, episode = result.text_boxes
    image = result.image
    logo = image.crop((0, 0, 640, title[1] - 10)).convert("L").point(lambda v: 255 * (v > 200))
    box = logo.getbbox()
    assert box is not None
    assert abs((box[0] + box[2]) / 2 - 320) < 4  # centred
    assert box[2] - box[0] > 640 * 0.5  # 1875 px of 3200 wide, the sample logo being wide
    assert 60 / 5 < (box[1] + box[3]) / 2 < 1090 / 5  # in the upper band
    assert image.getpixel((20, 20)) == (0, 0, 0)  # the still is not drawn
    assert episode[1] > title[3]


def test_logo_can_draw_the_still_behind_the_logo(small_still: str) -> None:
    card = spec(small_still, "logo", width=640, height=360)
    plain = render(card).image
    behind = render(dataclasses.replace(card, extras=(("use_background_image", "true"),))).image
    assert changed(plain, behind, (0, 0, 640, 40)) > 10000
    without_still = render(
        dataclasses.replace(card, source="", extras=(("use_background_image", "true"),))
    )
    assert without_still.image.getpixel((20, 20)) == (0, 0, 0)  # no still: the plain card


def test_logo_blur_blurs_the_still_and_leaves_the_logo_sharp_unless_told(checker: str) -> None:
    card = spec(checker, "logo", width=640, height=360, extras=(("use_background_image", "true"),))
    sharp = render(card).image
    blurred = render(dataclasses.replace(card, style="blur")).image
    logo_box = (100, 100, 540, 130)
    still_box = (0, 150, 640, 250)  # under the logo, above the title
    assert detail(blurred, still_box) < detail(sharp, still_box) / 20  # the still
    assert _bright(blurred, logo_box) > _bright(sharp, logo_box) * 0.8  # the logo
    whole = dataclasses.replace(
        card, style="blur", extras=(*card.extras, ("blur_only_image", "false"))
    )
    assert _bright(render(whole).image, logo_box) < _bright(sharp, logo_box) * 0.3


def test_logo_size_and_shift_move_the_logo(small_still: str) -> None:
    def logo_box(*extras: tuple[str, str]) -> tuple[int, int, int, int]:
        image = render(spec(small_still, "logo", width=640, height=360, extras=extras)).image
        box = image.crop((0, 0, 640, 240)).convert("L").point(lambda v: 255 * (v > 200)).getbbox()
        assert box is not None
        return box

    default = logo_box()
    small = logo_box(("logo_size", "0.5"))
    assert (small[2] - small[0]) < (default[2] - default[0]) * 0.6
    lower = logo_box(("logo_vertical_shift", "200"))
    assert lower[1] - default[1] == pytest.approx(40, abs=2)  # 200 px of 3200 on a 640 card


# --- inset ------------------------------------------------------------------------------------


def test_inset_sets_the_episode_text_into_the_last_title_line(small_still: str) -> None:
    result = render(spec(small_still, "inset", width=640, height=360))
    *title, episode = result.text_boxes
    last = title[-1]
    assert last[1] < episode[1] and episode[3] <= last[3] + 1  # within the last line's rows
    assert abs((episode[0] + episode[2]) / 2 - 320) < 3  # centred
    assert last[3] > 360 - 30  # the title stands on the bottom edge
    assert title[0][3] > last[1]  # and its lines overlap
    assert _red(result.image.crop(episode)).histogram()[255] > 50  # crimson


def test_inset_hides_the_title_behind_a_frosted_patch(small_still: str) -> None:
    card = spec(small_still, "inset", width=640, height=360)
    frosted = render(card)
    clear = render(dataclasses.replace(card, extras=(("transparency", "0"),)))
    episode = frosted.text_boxes[-1]
    # Above the episode text, inside the patch: the title's white letters show only without it.
    strip = (episode[0], episode[1] - 3, episode[2], episode[1])
    assert _bright(clear.image, strip) > 3 * max(1, _bright(frosted.image, strip))


def test_inset_episode_text_stays_readable_in_grayscale(small_still: str) -> None:
    result = render(spec(small_still, "inset", width=640, height=360, style="blur grayscale"))
    episode = result.image.crop(result.text_boxes[-1]).convert("L")
    assert episode.getextrema()[1] > 180  # light grey, not crimson's dark grey


# --- roman_numeral ----------------------------------------------------------------------------


def test_roman_numeral_draws_the_episode_number_big_behind_the_title(small_still: str) -> None:
    result = render(spec("", "roman_numeral", width=640, height=360))
    numeral, season, title = result.text_boxes
    assert numeral[0] < title[0] + 300 and numeral[1] < title[1] and numeral[3] > title[3]
    assert abs((numeral[0] + numeral[2]) / 2 - 320) < 4  # centred
    assert numeral[3] - numeral[1] > 360 * 0.35  # huge
    assert abs((title[1] + title[3]) / 2 - 180) < 6  # the title across the middle
    assert season[3] <= numeral[1] and season[2] <= numeral[2]  # small, above its right end
    red = _red(result.image)
    assert red.crop(numeral).histogram()[255] > 2000
    # A still is not used: the card is the same with one.
    assert render(spec(small_still, "roman_numeral", width=640, height=360)).data == result.data


def test_roman_numeral_puts_a_long_numeral_on_two_lines() -> None:
    short = render(spec("", "roman_numeral", width=640, height=360, episode_number=8))
    long = render(spec("", "roman_numeral", width=640, height=360, episode_number=18))
    assert len(short.text_boxes) == 3  # VIII, the season, the title
    assert len(long.text_boxes) == 4  # XVI / II ...
    top, bottom = long.text_boxes[:2]
    assert bottom[1] > top[3] - 5
    for box in long.text_boxes:
        assert box[0] >= 0 and box[1] >= 0 and box[2] <= 640 and box[3] <= 360


def test_roman_numeral_blur_softens_the_numeral_not_the_title() -> None:
    card = spec("", "roman_numeral", width=640, height=360)
    sharp, blurred = render(card), render(dataclasses.replace(card, style="blur"))
    numeral, _, title = sharp.text_boxes
    corner = (numeral[0], numeral[1], numeral[0] + 60, numeral[1] + 40)  # above the title
    assert detail(blurred.image, corner) < detail(sharp.image, corner) / 3
    assert changed(sharp.image, blurred.image, (title[0], title[1], title[2], title[3])) < 400


def test_roman_numeral_season_text_is_grey_on_black_and_the_font_colour_elsewhere() -> None:
    def brightest(*extras: tuple[str, str]) -> int:
        result = render(spec("", "roman_numeral", width=1280, height=720, extras=extras))
        return result.image.crop(result.text_boxes[1]).convert("L").getextrema()[1]

    assert 180 < brightest() < 215  # #C8C8C8
    assert brightest(("background", "#102060")) > 240  # white, as the title


# --- textless ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def red_art(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("art") / "art.png")
    Image.new("RGB", (400, 225), (200, 30, 30)).save(path)
    return path


def test_textless_is_the_still_alone(small_still: str) -> None:
    result = render(spec(small_still, "textless", width=640, height=360))
    assert result.text_boxes == []
    still = upscale(load_cover(small_still, (640, 360)), (640, 360))
    assert changed(result.image, still, level=2) == 0  # no text, gradient or frame


def test_textless_without_a_still_draws_the_series_art(red_art: str) -> None:
    for style in ("unique", "blur", "grayscale", "blur grayscale"):
        image = render(spec("", "textless", art=red_art, style=style, width=640, height=360)).image
        r, g, b = image.getpixel((320, 180))
        if "grayscale" in style:
            assert r == g == b and 60 < r < 120, (style, (r, g, b))  # the red's grey
        else:
            assert r > 150 and g < 60 and b < 60, (style, (r, g, b))


def test_textless_with_neither_still_nor_art_is_its_background() -> None:
    assert render(spec("", "textless", width=64, height=36)).image.getcolors() == [
        (64 * 36, (0, 0, 0))
    ]
    blue = render(spec("", "textless", width=64, height=36, extras=(("background", "#102060"),)))
    assert blue.image.getcolors() == [(64 * 36, (16, 32, 96))]
    with pytest.raises(RenderError, match="background"):
        render(spec("", "textless", width=64, height=36, extras=(("background", "nope"),)))


# Each option against the default: the option changes the card somewhere.
OPTIONS = [
    ("shape", "shape", "circle"),
    ("shape", "shape", "square"),
    ("shape", "shape", "up triangle"),
    ("shape", "shape", "down triangle"),
    ("shape", "shape_color", "#FF0000"),
    ("shape", "shape_inset", "200"),
    ("shape", "shape_size", "1.5"),
    ("shape", "shape_width", "20"),
    ("shape", "shape_stroke_width", "6"),
    ("shape", "hide_shape", "true"),
    ("shape", "season_text_color", "#00FF00"),
    ("shape", "season_text_font_size", "2"),
    ("shape", "season_text_position", "above"),
    ("shape", "text_position", "upper right"),
    ("shape", "omit_gradient", "true"),
    ("shape", "shape_stroke_color", "#FF00FF"),
    ("divider", "text_position", "upper left"),
    ("divider", "title_text_position", "right"),
    ("divider", "text_gravity", "right"),
    ("divider", "text_gravity", "center"),
    ("divider", "divider_color", "#FF0000"),
    ("divider", "stroke_color", "#FFFFFF"),
    ("divider", "episode_text_font_size", "1.5"),
    ("logo", "logo_size", "0.5"),
    ("logo", "logo_vertical_shift", "100"),
    ("logo", "background", "#203040"),
    ("logo", "use_background_image", "true"),
    ("logo", "omit_gradient", "false"),
    ("logo", "blur_only_image", "false"),
    ("logo", "episode_text_color", "#FF0000"),
    ("logo", "episode_text_size", "1.5"),
    ("logo", "episode_text_vertical_shift", "-40"),
    ("logo", "separator", "|"),
    ("logo", "stroke_color", "#FF00FF"),
    ("inset", "episode_text_color", "#00FF00"),
    ("inset", "episode_text_font_size", "1.5"),
    ("inset", "separator", "|"),
    ("inset", "omit_gradient", "true"),
    ("inset", "transparency", "0.3"),
    ("roman_numeral", "background", "#203040"),
    ("roman_numeral", "roman_numeral_color", "#00FF00"),
    ("roman_numeral", "season_text_color", "#FF0000"),
]
# Options that only show together with another one.
WITH = {
    ("shape", "shape_stroke_color"): ("shape_stroke_width", "6"),
    ("logo", "omit_gradient"): ("use_background_image", "true"),  # no shade on black
}
# Options that show only in one style.
STYLE_OF = {("logo", "blur_only_image"): "blur"}


@pytest.mark.parametrize(("card_type", "option", "value"), OPTIONS)
def test_each_option_changes_the_card(
    small_still: str, card_type: str, option: str, value: str
) -> None:
    base = tuple(x for x in [WITH.get((card_type, option))] if x)
    look = {"width": 640, "height": 360, "style": STYLE_OF.get((card_type, option), "unique")}
    default = render(spec(small_still, card_type, **look, extras=base))
    chosen = render(spec(small_still, card_type, **look, extras=(*base, (option, value))))
    assert not chosen.warnings
    # A low level: a shade is a small change over many pixels.
    assert changed(default.image, chosen.image, level=12) > 30, f"{option}={value} changed nothing"


BAD = [
    ("shape", "shape", "hexagon"),
    ("shape", "shape_color", "not-a-colour"),
    ("shape", "shape_size", "0"),
    ("shape", "shape_width", "1000"),
    ("shape", "shape_inset", "-5"),
    ("shape", "season_text_position", "beside"),
    ("shape", "text_position", "middle"),
    ("divider", "text_position", "centre"),
    ("divider", "title_text_position", "above"),
    ("divider", "text_gravity", "north"),
    ("divider", "divider_color", "#12345"),
    ("divider", "episode_text_font_size", "9"),
    ("logo", "logo_size", "5"),
    ("logo", "logo_vertical_shift", "abc"),
    ("logo", "background", "blurple"),
    ("logo", "use_background_image", "maybe"),
    ("inset", "transparency", "2"),
    ("inset", "episode_text_font_size", "0"),
    ("inset", "episode_text_color", "#GGGGGG"),
    ("roman_numeral", "background", "none"),
    ("roman_numeral", "roman_numeral_color", ""),
]


@pytest.mark.parametrize(("card_type", "option", "value"), BAD)
def test_a_bad_option_value_is_refused_naming_the_option(
    small_still: str, card_type: str, option: str, value: str
) -> None:
    with pytest.raises(RenderError, match=option):
        render(spec(small_still, card_type, width=640, height=360, extras=((option, value),)))


def test_a_random_shape_is_the_same_for_the_same_episode(small_still: str) -> None:
    card = spec(
        small_still,
        "shape",
        width=640,
        height=360,
        hide_episode_text=True,  # the title is the same for every episode: only the shape varies
        extras=(("shape", "random"),),
    )
    assert render(card).data == render(card).data
    shapes = {
        render(dataclasses.replace(card, episode_number=n)).image.crop((0, 200, 60, 360)).tobytes()
        for n in range(1, 9)
    }
    assert len(shapes) > 1  # but not the same for every episode
