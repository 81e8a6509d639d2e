"""A webhook event for something that is not a TV show, season or episode (Tautulli skips the
agents' conditions on a manual trigger, so a movie arrives) ends as "ignored" with the reason,
not "failed"; the dashboard does not count it as a failure."""

from __future__ import annotations

from cards import dashboard
from cards.models import WebhookEvent
from cards.tasks import process_webhook_event
from connections.models import TautulliConnection
from tests.fakes.plex import FakePlex


def test_a_movie_is_ignored_with_the_reason(
    db, fake_plex: FakePlex, plex_tautulli: TautulliConnection
) -> None:
    movie = fake_plex.add_movie("Heat")
    event = WebhookEvent.objects.create(
        connection=plex_tautulli, rating_key=str(movie), event="created"
    )

    assert process_webhook_event.apply(args=[event.pk]).get() == "ignored"

    event.refresh_from_db()
    assert event.status == "ignored" and event.finished_at is not None
    assert "is a movie, not a TV show, season or episode" in event.last_error
    assert event.attempts == 1
    context = dashboard.context()
    assert context["failed_events_count"] == 0 and context["failed_events"] == []
    assert {e["value"]: e["count"] for e in context["events"]}["ignored"] == 1
    # Delivered again: nothing more to do.
    assert process_webhook_event.apply(args=[event.pk]).get() == "ignored"
