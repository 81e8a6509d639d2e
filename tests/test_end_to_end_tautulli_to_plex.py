"""The whole round trip, every part real but the two media servers: the admin creates the agents
on the fake Tautulli, the fake Tautulli fires real events at tcm (a live server), tcm stores and
dispatches them, a real Celery worker on the real Redis renders the cards and puts them on the
fake Plex — and re-renders the watched style once Plex agrees the episode was watched."""

from __future__ import annotations

from django.test import Client

from cards.models import TitleCard, WebhookEvent
from connections.models import TautulliConnection
from tests.fakes.plex import FakePlex
from tests.fakes.tautulli import FakeTautulli
from tests.support import admin_action, wait_until


def test_a_post_from_tautulli_ends_as_a_card_on_plex(
    live_server: object,
    celery_worker: object,
    admin_client: Client,
    fake_plex: FakePlex,
    fake_tautulli: FakeTautulli,
    plex_connection: object,
    quick_retries: object,
) -> None:
    plex_connection.watched_style, plex_connection.unwatched_style = "unique", "blur"
    plex_connection.save()
    tautulli = TautulliConnection.objects.create(
        name="home tautulli",
        url=fake_tautulli.url,
        api_key=fake_tautulli.api_key,
        plex=plex_connection,
        tcm_url=live_server.url,
    )
    admin_action(admin_client, tautulli, "create_agents")

    show = fake_plex.add_series("Señor Ñandú", seasons=1, episodes=3)
    season = fake_plex.items[show].children[0]
    episodes = fake_plex.episodes(show)

    # Tautulli groups a season added at once into one post for the season's key.
    [delivery] = fake_tautulli.fire("on_created", rating_key=season, media_type="season")
    assert delivery.status == 202

    def all_on_plex() -> bool:
        # Labelled too: a key's episodes are labelled in one request after their uploads.
        uploaded = TitleCard.objects.filter(state=TitleCard.State.UPLOADED).count() == 3
        return uploaded and all("tcm" in fake_plex.labels(key) for key in episodes)

    wait_until(all_on_plex, timeout=60, what="three cards on Plex")
    for key in episodes:
        card = TitleCard.objects.get(episode__rating_key=str(key))
        assert card.style == "blur"  # unwatched: spoiler-free
        assert fake_plex.selected(key) == f"upload://posters/{card.uploaded_hash}"
        assert "tcm" in fake_plex.labels(key)
    # The event is marked done after its last upload is recorded: wait for it, don't race it.
    wait_until(
        lambda: WebhookEvent.objects.get().status == WebhookEvent.Status.DONE,
        timeout=10,
        what="the event marked done",
    )

    # Watched: Tautulli posts first; Plex flips the episode a little later.
    first = episodes[0]
    [delivery] = fake_tautulli.fire("on_watched", rating_key=first, media_type="episode")
    assert delivery.status == 202
    fake_plex.mark_watched(first)
    wait_until(
        lambda: TitleCard.objects.filter(
            episode__rating_key=str(first), style="unique", state=TitleCard.State.UPLOADED
        ).exists(),
        timeout=60,
        what="the watched style on Plex",
    )
    card = TitleCard.objects.get(episode__rating_key=str(first))
    assert fake_plex.selected(first) == f"upload://posters/{card.uploaded_hash}"
    assert len(fake_plex.uploads(first)) == 2
    # The other episodes were not touched again.
    for key in episodes[1:]:
        assert len(fake_plex.uploads(key)) == 1
