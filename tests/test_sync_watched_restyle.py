"""A library sync that sees an episode's watched state change queues that card's render at once
(its style must change), instead of leaving a spoiler card up until the next watched refresh.
The decision is looks.needs_restyle, the one the watched refresh and the webhook use too."""

from __future__ import annotations

from cards.looks import needs_restyle
from cards.models import Episode, TitleCard
from cards.tasks import sync_and_render, sync_library
from connections.models import PlexConnection
from tests.fakes.plex import FakePlex
from tests.support import run_queued, wait_until


def test_a_sync_that_sees_a_watched_flip_renders_the_card_again(
    transactional_db, empty_broker_queue, fake_plex: FakePlex, plex_connection: PlexConnection
) -> None:
    show = fake_plex.add_series("Harbour", episodes=2)
    first, second = fake_plex.episodes(show)
    sync_and_render.apply(args=[plex_connection.pk]).get()
    assert set(TitleCard.objects.values_list("style", flat=True)) == {"blur"}
    fake_plex.mark_watched(first)

    summary = sync_library.apply(args=[plex_connection.pk]).get()
    run_queued()

    assert (summary["watched_changed"], summary["restyle_queued"]) == (1, 1)
    card = wait_until(
        lambda: TitleCard.objects.filter(
            episode__rating_key=str(first), style="unique", state="uploaded"
        ).first(),
        what="the watched card",
    )
    assert card.watched is True
    assert len(fake_plex.uploads(first)) == 2 and len(fake_plex.uploads(second)) == 1
    assert TitleCard.objects.get(episode__rating_key=str(second)).style == "blur"


def test_a_flip_that_keeps_the_style_queues_nothing(
    db, fake_plex: FakePlex, plex_connection: PlexConnection
) -> None:
    plex_connection.unwatched_style = "unique"
    plex_connection.save()
    show = fake_plex.add_series("Harbour", episodes=1)
    [key] = fake_plex.episodes(show)
    sync_and_render.apply(args=[plex_connection.pk]).get()
    fake_plex.mark_watched(key)

    summary = sync_library.apply(args=[plex_connection.pk]).get()

    assert (summary["watched_changed"], summary["restyle_queued"]) == (1, 0)
    assert not needs_restyle(Episode.objects.select_related("card").get())
