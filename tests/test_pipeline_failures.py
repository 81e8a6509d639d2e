"""A card that cannot be made is marked failed with a clear reason; nothing is uploaded."""

from __future__ import annotations

from cards.keys import process_rating_key
from cards.models import Series, TitleCard


def test_a_corrupt_still_fails_the_card_with_the_reason(fake_plex, plex_connection) -> None:
    show = fake_plex.add_show("Harbour")
    season = fake_plex.add_season(show, 1)
    key = fake_plex.add_episode(season, 1, "Broken", still=b"\xff\xd8\xff\xe0 not really a jpeg")

    outcome = process_rating_key(plex_connection, str(key))

    card = TitleCard.objects.get()
    assert outcome.failed == {card.episode_id: card.last_error}
    assert card.state == TitleCard.State.FAILED
    assert "image" in card.last_error
    assert card.attempts == 1 and card.failed_at
    assert fake_plex.uploads(key) == []


def test_an_unknown_card_type_fails_the_card(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    process_rating_key(plex_connection, str(show))
    Series.objects.update(card_type="no_such_type")

    outcome = process_rating_key(plex_connection, str(show))

    card = TitleCard.objects.get()
    assert card.state == TitleCard.State.FAILED
    assert "no_such_type" in card.last_error
    assert outcome.failure_summary() == card.last_error


def test_a_good_render_clears_the_failure(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    Series.objects.all().delete()
    process_rating_key(plex_connection, str(show))
    Series.objects.update(card_type="no_such_type")
    process_rating_key(plex_connection, str(show))

    Series.objects.update(card_type="")
    process_rating_key(plex_connection, str(show))

    card = TitleCard.objects.get()
    assert card.state == TitleCard.State.UPLOADED
    assert (card.last_error, card.attempts, card.failed_at) == ("", 0, None)
