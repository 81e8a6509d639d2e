"""Hostile titles (control characters, right-to-left text, 500 characters, only spaces, emoji):
the renderer does not crash, and - judged from the pixels, not from the renderer's own account
of where it drew (tests/test_render_layout.py checks that) - nothing it draws for them reaches
the edge of the canvas, where a glyph would be cut off. And the same titles, coming from Plex
or typed into the admin, go through the whole pipeline onto Plex."""

from __future__ import annotations

import dataclasses
import functools
import io
from collections.abc import Callable

import pytest
from PIL import Image, ImageChops

from cards.keys import process_rating_key
from cards.models import Episode, TitleCard
from cards.render import CardSpec, render
from cards.render.types import CARD_TYPES
from connections.models import PlexConnection
from tests.fakes.plex import FakePlex
from tests.support import TEXTLESS, series_pictures
from tests.test_render_layout import HOSTILE_TITLES

WIDTH, HEIGHT = 800, 450
# Plex speaks XML, which cannot carry most control characters: what Plex can send.
FROM_PLEX = {
    "tabs and line breaks": "Tabs\there\r\nand there",
    "right to left": HOSTILE_TITLES["right to left"],
    "500 characters": HOSTILE_TITLES["500 characters"],
    "500 letters, no space": HOSTILE_TITLES["500 letters, no space"],
    "only spaces": HOSTILE_TITLES["only spaces"],
    "emoji": HOSTILE_TITLES["emoji"],
    "zero-width and bidi marks": "A\u200bB\u202eC\u2066D\u2069",
}


@pytest.fixture(scope="module")
def flat(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A flat still: whatever differs between two cards drawn on it is what was written."""
    path = str(tmp_path_factory.mktemp("flat") / "flat.png")
    Image.new("RGB", (400, 225), (40, 60, 90)).save(path)
    return path


def pixels(spec: CardSpec) -> Image.Image:
    return Image.open(io.BytesIO(render(spec).data)).convert("RGB")


@pytest.fixture(scope="module")
def bare_pixels() -> Callable[[CardSpec], Image.Image]:
    """pixels(), remembered for the module: every title of a card type is compared with the same
    card without a title, drawn once for them all (a render is deterministic). Only the bare
    cards are kept: a few dozen small pictures."""
    return functools.lru_cache(maxsize=None)(pixels)


def drawn_box(spec: CardSpec, bare: Image.Image) -> tuple[int, int, int, int] | None:
    """The box around every pixel `spec` draws that the `bare` picture lacks (JPEG noise
    ignored)."""
    difference = ImageChops.difference(pixels(spec), bare).convert("L")
    return difference.point(lambda v: 255 if v > 40 else 0).getbbox()


def clear_of_the_edges(box: tuple[int, int, int, int] | None) -> bool:
    return box is None or (box[0] > 0 and box[1] > 0 and box[2] < WIDTH and box[3] < HEIGHT)


@pytest.mark.parametrize("title", HOSTILE_TITLES.values(), ids=HOSTILE_TITLES.keys())
@pytest.mark.parametrize("card_type", sorted(CARD_TYPES))
def test_a_hostile_title_is_drawn_clear_of_the_edges(
    flat: str, bare_pixels: Callable[[CardSpec], Image.Image], card_type: str, title: str
) -> None:
    spec = CardSpec(
        **series_pictures(),
        source=flat,
        title=title,
        card_type=card_type,
        width=WIDTH,
        height=HEIGHT,
        hide_episode_text=True,
        hide_season_text=True,
    )
    box = drawn_box(spec, bare_pixels(dataclasses.replace(spec, title="")))
    assert clear_of_the_edges(box), box
    if card_type in TEXTLESS:
        assert box is None
    elif title.strip(" ") and title != HOSTILE_TITLES["only spaces"]:
        assert box is not None, "something is drawn for it"


@pytest.mark.parametrize("card_type", sorted(CARD_TYPES))
def test_hostile_episode_and_season_texts_are_drawn_clear_of_the_edges(
    flat: str, card_type: str
) -> None:
    hostile = "🎉 " + HOSTILE_TITLES["control characters"] + " שלום " + "W" * 200
    spec = CardSpec(
        **series_pictures(),
        source=flat,
        title=HOSTILE_TITLES["emoji"],
        season_number=1,
        episode_number=3,
        series_name=hostile,
        episode_text=hostile,
        season_text=hostile,
        card_type=card_type,
        width=WIDTH,
        height=HEIGHT,
    )
    bare = dataclasses.replace(
        spec, title="", series_name="", hide_episode_text=True, hide_season_text=True
    )
    box = drawn_box(spec, pixels(bare))
    if card_type in TEXTLESS:
        assert box is None
    else:
        assert box is not None and clear_of_the_edges(box), box


@pytest.mark.django_db
def test_hostile_titles_from_plex_and_the_admin_end_up_on_plex(
    fake_plex: FakePlex, plex_connection: PlexConnection
) -> None:
    show = fake_plex.add_show("Señor Ñandú 🎉 " + "שלום")
    season = fake_plex.add_season(show, 1)
    keys = {
        name: fake_plex.add_episode(season, i, title)
        for i, (name, title) in enumerate(FROM_PLEX.items(), start=1)
    }
    typed = fake_plex.add_episode(season, 99, "Typed")

    outcome = process_rating_key(plex_connection, str(show))
    assert not outcome.failed, outcome.failed
    for name, key in keys.items():
        episode = Episode.objects.get(rating_key=str(key))
        assert episode.title == FROM_PLEX[name]  # kept as Plex has it
        assert episode.card.state == TitleCard.State.UPLOADED, name
        assert len(fake_plex.uploads(key)) == 1

    # What a person can type into the title field of an episode (Django refuses only NUL).
    Episode.objects.filter(rating_key=str(typed)).update(
        title_text=HOSTILE_TITLES["control characters"].replace("\x00", "")
    )
    outcome = process_rating_key(plex_connection, str(typed))
    assert not outcome.failed, outcome.failed
    assert outcome.rendered == 1 and len(fake_plex.uploads(typed)) == 2
