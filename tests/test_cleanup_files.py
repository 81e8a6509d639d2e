"""clean_up deletes card, still and art files no row refers to, once they are an hour old, and
nothing else: not the files cards, episodes and series use, not fresh files (a render writes its
file a moment before its row), not files outside those folders."""

from __future__ import annotations

import os
import time

from django.core.files.storage import default_storage

from cards.keys import process_rating_key
from cards.models import Episode, TitleCard
from cards.tasks import clean_up


def write(root, name: str, age: float) -> str:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8 not much of a jpeg")
    then = time.time() - age
    os.utime(path, (then, then))
    return name


def test_it_deletes_orphaned_files_only(settings, tmp_path, fake_plex, plex_connection) -> None:
    settings.MEDIA_ROOT = tmp_path
    plex_connection.unwatched_style = "art"  # the series' background art is kept too
    plex_connection.save()
    show = fake_plex.add_series("Harbour", episodes=2)
    process_rating_key(plex_connection, str(show))
    used = [
        *TitleCard.objects.values_list("file", flat=True),
        *Episode.objects.values_list("source_file", flat=True),
        Episode.objects.first().series.art_file,
    ]
    assert len(used) == 5 and all(default_storage.exists(name) for name in used)
    hour = 3600
    for name in used:  # old, but in use
        os.utime(tmp_path / name, (time.time() - 2 * hour,) * 2)
    orphans = [
        write(tmp_path, "cards/1/999-0123456789ab.jpg", 2 * hour),
        write(tmp_path, "sources/1/999-0123456789ab.jpg", 25 * hour),
        write(tmp_path, "art/1/999-abcdef12-0123456789ab.jpg", 2 * hour),
    ]
    kept = [
        write(tmp_path, "cards/1/998-fresh.jpg", 60),  # just written by a render
        write(tmp_path, "fonts/mine.ttf", 2 * hour),
        write(tmp_path, "elsewhere.jpg", 2 * hour),
    ]

    summary = clean_up.apply().get()

    assert summary["files_deleted"] == 3 and summary["bytes_freed"] > 0
    assert not any(default_storage.exists(name) for name in orphans)
    assert all(default_storage.exists(name) for name in [*used, *kept])
