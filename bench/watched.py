"""Benchmark: the bulk watched refresh (cards.sync.refresh_watched) of N episodes against the fake
Plex and the fake Tautulli on loopback, as the schedule runs it every 5 minutes.

    .venv/bin/python bench/watched.py [--episodes 5000] [--page-size 500] [--database-url URL]

Runs in a throw-away data dir (SQLite by default) with a fresh schema: 50 shows x 5 seasons x 20
episodes; in Tautulli the owner and two more users, each with a watched play of about 40 % of
the episodes. Prints, for each run, the wall time and the requests to Plex and Tautulli:
- the owner policy (Plex's flag only), nothing changed and then 1 % marked watched by hand;
- "all of the chosen users" (the owner and the two others): the first run (Tautulli's whole
  history), the next one (the last days only), and one after 1 % more plays.
The floor, measured in the same run, is reading the same pages without tcm: Plex's episode pages
through the same client (connections/plex.py) and Tautulli's history pages through its client.
"""

from __future__ import annotations

import os
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OWNER, SAM, ALEX = 1001, 2002, 3003


def main() -> None:
    # bench/ is on the path first when a benchmark runs as a script.
    from sync import library_arguments, use_throwaway_data_dir

    args = library_arguments(__doc__.split("\n")[0])
    use_throwaway_data_dir(args, "tcm-bench-watched-")

    import django

    django.setup()
    from django.core.management import call_command

    from cards.sync import _pages, refresh_watched, sync_library
    from connections.models import PlexConnection, TautulliConnection
    from tests.fakes.plex import FakePlex
    from tests.fakes.tautulli import FakeTautulli

    call_command("migrate", verbosity=0)
    episodes_per_season, seasons = 20, 5
    shows = max(1, args.episodes // (episodes_per_season * seasons))

    with FakePlex() as plex, FakeTautulli() as tautulli:
        show_of = {}
        for s in range(shows):
            show = plex.add_show(f"Show {s:03d}")
            for n in range(1, seasons + 1):
                season = plex.add_season(show, n)
                for e in range(1, episodes_per_season + 1):
                    show_of[plex.add_episode(season, e, f"Episode {e}")] = show
        keys = plex.episodes()
        connection = PlexConnection.objects.create(
            name="bench", url=plex.url, token=plex.token, timeout=60
        )
        TautulliConnection.objects.create(
            name="bench", url=tautulli.url, api_key=tautulli.api_key, plex=connection, timeout=60
        )
        for user_id, name in ((OWNER, "owner"), (SAM, "Sam"), (ALEX, "Alex")):
            tautulli.add_user(user_id, name, is_admin=user_id == OWNER)
        started = int(time.time()) - 30 * 86400
        for n, key in enumerate(keys):
            for user_id, every in ((OWNER, 2), (SAM, 3), (ALEX, 5)):
                if n % every == 0 and n % 7 < 3:
                    tautulli.play(user_id, key, show=show_of[key], started=started + n)
        sync_library(connection)
        plays = len(tautulli.history)
        print(
            f"fake Plex: {shows} shows, {len(keys)} episodes; page size {args.page_size}; "
            f"fake Tautulli: 3 users, {plays} plays; load average {os.getloadavg()[0]:.2f}"
        )

        def floor() -> tuple[float, int, int]:
            """Reading the same pages without tcm: Plex's episode pages, Tautulli's history."""
            client, size = connection.client(), args.page_size
            plex.reset_counts()
            t0 = time.perf_counter()
            for lib in client.tv_libraries():
                for _ in _pages(partial(client.episodes_page, lib, size=size), size):
                    pass
            tclient = connection.tautulli_connections.get().client()
            for user_id in (SAM, ALEX):
                for _ in tclient.history(page_size=1000, user_id=user_id, section_id=1):
                    pass
            return time.perf_counter() - t0, plex.count(), tclient.requests

        def timed(label: str) -> None:
            plex.reset_counts()
            connection.refresh_from_db()
            t0 = time.perf_counter()
            counts = refresh_watched(connection)
            elapsed = time.perf_counter() - t0
            print(
                f"{label:<44} {elapsed:6.2f} s  Plex {plex.count():3d} requests  "
                f"Tautulli {counts.tautulli_requests:3d}  changed {counts.changed:4d}  "
                f"restyle {len(counts.restyle)}"
            )

        def show_floor(label: str) -> None:
            seconds, plex_requests, tautulli_requests = floor()
            print(
                f"{label:<44} {seconds:6.2f} s  Plex {plex_requests:3d} requests  "
                f"Tautulli {tautulli_requests:3d}"
            )

        floor()  # warm-up: plexapi's first connection, imports, the database's caches
        show_floor("floor (the same pages, no tcm)")
        timed("owner policy, nothing changed")
        for key in keys[::100]:
            plex.mark_watched(key)
        timed("owner policy, 1 % marked watched by hand")
        connection.watched_policy, connection.watched_users = "all_chosen", [OWNER, SAM, ALEX]
        connection.save()
        timed("all chosen: first run (whole history)")
        timed("all chosen: next run (last days only)")
        for key in keys[1::100]:
            for user_id in (OWNER, SAM, ALEX):
                tautulli.play(user_id, key, show=show_of[key])
            plex.mark_watched(key)
        timed("all chosen: 1 % more watched by everyone")
        show_floor("floor again (the load may have changed)")
        print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
