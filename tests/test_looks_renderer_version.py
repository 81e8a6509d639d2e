"""A new look from the renderer re-renders the cards it changes, once, and no others: the
renderer's version is in every card's fingerprint, and each card type's own version in its
cards'. (A release that changes a look bumps one of them; here the test bumps it in place.)"""

from __future__ import annotations

import pytest

from cards.keys import process_rating_key
from cards.looks import expected_fingerprint
from cards.models import Episode, Series, TitleCard
from cards.render import spec as render_spec
from cards.render.types import CARD_TYPES


@pytest.fixture
def two_series(fake_plex, plex_connection) -> dict[str, str]:
    """Rating keys of one episode drawn as a standard card and one drawn as an anime card."""
    keys = {}
    for title, card_type in (("Harbour", "standard"), ("Lanterns", "anime")):
        show = fake_plex.add_series(title, episodes=1)
        key = str(fake_plex.episodes(show)[0])
        process_rating_key(plex_connection, key)  # syncs the series
        Series.objects.filter(title=title).update(card_type=card_type)
        keys[card_type] = key
    for key in keys.values():
        process_rating_key(plex_connection, key)
    return keys


def renders(plex_connection, keys: dict[str, str]) -> dict[str, int]:
    return {kind: process_rating_key(plex_connection, key).rendered for kind, key in keys.items()}


def outdated() -> set[str]:
    """The card types of the cards the schedule would take for outdated."""
    return {
        card.episode.series.card_type
        for card in TitleCard.objects.select_related("episode__series")
        if expected_fingerprint(Episode.objects.get(pk=card.episode_id)) != card.fingerprint
    }


def test_nothing_is_re_rendered_while_the_versions_stay(plex_connection, two_series) -> None:
    assert outdated() == set()
    assert renders(plex_connection, two_series) == {"standard": 0, "anime": 0}


def test_a_card_type_s_new_version_re_renders_its_cards_once(
    plex_connection, two_series, monkeypatch
) -> None:
    monkeypatch.setattr(type(CARD_TYPES["anime"]), "version", CARD_TYPES["anime"].version + 1)

    assert outdated() == {"anime"}
    assert renders(plex_connection, two_series) == {"standard": 0, "anime": 1}
    assert outdated() == set()
    assert renders(plex_connection, two_series) == {"standard": 0, "anime": 0}


def test_a_new_renderer_version_re_renders_every_card_once(
    plex_connection, two_series, monkeypatch
) -> None:
    monkeypatch.setattr(render_spec, "RENDERER_VERSION", render_spec.RENDERER_VERSION + "-next")

    assert outdated() == {"standard", "anime"}
    assert renders(plex_connection, two_series) == {"standard": 1, "anime": 1}
    assert renders(plex_connection, two_series) == {"standard": 0, "anime": 0}
