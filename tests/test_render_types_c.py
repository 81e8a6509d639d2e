"""The marvel, calligraphy, music, banner, cutout and poster card types: each draws its text inside
a full-size card in the unique and the blurred grey style, each of its options changes the card
and refuses a bad value, and what is particular to each type holds."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from PIL import Image, ImageChops, ImageStat

from cards.render import CardSpec, RenderError, RenderResult, render
from cards.render.types import CARD_TYPES
from tests.support import series_pictures

TYPES = ["marvel", "calligraphy", "music", "banner", "cutout", "poster"]


@pytest.fixture(scope="module")
def small(small_still: str) -> str:
    return small_still


def spec(still: str, card_type: str, **fields: object) -> CardSpec:
    values: dict[str, object] = {
        "source": still,
        **series_pictures(),
        "title": "The Long Night of the Soul",
        "season_number": 1,
        "episode_number": 3,
        "series_name": "The Long Night",
        "card_type": card_type,
        "width": 640,
        "height": 360,
    }
    values.update(fields)
    return CardSpec(**values)


Rendered = Callable[[CardSpec], RenderResult]


def changed(
    a: Image.Image, b: Image.Image, box: tuple[int, int, int, int] | None = None, level: int = 24
) -> int:
    """How many pixels (in box, or anywhere) differ by more than `level` between two cards."""
    diff = ImageChops.difference(a, b)
    if box is not None:
        diff = diff.crop(box)
    return diff.convert("L").point(lambda v: 255 if v > level else 0).histogram()[255]


@pytest.mark.parametrize("style", ["unique", "blur grayscale"])
@pytest.mark.parametrize("card_type", TYPES)
def test_it_draws_its_text_inside_a_full_size_card(still: str, card_type: str, style: str) -> None:
    full = spec(still, card_type, style=style, width=3200, height=1800)
    result = render(full)
    bare = render(
        dataclasses.replace(full, title="", hide_season_text=True, hide_episode_text=True)
    )
    assert result.image.size == (3200, 1800)
    assert len(result.text_boxes) >= 2, "the title and the episode text"
    for box in result.text_boxes:
        left, top, right, bottom = box
        assert 0 <= left < right <= 3200 and 0 <= top < bottom <= 1800, box
        # Really drawn: the pixels where the text is are not those of the card without it.
        area = (right - left) * (bottom - top)
        assert changed(result.image, bare.image, box) > area * 0.1, box
    assert not result.warnings


@pytest.mark.parametrize("card_type", TYPES)
def test_a_re_render_gives_the_same_bytes(small: str, card_type: str) -> None:
    assert render(spec(small, card_type)).data == render(spec(small, card_type)).data


LONG_TITLE = "The Longest Night of the Whole Soul"
# Small things (a button, a heart, a corner) show on a bigger card.
BIG: dict[str, object] = {"width": 1600, "height": 900}
CONTROLS: dict[str, object] = {**BIG, "extras": (("add_controls", "true"),)}
HEART: dict[str, object] = {**BIG, "extras": (("draw_heart", "true"),)}

# Each option with a value that must visibly change the card (and, for some, a card on which it
# shows).
OPTION_CHANGES: list[tuple[str, str, str] | tuple[str, str, str, dict[str, object]]] = [
    ("marvel", "border_color", "#FF0000"),
    ("marvel", "border_size", "120"),
    ("marvel", "hide_border", "true"),
    ("marvel", "text_box_color", "#203040"),
    ("marvel", "text_box_height", "300"),
    ("marvel", "episode_text_color", "#FF0000"),
    ("marvel", "episode_text_location", "compact"),
    ("marvel", "fit_text", "false", {"title": LONG_TITLE}),  # only matters when crowded
    ("calligraphy", "logo_size", "0.5"),
    ("calligraphy", "add_texture", "false"),
    ("calligraphy", "randomize_texture", "false"),
    ("calligraphy", "deep_blur_if_unwatched", "false", {"style": "blur"}),
    ("calligraphy", "episode_text_color", "#FF0000"),
    ("calligraphy", "episode_text_font_size", "1.5"),
    ("calligraphy", "offset_titles", "false"),
    ("calligraphy", "separator", "|"),
    ("calligraphy", "shadow_color", "#FF0000"),
    ("music", "player_style", "artwork"),
    ("music", "album_size", "0.5"),
    ("music", "player_position", "right"),
    ("music", "player_inset", "200"),
    ("music", "player_width", "1500"),
    ("music", "player_color", "#FF0000"),
    ("music", "player_opacity", "0.9"),
    ("music", "round_corners", "false", BIG),
    ("music", "subtitle", "The Long Night"),
    ("music", "add_controls", "true"),
    ("music", "control_colors", "red red red red red", CONTROLS),
    ("music", "pause_or_play", "pause", CONTROLS),
    ("music", "draw_heart", "true", BIG),
    ("music", "heart_color", "red", HEART),
    ("music", "heart_stroke_color", "red", HEART),
    ("music", "percentage", "0.05"),
    ("music", "timeline_color", "#FF0000"),
    ("music", "episode_text_color", "#FF0000"),
    ("banner", "alternate_color", "#FF0000"),
    ("banner", "banner_color", "#FF0000"),
    ("banner", "banner_height", "300"),
    ("banner", "hide_banner", "true"),
    ("banner", "episode_text_font_size", "1.5"),
    ("banner", "x_offset", "200"),
    ("cutout", "overlay_color", "#FF0000"),
    ("cutout", "overlay_transparency", "0.5"),
    ("cutout", "blur_edges", "true"),
    ("cutout", "edge_blur", "40", {**BIG, "extras": (("blur_edges", "true"),)}),
    ("poster", "episode_text_color", "#FF0000"),
    ("poster", "hide_logo", "true"),
]

# A value each option must refuse, and the words the refusal says.
BAD_VALUES = [
    ("color", "not-a-colour", "unknown colour"),
    ("number", "100000", "must be between"),
    ("int", "100000", "must be between"),
    ("bool", "perhaps", "true or false"),
    ("choice", "sideways", "choose one of"),
]


def test_every_option_of_these_types_is_exercised() -> None:
    declared = {(t, name) for t in TYPES for name in CARD_TYPES[t].options}
    assert declared == {(change[0], change[1]) for change in OPTION_CHANGES}


@pytest.mark.parametrize("change", OPTION_CHANGES, ids=[f"{c[0]}-{c[1]}" for c in OPTION_CHANGES])
def test_each_option_changes_the_card(small: str, rendered: Rendered, change: tuple) -> None:
    card_type, option, value, *fields = change
    base = spec(small, card_type, **(fields[0] if fields else {}))
    # Most options of a type are tried on the same card: it is drawn once for all of them.
    plain = rendered(base).image
    changed_card = render(dataclasses.replace(base, extras=(*base.extras, (option, value)))).image
    # A paper texture or a lighter blur changes many pixels by a little.
    assert changed(plain, changed_card, level=6) > 100


CHECKED = [(c[0], c[1]) for c in OPTION_CHANGES if CARD_TYPES[c[0]].options[c[1]].kind != "text"]


@pytest.mark.parametrize(("card_type", "option"), CHECKED, ids=[f"{t}-{o}" for t, o in CHECKED])
def test_each_option_refuses_a_bad_value(small: str, card_type: str, option: str) -> None:
    kind = CARD_TYPES[card_type].options[option].kind
    [(raw, message)] = [(raw, message) for k, raw, message in BAD_VALUES if k == kind]
    with pytest.raises(RenderError, match=message) as refused:
        render(spec(small, card_type, extras=((option, raw),)))
    assert option in str(refused.value)


def test_marvel_shrinks_the_title_and_the_sides_together(small: str, rendered: Rendered) -> None:
    # The card test_each_option_changes_the_card tries fit_text on.
    fitted = rendered(spec(small, "marvel", title=LONG_TITLE)).text_boxes
    kept = render(
        spec(small, "marvel", title=LONG_TITLE, extras=(("fit_text", "false"),))
    ).text_boxes
    # The side texts shrink with the title, or keep their size while only the title shrinks.
    assert fitted[1][3] - fitted[1][1] < kept[1][3] - kept[1][1]
    assert fitted[0][2] - fitted[0][0] > kept[0][2] - kept[0][0]
    for boxes in (fitted, kept):
        title, season, episode = boxes
        assert season[2] < title[0] and title[2] < episode[0]  # never overlapping


def test_marvel_compact_puts_the_sides_beside_the_title(small: str) -> None:
    title, season, episode = render(
        spec(small, "marvel", title="Pilot", extras=(("episode_text_location", "compact"),))
    ).text_boxes
    assert 0 < title[0] - season[2] < 12 and 0 < episode[0] - title[2] < 12


def bare(still: str, card_type: str, **fields: object) -> Image.Image:
    """The card without its text: what the type draws besides."""
    quiet = {"title": "", "hide_season_text": True, "hide_episode_text": True}
    return render(spec(still, card_type, **{**quiet, **fields})).image


def test_calligraphy_paper_differs_from_episode_to_episode_but_not_between_renders(
    small: str, rendered: Rendered
) -> None:
    third = bare(small, "calligraphy", logo=None)
    assert changed(third, bare(small, "calligraphy", logo=None, episode_number=4), level=6) > 1000
    # Drawn for the episode, not its title: a corrected title leaves the paper as it was.
    renamed = render(spec(small, "calligraphy", logo=None, title="Renamed")).image
    corner = (0, 0, 160, 90)
    assert changed(rendered(spec(small, "calligraphy", logo=None)).image, renamed, corner, 0) == 0
    fixed = (("randomize_texture", "false"),)
    same = bare(small, "calligraphy", logo=None, extras=fixed, episode_number=4)
    assert changed(bare(small, "calligraphy", logo=None, extras=fixed), same, level=0) == 0


def test_calligraphy_sets_the_episode_line_above_the_logo(small: str, rendered: Rendered) -> None:
    with_logo = rendered(spec(small, "calligraphy"))
    episode, *title = with_logo.text_boxes
    without = rendered(spec(small, "calligraphy", logo=None))
    middle = (60, 165, 580, 195)
    assert changed(with_logo.image, without.image, middle) > 2000  # the logo, in the middle
    assert episode[3] < middle[1] and middle[3] < min(line[1] for line in title)
    assert without.text_boxes[0][3] < episode[1]  # without a logo, near the top
    assert not without.warnings


def test_calligraphy_spells_the_numbers_as_given(small: str) -> None:
    from cards.render.types.base import Card

    card = Card(spec(small, "calligraphy", episode_number=21), CARD_TYPES["calligraphy"])
    assert card.season_text == "Season One"
    assert "".join(text for text, _ in card.episode_parts) == "Episode Twenty-One"


def test_calligraphy_sets_two_similar_lines_off_each_other(small: str) -> None:
    title = "The Long Night of the Soul"
    first, second = render(
        spec(small, "calligraphy", hide_episode_text=True, hide_season_text=True, title=title)
    ).text_boxes
    even = render(
        spec(
            small,
            "calligraphy",
            hide_episode_text=True,
            hide_season_text=True,
            title=title,
            extras=(("offset_titles", "false"),),
        )
    ).text_boxes
    assert first[0] < even[0][0] and second[0] > even[1][0]


def test_music_plays_each_episode_to_its_own_point(small: str) -> None:
    def timeline(**fields: object) -> Image.Image:
        return bare(small, "music", **fields).crop((60, 330, 175, 341))  # the track

    third = timeline()
    assert changed(third, timeline(), level=0) == 0
    assert changed(third, timeline(title="Renamed"), level=0) == 0
    assert changed(third, timeline(episode_number=4)) > 10
    start = timeline(extras=(("percentage", "0"),))
    assert changed(start, timeline(episode_number=4, extras=(("percentage", "0"),)), level=0) == 0


def test_music_without_its_album_cover_says_which_picture_is_missing(small: str) -> None:
    with pytest.raises(RenderError, match=r"no logo for this series.*player_style basic"):
        render(spec(small, "music", logo=None))
    with pytest.raises(RenderError, match="no poster for this series"):
        render(spec(small, "music", poster=None, extras=(("player_style", "artwork"),)))
    basic = (("player_style", "basic"),)
    assert render(spec(small, "music", logo=None, poster=None, extras=basic)).text_boxes


@pytest.mark.parametrize(
    ("value", "message"),
    [("red red", "give 5 colours"), ("red red red red nope", "unknown colour in option")],
)
def test_music_refuses_a_bad_list_of_control_colours(small: str, value: str, message: str) -> None:
    with pytest.raises(RenderError, match=message):
        render(spec(small, "music", extras=(("control_colors", value),)))


def test_banner_puts_the_last_line_in_the_banner_after_the_episode_text(
    small: str, rendered: Rendered
) -> None:
    banner = rendered(spec(small, "banner"))
    season, episode, first, last = banner.text_boxes
    banner_top = 360 - 37  # 185 of 1800
    assert first[3] <= banner_top + 1  # the white line stands on the banner
    assert season[1] >= banner_top and last[1] >= banner_top and last[3] <= 360
    assert season[3] <= episode[1] and last[0] > max(season[2], episode[2])
    r, g, b = banner.image.getpixel((630, 355))
    assert min(r, g, b) > 240  # the banner is white


def test_banner_puts_a_short_title_in_the_banner(small: str) -> None:
    season, episode, title = render(spec(small, "banner", title="Pilot")).text_boxes
    assert title[1] >= 360 - 37 and title[0] > max(season[2], episode[2])


def test_cutout_shows_the_still_only_through_the_number(small: str, rendered: Rendered) -> None:
    card = rendered(spec(small, "cutout", title="", hide_season_text=True))
    (number,) = card.text_boxes
    whole = render(
        spec(
            small,
            "cutout",
            title="",
            hide_season_text=True,
            extras=(("overlay_transparency", "1"),),
        )
    )
    inside = (number[0] + 8, number[1] + 5)  # in the bar of the T of THREE
    assert card.image.getpixel(inside) == whole.image.getpixel(inside) != (0, 0, 0)
    assert card.image.getpixel((320, 20)) == (0, 0, 0) != whole.image.getpixel((320, 20))
    dark = render(spec(small, "cutout", title="", hide_episode_text=True, hide_season_text=True))
    assert dark.image.getextrema() == ((0, 0), (0, 0), (0, 0))  # no number: nothing shows


@pytest.mark.parametrize(
    ("number", "lines"),
    # THREE; TWENTY- / ONE; ONE HUNDRED / TWENTY-ONE; THREE THOUSAND ONE / HUNDRED TWENTY-ONE
    [(3, 1), (21, 2), (121, 2), (3121, 2)],
)
def test_cutout_breaks_long_numbers_onto_two_lines(
    small: str, rendered: Rendered, number: int, lines: int
) -> None:
    card = rendered(spec(small, "cutout", title="", hide_season_text=True, episode_number=number))
    assert len(card.text_boxes) == lines
    for left, top, right, bottom in card.text_boxes:
        assert 0 <= left < right <= 640 and 0 <= top < bottom <= 360


def test_poster_needs_no_still_and_shows_none(small: str, rendered: Rendered, tmp_path) -> None:
    other = str(tmp_path / "other.png")
    Image.new("RGB", (480, 270), (250, 0, 0)).save(other)
    without = render(spec("", "poster"))
    assert without.text_boxes and not without.warnings
    assert (
        rendered(spec(small, "poster")).data == without.data == render(spec(other, "poster")).data
    )


def test_poster_without_a_poster_says_so(small: str) -> None:
    with pytest.raises(RenderError, match="no poster for this series: upload one"):
        render(spec(small, "poster", poster=None))


def test_poster_puts_the_poster_on_the_left_and_blurs_it_less(small: str) -> None:
    from cards.render.types.base import Card

    card = render(spec(small, "poster", title="", hide_season_text=True, hide_episode_text=True))
    left, right = card.image.crop((0, 0, 200, 360)), card.image.crop((260, 0, 640, 360))
    assert ImageStat.Stat(left).mean[0] > ImageStat.Stat(right).mean[0] + 30  # poster vs stars
    blurred = Card(spec(small, "poster", style="blur"), CARD_TYPES["poster"])
    standard = Card(spec(small, "standard", style="blur"), CARD_TYPES["standard"])
    assert blurred.blur_radius == standard.blur_radius / 2  # 30 px of 3200, against 60


def test_poster_moves_the_title_down_for_the_logo(small: str) -> None:
    with_logo = render(spec(small, "poster", hide_episode_text=True)).text_boxes
    without = render(spec(small, "poster", hide_episode_text=True, logo=None)).text_boxes
    assert with_logo[0][1] > without[0][1] + 20
