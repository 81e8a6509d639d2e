"""A series whose cards are off gets no card and nothing uploaded, whichever path asks; a
connection can start new series off so that a user opts in series by series."""

from __future__ import annotations

from cards.keys import process_rating_key
from cards.maintenance import render_due_cards
from cards.models import Series, TitleCard
from cards.sync import sync_library


def test_a_series_with_cards_off_gets_no_card_and_no_upload(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=2)
    keys = fake_plex.episodes(show)
    sync_library(plex_connection)
    Series.objects.update(cards_enabled=False)

    outcome = process_rating_key(plex_connection, str(keys[0]))
    queued: list[int] = []
    summary = render_due_cards(lambda pk: queued.append(pk) or True)

    assert outcome.rendered == 0 and not outcome.failed
    assert not TitleCard.objects.exists()
    assert fake_plex.uploads(keys[0]) == []
    assert queued == [] and summary["checked"] == 0


def test_new_series_start_off_when_the_connection_says_so(fake_plex, plex_connection) -> None:
    fake_plex.add_series("Harbour", episodes=1)
    sync_library(plex_connection)
    plex_connection.new_series_cards = False
    plex_connection.save()
    fake_plex.add_series("Lighthouse", episodes=1)
    sync_library(plex_connection)

    cards_on = dict(Series.objects.values_list("title", "cards_enabled"))
    assert cards_on == {"Harbour": True, "Lighthouse": False}


def test_a_sync_never_turns_a_series_cards_back_on(fake_plex, plex_connection) -> None:
    fake_plex.add_series("Harbour", episodes=1)
    sync_library(plex_connection)
    Series.objects.update(cards_enabled=False)
    sync_library(plex_connection)

    assert not Series.objects.get().cards_enabled
