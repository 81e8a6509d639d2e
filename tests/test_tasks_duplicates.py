"""Five identical posts within a second: one render and one upload, whether the posts collapse
in the webhook view or reach the worker as five events (the per-episode lock and the
fingerprint make the rest no-ops). A post identical to one a worker already picked up, within
TCM_WEBHOOK_DEDUPE_SECONDS, runs a task of its own that renders and uploads nothing more (what
the README says)."""

from __future__ import annotations

import logging

from django.urls import reverse

from cards.models import TitleCard, WebhookEvent
from cards.tasks import process_webhook_event
from tests.support import wait_until


def renders(caplog) -> int:
    return sum(1 for r in caplog.records if r.getMessage().startswith("rendered the card for"))


def all_finished() -> bool:
    return not WebhookEvent.objects.filter(status__in=["pending", "running"]).exists()


def test_five_events_at_once_make_one_render_and_one_upload(
    celery_worker, fake_plex, plex_tautulli, quick_retries, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="cards.card")
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    events = [
        WebhookEvent.objects.create(connection=plex_tautulli, rating_key=str(key), event="created")
        for _ in range(5)
    ]
    for event in events:
        process_webhook_event.delay(event.pk)

    wait_until(all_finished, what="all five events")

    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"done"}
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1
    assert renders(caplog) == 1
    assert TitleCard.objects.get().state == TitleCard.State.UPLOADED


def test_five_identical_posts_to_the_webhook_make_one_render_and_one_upload(
    celery_worker, client, fake_plex, plex_tautulli, quick_retries, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="cards.card")
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    url = reverse("tautulli-webhook", args=[plex_tautulli.webhook_secret])

    for _ in range(5):
        response = client.post(
            url, {"rating_key": str(key), "event": "created"}, content_type="application/json"
        )
        assert response.status_code == 202

    wait_until(all_finished, what="the posts")
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1
    assert renders(caplog) == 1


def test_a_post_after_its_twin_was_picked_up_runs_a_task_that_changes_nothing(
    celery_worker, client, fake_plex, plex_tautulli, quick_retries, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="cards.card")
    key = fake_plex.episodes(fake_plex.add_series("Harbour", episodes=1))[0]
    url = reverse("tautulli-webhook", args=[plex_tautulli.webhook_secret])
    body = {"rating_key": str(key), "event": "created"}

    first = client.post(url, body, content_type="application/json").json()
    wait_until(all_finished, what="the first post")
    second = client.post(url, body, content_type="application/json").json()  # within the window
    wait_until(all_finished, what="the second post")

    assert (second["status"], second["duplicate_of"]) == ("pending", None)  # not a duplicate
    done = WebhookEvent.objects.filter(pk__in=[first["id"], second["id"]], status="done")
    assert done.count() == 2  # each ran its task
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1
    assert renders(caplog) == 1


def test_a_post_while_its_twin_is_mid_upload_waits_for_it_and_changes_nothing(
    celery_worker, client, fake_plex, plex_tautulli, quick_retries, caplog
) -> None:
    # Not collapsed into the running one: it may carry a change on Plex that the running task
    # read too early. It waits for the episode's lock and then finds nothing left to do.
    caplog.set_level(logging.INFO, logger="cards.card")
    key = fake_plex.episodes(fake_plex.add_series("Harbour", episodes=1))[0]
    posters = f"/library/metadata/{key}/posters"
    fake_plex.hang(1.5, prefix=posters, method="POST")  # the upload takes a while
    url = reverse("tautulli-webhook", args=[plex_tautulli.webhook_secret])
    body = {"rating_key": str(key), "event": "created"}

    first = client.post(url, body, content_type="application/json").json()
    wait_until(lambda: fake_plex.count(posters, method="POST"), what="the first upload to start")
    assert WebhookEvent.objects.get(pk=first["id"]).status == "running"
    second = client.post(url, body, content_type="application/json").json()
    wait_until(all_finished, timeout=30, what="both posts")

    assert (second["status"], second["duplicate_of"]) == ("pending", None)
    done = WebhookEvent.objects.filter(pk__in=[first["id"], second["id"]], status="done")
    assert done.count() == 2
    assert fake_plex.count(posters, method="POST") == 1
    assert renders(caplog) == 1
