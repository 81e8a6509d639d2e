"""Webhook events in the admin: visible with their payload, never added by hand, and pending or
failed ones can be processed again."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cards.models import WebhookEvent
from connections.models import TautulliConnection
from tests.support import admin_action


@pytest.fixture
def events(tautulli_connection: TautulliConnection) -> dict[str, WebhookEvent]:
    made = {}
    for status in ("pending", "failed", "done", "duplicate"):
        made[status] = WebhookEvent.objects.create(
            connection=tautulli_connection,
            rating_key="5151",
            event="watched",
            payload={"rating_key": "5151", "event": "watched", "title": "Ünïcode"},
            status=status,
            attempts=3 if status == "failed" else 0,
            last_error="Plex did not answer" if status == "failed" else "",
        )
    return made


@pytest.mark.django_db
def test_the_list_and_the_event_page_show_what_arrived(
    admin_client: Client, tautulli_connection: TautulliConnection, events: dict
) -> None:
    listing = admin_client.get(reverse("admin:cards_webhookevent_changelist"))
    page = admin_client.get(reverse("admin:cards_webhookevent_change", args=[events["failed"].pk]))

    assert listing.status_code == page.status_code == 200
    assert b"home tautulli" in listing.content
    assert b"Plex did not answer" in listing.content
    assert "Ünïcode" in page.content.decode()
    for response in (listing, page):
        assert tautulli_connection.webhook_secret.encode() not in response.content
    assert admin_client.get(reverse("admin:cards_webhookevent_add")).status_code == 403


@pytest.mark.django_db
def test_process_again_queues_pending_and_failed_events_only(
    admin_client: Client, events: dict[str, WebhookEvent]
) -> None:
    WebhookEvent.objects.update(dispatched_at=timezone.now())  # each was queued once already
    for event in events.values():
        messages = admin_action(admin_client, event, "process_again")
        expected = event.status in ("pending", "failed")
        assert messages[0][0] == ("success" if expected else "warning")

    # Handed to the relay again (cards/relay.py), which queues them.
    waiting = WebhookEvent.waiting_for_relay()
    assert set(waiting.values_list("pk", flat=True)) == {events["pending"].pk, events["failed"].pk}
    statuses = {k: WebhookEvent.objects.get(pk=e.pk).status for k, e in events.items()}
    assert statuses == {
        "pending": "pending",
        "failed": "pending",
        "done": "done",
        "duplicate": "duplicate",
    }
    retried = WebhookEvent.objects.get(pk=events["failed"].pk)
    assert (retried.attempts, retried.last_error) == (0, "")
