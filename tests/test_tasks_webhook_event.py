"""process_webhook_event: done, failed with the reason, retried when Plex is unavailable (on a
real worker, Plex recovering in between), given up after the limit."""

from __future__ import annotations

from cards.models import TitleCard, WebhookEvent
from cards.tasks import process_webhook_event
from tests.support import wait_until


def post(tautulli, key: int | str, event: str = "created") -> WebhookEvent:
    """An event, queued for the worker."""
    webhook = WebhookEvent.objects.create(connection=tautulli, rating_key=str(key), event=event)
    process_webhook_event.delay(webhook.pk)
    return webhook


def process(tautulli, key: int | str) -> WebhookEvent:
    """An event, worked on in this process (Celery's apply, retries included) to its end."""
    webhook = WebhookEvent.objects.create(connection=tautulli, rating_key=str(key), event="created")
    process_webhook_event.apply(args=[webhook.pk])
    webhook.refresh_from_db()
    return webhook


def finished(webhook: WebhookEvent) -> WebhookEvent | None:
    webhook.refresh_from_db()
    return webhook if webhook.status in ("done", "failed") else None


def test_it_makes_the_card_and_marks_the_event_done(
    fake_plex, plex_tautulli, quick_retries
) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]

    webhook = process(plex_tautulli, key)

    assert (webhook.status, webhook.attempts, webhook.last_error) == ("done", 1, "")
    assert webhook.started_at and webhook.finished_at
    assert TitleCard.objects.get().state == TitleCard.State.UPLOADED
    assert fake_plex.labels(key) == ["tcm"]


def test_an_unknown_key_fails_with_the_reason_and_is_not_retried(
    fake_plex, plex_tautulli, quick_retries
) -> None:
    fake_plex.add_series("Harbour")
    webhook = process(plex_tautulli, 987654)

    assert webhook.status == "failed" and webhook.attempts == 1
    assert "987654" in webhook.last_error and "404" in webhook.last_error
    assert fake_plex.count("/library/metadata/987654") == 1


def test_plex_answering_500_is_retried_later(
    celery_worker, fake_plex, plex_tautulli, quick_retries
) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    fake_plex.fail(500)
    webhook = post(plex_tautulli, key)

    wait_until(
        lambda: WebhookEvent.objects.filter(pk=webhook.pk, attempts__gte=2).exists(),
        what="a second attempt",
    )
    webhook.refresh_from_db()
    assert webhook.status in ("pending", "running")
    assert "HTTP 500" in webhook.last_error or webhook.status == "running"
    fake_plex.recover()

    wait_until(lambda: finished(webhook), what="the event")
    assert webhook.status == "done" and webhook.last_error == ""
    assert fake_plex.labels(key) == ["tcm"]


def test_it_gives_up_after_the_retry_limit(fake_plex, plex_tautulli, quick_retries) -> None:
    quick_retries.TCM_RETRY_LIMIT = 3
    fake_plex.add_series("Harbour")
    fake_plex.fail(503)

    webhook = process(plex_tautulli, 1234)

    assert webhook.status == "failed" and webhook.attempts == 3
    assert webhook.last_error.startswith("Gave up after 3 attempts.")
    assert "HTTP 503" in webhook.last_error
    assert fake_plex.count("/") == 3  # one connection attempt per try, then nothing


def test_an_event_none_of_whose_attempts_finished_fails_after_the_limit(
    fake_plex, plex_tautulli, settings
) -> None:
    # Each attempt ended with its worker's death (taken over or handed back each time): one
    # more would die the same way, so it fails, saying why, without a request to Plex.
    key = fake_plex.episodes(fake_plex.add_series("Harbour", episodes=1))[0]
    webhook = WebhookEvent.objects.create(
        connection=plex_tautulli,
        rating_key=str(key),
        event="created",
        attempts=settings.TCM_RETRY_LIMIT,
        last_error="Its worker stopped while working on it; queued again.",
    )

    assert process_webhook_event.apply(args=[webhook.pk]).get() == "failed"
    webhook.refresh_from_db()
    assert webhook.status == "failed"
    limit = settings.TCM_RETRY_LIMIT
    assert webhook.last_error == (
        f"None of its {limit} attempts finished (its worker died, or the task broke off with an "
        "error); not tried again."
    )
    assert fake_plex.count(prefix=f"/library/metadata/{key}") == 0
    assert not TitleCard.objects.exists()
