"""The Plex connection's action "Refresh watched state now": reads every episode's watched state
from Plex at once (not at the next half-hourly run) and renders again the cards whose style must
change; it says so, with a link to the progress."""

from __future__ import annotations

from cards.models import JobRun, TitleCard
from cards.tasks import sync_and_render
from connections.models import PlexConnection
from tests.fakes.plex import FakePlex
from tests.support import admin_action, run_queued, wait_until


def test_refresh_watched_state_now_renders_the_watched_card(
    transactional_db,
    empty_broker_queue,
    admin_client,
    fake_plex: FakePlex,
    plex_connection: PlexConnection,
) -> None:
    show = fake_plex.add_series("Harbour", episodes=3)
    key, *_ = fake_plex.episodes(show)
    sync_and_render.apply(args=[plex_connection.pk]).get()
    fake_plex.mark_watched(key)  # by hand in Plex: no webhook tells tcm

    [(level, text)] = admin_action(admin_client, plex_connection, "refresh_watched_now")
    run_queued()

    assert level == "success" and "watched state" in text and 'href="/admin/"' in text
    run = wait_until(
        lambda: JobRun.objects.filter(kind="refresh_watched", status="ok").first(),
        what="the refresh",
    )
    assert run.summary == {"checked": 3, "changed": 1, "queued": 1}
    wait_until(
        lambda: TitleCard.objects.filter(
            episode__rating_key=str(key), style="unique", state="uploaded"
        ).exists(),
        what="the watched card on Plex",
    )
    assert len(fake_plex.uploads(key)) == 2
