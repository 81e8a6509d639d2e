"""Plex answers 401 once the token was revoked: a burst of webhook events and the schedule's jobs
send Plex a handful of requests in all, not a retry storm; the connection is flagged where a
person looks (the admin's front page, the connections list and page); a new token entered in
the admin lets the work resume."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from cards.models import TitleCard, WebhookEvent
from cards.tasks import (
    refresh_watched_state,
    render_due_cards,
    sync_all_libraries,
    verify_all_cards,
)
from connections.models import PlexConnection, TautulliConnection
from tests.fakes.plex import FakePlex
from tests.support import post_webhook, wait_until
from tests.test_admin_forms_connections import plex_form

pytestmark = pytest.mark.slow

WORKER_THREADS = 4  # the celery_worker fixture's concurrency


def test_a_revoked_token_is_flagged_in_the_admin_without_a_retry_storm(
    celery_worker: object,
    client: Client,
    admin_client: Client,
    fake_plex: FakePlex,
    plex_tautulli: TautulliConnection,
    quick_retries: object,
) -> None:
    keys = fake_plex.episodes(fake_plex.add_series("Harbour", episodes=10))
    token = fake_plex.token
    fake_plex.revoke_token()

    for key in keys:
        assert post_webhook(client, plex_tautulli, key).status_code == 202
    wait_until(
        lambda: WebhookEvent.objects.filter(status="failed").count() == 10,
        what="the ten events to fail",
    )
    # The schedule's jobs leave a flagged connection alone.
    for job in (sync_all_libraries, refresh_watched_state, render_due_cards, verify_all_cards):
        job.apply()
    time.sleep(1.5)  # many retry periods: nothing more may arrive

    # Only tasks already running when the first 401 came back asked Plex at all, once each.
    assert 1 <= fake_plex.count() <= WORKER_THREADS, fake_plex.counts()
    assert set(WebhookEvent.objects.values_list("attempts", flat=True)) <= {0, 1}
    plex = PlexConnection.objects.get()
    assert plex.auth_failed_at is not None
    assert token not in plex.last_error

    front = admin_client.get(reverse("admin:index")).content.decode()
    assert "token rejected: enter a valid token" in front
    listing = admin_client.get(reverse("admin:connections_plexconnection_changelist"))
    assert "token rejected" in listing.content.decode()
    page = admin_client.get(reverse("admin:connections_plexconnection_change", args=[plex.pk]))
    assert "rejected the token" in page.content.decode()
    for text in (front, listing.content.decode(), page.content.decode()):
        assert token not in text and fake_plex.token not in text

    # The user pastes the new token: the flag goes, and the next event is processed.
    response = admin_client.post(
        reverse("admin:connections_plexconnection_change", args=[plex.pk]),
        plex_form(name=plex.name, url=plex.url, token=fake_plex.token, timeout="2"),
    )
    assert response.status_code == 302
    assert PlexConnection.objects.get().auth_failed_at is None
    requeued = admin_client.post(
        reverse("admin:cards_webhookevent_changelist"),
        {
            "action": "process_again",
            "_selected_action": list(WebhookEvent.objects.values_list("pk", flat=True)),
        },
    )
    assert requeued.status_code == 302
    wait_until(
        lambda: TitleCard.objects.filter(state=TitleCard.State.UPLOADED).count() == 10,
        timeout=60,
        what="the ten cards after the new token",
    )
