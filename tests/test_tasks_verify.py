"""The verify task puts back the cards Plex dropped (a metadata refresh drops uploads)."""

from __future__ import annotations

from cards.keys import process_rating_key
from cards.models import JobRun
from cards.tasks import verify_cards


def test_it_uploads_again_only_what_plex_lost(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=3)
    process_rating_key(plex_connection, str(show))
    refreshed = fake_plex.episodes(show)[1]
    fake_plex.refresh_metadata(refreshed)
    fake_plex.reset_counts()

    summary = verify_cards.apply(args=[plex_connection.pk]).get()

    assert summary == {"checked": 3, "uploaded_again": 1, "busy": 0, "failed": 0}
    assert fake_plex.count(method="POST") == 1
    assert fake_plex.selected(refreshed).startswith("upload://posters/")
    assert JobRun.objects.get().status == JobRun.Status.OK
