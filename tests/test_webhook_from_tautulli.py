"""Tautulli's real events reach tcm: the fake Tautulli fires on_created / on_watched through the
agents tcm created, tcm (a live server) stores the posts and a real worker takes them."""

from __future__ import annotations

import time

from django.test import Client

from cards.models import WebhookEvent
from connections.models import TautulliConnection
from tests.fakes.tautulli import FakeTautulli
from tests.support import admin_action


def test_real_events_become_work(
    live_server: object,
    celery_worker: object,
    admin_client: Client,
    tautulli_connection: TautulliConnection,
    fake_tautulli: FakeTautulli,
) -> None:
    TautulliConnection.objects.update(tcm_url=live_server.url, username="alice")
    admin_action(admin_client, tautulli_connection, "create_agents")

    # A season added at once arrives as one post for the season's key.
    [added] = fake_tautulli.fire("on_created", rating_key=300, media_type="season")
    [watched] = fake_tautulli.fire(
        "on_watched",
        rating_key=5151,
        media_type="episode",
        username="alice",
        user="Alice",
        user_id=2002,
    )
    assert fake_tautulli.fire("on_created", rating_key=9, media_type="movie") == []
    assert (
        fake_tautulli.fire("on_watched", rating_key=5, media_type="episode", username="bob") == []
    )

    assert (added.status, watched.status) == (202, 202)
    events = {e.rating_key: e for e in WebhookEvent.objects.all()}
    assert {k: e.event for k, e in events.items()} == {"300": "created", "5151": "watched"}
    assert events["5151"].payload == {
        "rating_key": "5151",
        "event": "watched",
        "user": "Alice",
        "user_id": "2002",
    }
    assert (events["5151"].user, events["5151"].user_id) == ("Alice", 2002)

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if not WebhookEvent.objects.filter(status="pending", started_at=None).exists():
            break
        time.sleep(0.1)
    assert not WebhookEvent.objects.filter(status="pending", started_at=None).exists()
    tautulli_connection.refresh_from_db()
    assert tautulli_connection.last_webhook_at is not None
