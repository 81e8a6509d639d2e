"""The fingerprint the schedule works out from stored data alone (no Plex, no rendering) is the
one the render just gave the card, for every card type in every style: otherwise the hourly job
would re-render a current card forever, or never notice an outdated one."""

from __future__ import annotations

import pytest

from cards.keys import process_rating_key
from cards.looks import expected_fingerprint
from cards.models import Episode, TitleCard
from cards.render.spec import STYLES
from cards.render.types import CARD_TYPES


def rendered(fake_plex, plex_connection, card_type: str, style: str, *, still: bool = True):
    plex_connection.card_type = card_type
    plex_connection.watched_style = plex_connection.unwatched_style = style
    plex_connection.save()
    show = fake_plex.add_series("Harbour", episodes=1, still=still)
    outcome = process_rating_key(plex_connection, str(fake_plex.episodes(show)[0]))
    assert (outcome.rendered, outcome.failed) == (1, {})
    card = TitleCard.objects.get()
    assert card.style == style
    return card, Episode.objects.select_related("series", "connection").get()


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("card_type", list(CARD_TYPES))
def test_a_rendered_card_has_the_fingerprint_the_schedule_expects(
    fake_plex, plex_connection, card_type, style
) -> None:
    card, episode = rendered(fake_plex, plex_connection, card_type, style)
    requests = fake_plex.count()

    assert expected_fingerprint(episode) == card.fingerprint
    assert fake_plex.count() == requests  # worked out without asking Plex


def test_an_art_card_without_a_still_of_its_own_has_the_expected_fingerprint(
    fake_plex, plex_connection
) -> None:
    # The episode has no still: the art styles draw on the show's background alone.
    card, episode = rendered(fake_plex, plex_connection, "standard", "art", still=False)

    assert not episode.source_file
    assert expected_fingerprint(episode) == card.fingerprint
