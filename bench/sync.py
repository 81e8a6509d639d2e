"""Benchmark: a library sync of N episodes against the fake Plex server on loopback.

    .venv/bin/python bench/sync.py [--episodes 5000] [--page-size 500] [--database-url URL]

Runs in a throw-away data dir (SQLite by default; pass a PostgreSQL URL to measure that) with a
fresh schema. Prints the wall time of a first sync (everything new), a second one (nothing
changed) and a third after 1 % of the titles changed, with the number of requests Plex got.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def library_arguments(description: str) -> argparse.Namespace:
    """The options of the benchmarks that walk a library (this one, bench/watched.py)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--episodes", type=int, default=5000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--database-url", default="")
    return parser.parse_args()


def use_throwaway_data_dir(args: argparse.Namespace, prefix: str) -> None:
    """Settings for a run in a fresh data dir (SQLite unless --database-url), before Django."""
    data_dir = tempfile.mkdtemp(prefix=prefix)
    os.environ.update(
        {
            "TCM_DATA_DIR": data_dir,
            "TCM_ENV_FILE": os.devnull,
            "DJANGO_SETTINGS_MODULE": "tcm_site.settings",
            "TCM_PLEX_PAGE_SIZE": str(args.page_size),
            "TCM_LOG_LEVEL": "WARNING",
            "REDIS_URL": "",
        }
    )
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url


def main() -> None:
    args = library_arguments(__doc__.split("\n")[0])
    use_throwaway_data_dir(args, "tcm-bench-sync-")

    import django

    django.setup()
    from django.core.management import call_command

    from cards.models import Episode
    from cards.sync import sync_library
    from connections.models import PlexConnection
    from tests.fakes.plex import FakePlex

    call_command("migrate", verbosity=0)
    episodes_per_season, seasons = 20, 5
    shows = max(1, args.episodes // (episodes_per_season * seasons))

    with FakePlex() as plex:
        for s in range(shows):
            show = plex.add_show(f"Show {s:03d} — Ñandú")
            for n in range(1, seasons + 1):
                season = plex.add_season(show, n)
                for e in range(1, episodes_per_season + 1):
                    plex.add_episode(season, e, f"Episode {e} of season {n}")
        total = len(plex.episodes())
        connection = PlexConnection.objects.create(
            name="bench", url=plex.url, token=plex.token, timeout=60
        )
        print(f"fake Plex: {shows} shows, {total} episodes; page size {args.page_size}")

        def timed(label: str) -> None:
            plex.reset_counts()
            started = time.perf_counter()
            counts = sync_library(connection)
            elapsed = time.perf_counter() - started
            print(
                f"{label:<28} {elapsed:6.2f} s  {plex.count():4d} requests  "
                f"created {counts.episodes_created}, updated {counts.episodes_updated}, "
                f"unchanged {counts.episodes_unchanged}"
            )

        timed("first sync (all new)")
        timed("second sync (no change)")
        for key in plex.episodes()[::100]:
            plex.set_title(key, "Renamed")
        timed("third sync (1 % renamed)")
        assert Episode.objects.count() == total


if __name__ == "__main__":
    main()
