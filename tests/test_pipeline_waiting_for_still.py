"""An episode Plex has no still for yet is "waiting for a still", not failed: it is looked at
again after minutes (1, 2, 4... at most an hour apart), gets its card as soon as Plex has the
still, and never gets another picture in its place. Card types that need no still render
without one."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cards import dashboard
from cards.keys import process_rating_key
from cards.models import TitleCard
from cards.tasks import render_waiting_cards
from connections.models import PlexConnection
from tests.fakes.plex import FakePlex, Poster
from tests.support import run_queued, wait_until


def episode_without_still(fake_plex: FakePlex) -> tuple[int, int]:
    show = fake_plex.add_show("Harbour")
    season = fake_plex.add_season(show, 1)
    return season, fake_plex.add_episode(season, 1, "No still yet", still=False)


def test_it_waits_minutes_and_longer_each_time(
    db, fake_plex: FakePlex, plex_connection: PlexConnection
) -> None:
    _season, key = episode_without_still(fake_plex)

    outcome = process_rating_key(plex_connection, str(key))
    card = TitleCard.objects.get()
    first_wait = card.retry_at - timezone.now()
    process_rating_key(plex_connection, str(key))
    card.refresh_from_db()
    second_wait = card.retry_at - timezone.now()

    assert outcome.waiting and not outcome.failed
    assert card.state == "waiting" and card.get_state_display() == "waiting for a still"
    assert timedelta(seconds=50) < first_wait <= timedelta(minutes=1)
    assert timedelta(minutes=1, seconds=50) < second_wait <= timedelta(minutes=2)
    assert fake_plex.uploads(key) == []
    context = dashboard.context()
    assert context["failed_cards_count"] == 0
    assert {c["label"]: c["count"] for c in context["cards"]}["waiting for a still"] == 1


def test_the_card_comes_once_plex_has_the_still(
    transactional_db, empty_broker_queue, fake_plex: FakePlex, plex_connection: PlexConnection
) -> None:
    _season, key = episode_without_still(fake_plex)
    process_rating_key(plex_connection, str(key))
    fake_plex._poster(fake_plex.items[key], Poster(f"media://{key}-still.jpg", seed=key))
    TitleCard.objects.update(retry_at=timezone.now())  # its next look is due

    summary = render_waiting_cards.apply().get()
    run_queued()

    assert summary == {"due": 1, "queued": 1}
    card = wait_until(
        lambda: TitleCard.objects.filter(state="uploaded").first(), what="the card on Plex"
    )
    assert card.attempts == 0 and card.retry_at is None
    assert len(fake_plex.uploads(key)) == 1


def test_a_card_type_without_a_still_renders_at_once(
    db, fake_plex: FakePlex, plex_connection: PlexConnection
) -> None:
    plex_connection.card_type = "roman_numeral"
    plex_connection.save()
    _season, key = episode_without_still(fake_plex)

    outcome = process_rating_key(plex_connection, str(key))

    assert outcome.uploaded == 1 and not outcome.waiting
    assert TitleCard.objects.get().state == "uploaded"
