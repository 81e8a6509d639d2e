"""Every card type renders in every style at the requested size, and draws its text where the
type says it goes."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, JpegImagePlugin

from cards.render import STYLES, CardSpec, card_type_choices, render
from cards.render.samples import save_landscape
from cards.render.types import CARD_TYPES
from tests.support import TEXTLESS, series_pictures

# Where each type puts its title, as fractions of the canvas (left, top, right, bottom).
TITLE_REGIONS = {
    "standard": (0.2, 0.72, 0.8, 0.86),
    "anime": (0.02, 0.78, 0.6, 0.92),
    "tinted_frame": (0.3, 0.05, 0.7, 0.15),
    "star_wars": (0.09, 0.45, 0.4, 0.62),
    "olivier": (0.09, 0.42, 0.45, 0.58),
    "white_border": (0.1, 0.72, 0.9, 0.87),
    # The stripes stop short of the title: without one they run on down to where it would be.
    "striped": (0.0, 0.8, 0.6, 1.0),
    "graph": (0.13, 0.78, 0.75, 0.95),
    # With the title goes the glass box behind it.
    "notification": (0.45, 0.77, 1.0, 0.92),
    "formula_one": (0.22, 0.42, 0.78, 0.52),
    "comic_book": (0.15, 0.78, 0.85, 0.99),
    "tinted_glass": (0.15, 0.58, 0.85, 0.88),
    "fade": (0.02, 0.42, 0.34, 0.72),
    "landscape": (0.12, 0.28, 0.88, 0.72),
    "overline": (0.1, 0.8, 0.9, 0.97),
    "frame": (0.15, 0.8, 0.85, 0.95),
    "marvel": (0.1, 0.88, 0.9, 1.0),
    "calligraphy": (0.2, 0.68, 0.8, 0.98),
    # The player panel grows round its title: all of the panel changes.
    "music": (0.0, 0.45, 0.33, 1.0),
    "banner": (0.0, 0.78, 1.0, 1.0),
    "cutout": (0.1, 0.82, 0.9, 0.96),
    "poster": (0.4, 0.45, 0.98, 0.8),  # on the star field, below the logo
    "shape": (0.02, 0.76, 0.65, 0.94),
    "divider": (0.55, 0.75, 0.995, 0.995),
    "logo": (0.2, 0.72, 0.8, 0.86),
    "inset": (0.05, 0.68, 0.95, 1.0),
    "roman_numeral": (0.05, 0.42, 0.95, 0.6),
}
# Text a type draws besides the title and the episode line, switched off where a test needs a
# card without any text: formula_one's race name ("GRAND PRIX") and its year on the frame.
NO_OTHER_TEXT = {"formula_one": (("race", ""), ("frame_year", "0"))}


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> str:
    return save_landscape(str(tmp_path_factory.mktemp("still") / "still.jpg"), 480, 270)


def spec(still: str, **fields: object) -> CardSpec:
    values = {
        "source": still,
        "art": still,
        **series_pictures(),
        "title": "The Long Night of the Soul",
        "season_number": 1,
        "episode_number": 3,
        "width": 640,
        "height": 360,
    }
    values.update(fields)
    return CardSpec(**values)


def test_the_registry_offers_the_five_reference_types_standard_first() -> None:
    names = [name for name, _ in card_type_choices()]
    assert names[0] == "standard"
    assert set(names) >= {"standard", "anime", "tinted_frame", "star_wars", "olivier"}
    assert all(label for _, label in card_type_choices())


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("card_type", sorted(CARD_TYPES))
def test_it_renders_every_type_in_every_style_at_the_requested_size(
    still: str, card_type: str, style: str
) -> None:
    result = render(spec(still, card_type=card_type, style=style))
    assert result.image.mode == "RGB"
    assert result.image.size == (640, 360)
    decoded = Image.open(io.BytesIO(result.data))
    assert decoded.format == "JPEG"
    assert decoded.size == (640, 360)
    assert JpegImagePlugin.get_sampling(decoded) == 0  # 4:4:4
    if card_type in TEXTLESS:
        assert result.text_boxes == []
    else:
        assert result.text_boxes, "no text was drawn"


def test_the_default_card_is_3200_by_1800(still: str) -> None:
    result = render(CardSpec(source=still, title="Pilot", season_number=1, episode_number=1))
    assert result.image.size == (3200, 1800)
    assert Image.open(io.BytesIO(result.data)).size == (3200, 1800)


@pytest.mark.parametrize("card_type", sorted(CARD_TYPES))
def test_it_draws_the_title_where_the_type_puts_it(still: str, card_type: str) -> None:
    quiet = {
        "hide_season_text": True,
        "hide_episode_text": True,
        "extras": NO_OTHER_TEXT.get(card_type, ()),
    }
    plain = render(spec(still, card_type=card_type, title="", **quiet))
    titled = render(spec(still, card_type=card_type, **quiet))
    assert plain.text_boxes == []
    if card_type in TEXTLESS:
        assert titled.text_boxes == [] and titled.data == plain.data
        return
    left, top, right, bottom = TITLE_REGIONS[card_type]
    region = (round(left * 640), round(top * 360), round(right * 640), round(bottom * 360))
    diff = ImageChops.difference(plain.image, titled.image)
    changed = diff.crop(region).convert("L").point(lambda v: 255 if v > 40 else 0)
    assert changed.histogram()[255] > 200, f"no title pixels in {region}"
    # And nothing else changed: the title is all the difference.
    outside = diff.convert("L").point(lambda v: 255 if v > 40 else 0)
    outside.paste(0, region)
    assert outside.histogram()[255] < changed.histogram()[255] * 0.2


def test_the_episode_line_is_drawn_below_the_title_on_a_standard_card(still: str) -> None:
    result = render(spec(still))
    title, episode = result.text_boxes
    assert episode[1] > title[3] - 2  # below
    assert abs((episode[0] + episode[2]) / 2 - 320) < 3  # centred
    assert abs((title[0] + title[2]) / 2 - 320) < 3


def test_the_anime_kanji_line_sits_above_the_title(still: str) -> None:
    result = render(spec(still, card_type="anime", extras=(("kanji", "長い夜"),)))
    kanji, title, _episode = result.text_boxes
    assert kanji[3] <= title[1]
    assert not result.warnings


def test_star_wars_spells_the_episode_number(still: str) -> None:
    from cards.render.types.base import Card

    card = Card(spec(still, card_type="star_wars", episode_number=21), CARD_TYPES["star_wars"])
    assert card.season_text is None
    assert "".join(text for text, _ in card.episode_parts) == "EPISODE TWENTY-ONE"
