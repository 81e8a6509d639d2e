"""Tautulli's watched post for someone other than the owner: the webhook stores who watched,
and the card gets the watched style as soon as the watched policy holds, not when (or if) the
owner's Plex flag follows."""

from __future__ import annotations

import json

from django.core.cache import cache
from django.test import Client

from cards.models import Episode, TitleCard, Viewer, WebhookEvent
from tests.support import run_queued, wait_until

OWNER, SAM = 1001, 2002
WATCHED, UNWATCHED = "unique", "blur grayscale"


def post(client: Client, tautulli, body: dict, *, here: bool = False) -> WebhookEvent:
    """Post `body` to the webhook and wait for its event to be done; `here`: no worker runs, so
    the relay and the queued work run in this thread (tests.support.run_queued)."""
    answer = client.post(
        f"/webhooks/tautulli/{tautulli.webhook_secret}/",
        json.dumps(body),
        content_type="application/json",
    )
    assert answer.status_code == 202, answer.content
    event = WebhookEvent.objects.get(pk=answer.json()["id"])
    if here:
        run_queued()
    wait_until(
        lambda: WebhookEvent.objects.get(pk=event.pk).status in ("done", "failed"),
        what=f"the {body.get('event')} event",
    )
    event.refresh_from_db()
    return event


def household(fake_plex, plex_tautulli, policy: str, users: list[int]) -> int:
    connection = plex_tautulli.plex
    connection.watched_style, connection.unwatched_style = WATCHED, UNWATCHED
    connection.watched_policy, connection.watched_users = policy, users
    connection.tautulli_owner_id = OWNER
    connection.tautulli_users = {str(OWNER): "owner", str(SAM): "Sam"}
    connection.save()
    show = fake_plex.add_series("Harbour", episodes=1)
    return fake_plex.episodes(show)[0]


def test_a_chosen_users_post_renders_the_watched_style_at_once(
    transactional_db, empty_broker_queue, client, fake_plex, plex_tautulli, quick_retries
) -> None:
    key = household(fake_plex, plex_tautulli, "any_chosen", [SAM])
    post(client, plex_tautulli, {"rating_key": str(key), "event": "created"}, here=True)
    assert TitleCard.objects.get().style == UNWATCHED

    event = post(
        client,
        plex_tautulli,
        {"rating_key": str(key), "event": "watched", "user": "Sam", "user_id": str(SAM)},
        here=True,
    )

    assert (event.status, event.user, event.user_id) == ("done", "Sam", SAM)
    card = TitleCard.objects.get()
    assert (card.style, card.state) == (WATCHED, TitleCard.State.UPLOADED)
    episode = Episode.objects.get()
    assert (episode.watched, episode.plex_watched) == (True, False)  # the owner has not
    assert Viewer.objects.get().user == "Sam"
    assert cache.get(f"watched-recheck:{episode.pk}") is None  # nothing left to wait for


def test_the_watched_style_follows_once_all_chosen_have_watched(
    celery_worker, client, fake_plex, plex_tautulli, quick_retries
) -> None:
    quick_retries.TCM_WATCHED_RECHECK_DELAYS = [0.3] * 20
    key = household(fake_plex, plex_tautulli, "all_chosen", [OWNER, SAM])
    post(client, plex_tautulli, {"rating_key": str(key), "event": "created"})

    post(
        client,
        plex_tautulli,
        {"rating_key": str(key), "event": "watched", "user": "Sam", "user_id": str(SAM)},
    )
    assert TitleCard.objects.get().style == UNWATCHED  # the owner has not watched yet
    fake_plex.mark_watched(key)  # the owner's Plex flag, which the re-checks read

    wait_until(
        lambda: TitleCard.objects.filter(style=WATCHED, state=TitleCard.State.UPLOADED).exists(),
        what="the watched style once the policy holds",
    )


def test_a_post_the_owner_policy_does_not_count_starts_no_rechecks(
    transactional_db, empty_broker_queue, client, fake_plex, plex_tautulli, quick_retries
) -> None:
    key = household(fake_plex, plex_tautulli, "owner", [])
    post(client, plex_tautulli, {"rating_key": str(key), "event": "created"}, here=True)
    fake_plex.reset_counts()

    post(
        client,
        plex_tautulli,
        {"rating_key": str(key), "event": "watched", "user": "Sam", "user_id": str(SAM)},
        here=True,
    )

    episode = Episode.objects.get()
    assert cache.get(f"watched-recheck:{episode.pk}") is None
    assert TitleCard.objects.get().style == UNWATCHED
    assert episode.viewers.count() == 1  # remembered, shown on the episode's page


def test_it_rejects_a_user_id_that_is_not_a_number(client, plex_tautulli) -> None:
    answer = client.post(
        f"/webhooks/tautulli/{plex_tautulli.webhook_secret}/",
        json.dumps({"rating_key": "5151", "event": "watched", "user_id": "sam"}),
        content_type="application/json",
    )

    assert answer.status_code == 400
    assert answer.json() == {"error": "user_id must be a number, not 'sam'"}
    assert not WebhookEvent.objects.exists()


def test_an_unfilled_user_is_taken_for_none(client, plex_tautulli) -> None:
    body = {"rating_key": "5151", "event": "watched", "user": "{user}", "user_id": "{user_id}"}
    answer = client.post(
        f"/webhooks/tautulli/{plex_tautulli.webhook_secret}/",
        json.dumps(body),
        content_type="application/json",
    )

    assert answer.status_code == 202
    event = WebhookEvent.objects.get()
    assert (event.user, event.user_id) == ("", None)


def test_two_people_finishing_together_both_count(
    client, fake_plex, plex_tautulli, settings
) -> None:
    from cards.tasks import process_webhook_event

    alex = 3003
    key = household(fake_plex, plex_tautulli, "all_chosen", [SAM, alex])
    settings.TCM_WATCHED_RECHECK_DELAYS = []
    body = {"rating_key": str(key), "event": "watched"}
    for user_id, name in ((SAM, "Sam"), (alex, "Alex")):  # within the dedupe window
        answer = client.post(
            f"/webhooks/tautulli/{plex_tautulli.webhook_secret}/",
            json.dumps({**body, "user": name, "user_id": str(user_id)}),
            content_type="application/json",
        )
        assert answer.status_code == 202
    first, second = WebhookEvent.objects.order_by("pk")
    assert second.duplicate_of_id == first.pk  # no task of its own

    process_webhook_event.apply((first.pk,))

    assert sorted(Viewer.objects.values_list("user", flat=True)) == ["Alex", "Sam"]
    assert Episode.objects.get().watched is True
    assert TitleCard.objects.get().style == WATCHED
