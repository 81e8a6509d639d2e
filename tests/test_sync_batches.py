"""The sync asks for whole pages of items (plexapi's container size), not one item at a time,
and reports its progress while it runs."""

from __future__ import annotations

from cards.models import Episode
from cards.sync import sync_library


def test_it_requests_pages_of_the_configured_size(fake_plex, plex_connection, settings) -> None:
    settings.TCM_PLEX_PAGE_SIZE = 10
    for n in range(3):
        fake_plex.add_series(f"Show {n}", seasons=2, episodes=8)  # 48 episodes, 3 shows
    fake_plex.reset_counts()

    sync_library(plex_connection)

    assert Episode.objects.count() == 48
    # 2 counts + 1 page of shows + 5 pages of episodes; nothing per item.
    assert fake_plex.count("/library/sections/1/all") == 8
    assert fake_plex.count(prefix="/library/metadata") == 0


def test_it_reports_progress_as_it_goes(fake_plex, plex_connection, settings) -> None:
    settings.TCM_PLEX_PAGE_SIZE = 5
    fake_plex.add_series("Harbour", seasons=2, episodes=6)
    seen: list[tuple[int, int]] = []

    sync_library(plex_connection, progress=lambda done, total: seen.append((done, total)))

    assert seen[0] == (0, 13)
    assert seen[-1] == (13, 13)
    assert len(seen) == 5  # start, the show page, three episode pages
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
