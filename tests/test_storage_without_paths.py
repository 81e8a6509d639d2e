"""Card, still and art files go through Django's storage, never a path on disk: with a storage
that is no folder on this machine (an object store; Django's in-memory storage stands in) cards are
rendered from it, uploaded, and cleaned up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils import timezone

from cards.keys import process_rating_key
from cards.maintenance import delete_orphaned_files
from cards.models import Episode, TitleCard


@pytest.fixture
def object_store(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    assert not isinstance(default_storage, FileSystemStorage)
    return default_storage


def test_cards_are_made_from_and_kept_in_a_storage_without_paths(
    object_store, fake_plex, plex_connection
) -> None:
    plex_connection.unwatched_style = "art"  # the series' art comes from the storage too
    plex_connection.save()
    show = fake_plex.add_series("Harbour", episodes=2)

    outcome = process_rating_key(plex_connection, str(show))

    assert (outcome.rendered, outcome.uploaded, outcome.failed) == (2, 2, {})
    for card in TitleCard.objects.all():
        with object_store.open(card.file, "rb") as fh:
            assert fh.read() == fake_plex.thumb_bytes(int(card.episode.rating_key))
    assert all(object_store.exists(e.source_file) for e in Episode.objects.all())


def test_clean_up_walks_the_storage(object_store, fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    process_rating_key(plex_connection, str(show))
    orphan = object_store.save("cards/1/999-0123456789ab.jpg", ContentFile(b"\xff\xd8 old"))
    used = TitleCard.objects.get().file

    files, size = delete_orphaned_files(timezone.now() + timedelta(hours=2))

    assert (files, size) == (1, len(b"\xff\xd8 old"))
    assert not object_store.exists(orphan) and object_store.exists(used)
