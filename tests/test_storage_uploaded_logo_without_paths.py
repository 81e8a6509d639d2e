"""An admin's uploaded logo is read through Django's storage, never from a path on disk: with a
storage that is no folder on this machine (an object store; Django's in-memory storage stands in)
the card is drawn with the upload and lands on Plex, and the card's look follows the upload's
content (a logo with new content under the same name makes the card outdated). An upload through
the admin always gets a name of its own, so the kept local copy of a name never goes stale."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils import timezone

from cards.keys import process_rating_key
from cards.maintenance import due_reason
from cards.models import Episode, Series, TitleCard
from cards.sync import sync_library
from tests.fakes.plex import make_logo
from tests.test_art_series_pictures import card_pixels, has_colour, logo_colour


def test_an_uploaded_logo_is_drawn_from_a_storage_without_paths(
    settings, fake_plex, plex_connection
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    # default_storage is lazy: Django's setting_changed handler drops the folder it held.
    assert not isinstance(default_storage, FileSystemStorage)
    plex_connection.card_type = "logo"
    plex_connection.watched_style = plex_connection.unwatched_style = "unique"
    plex_connection.save()
    show = fake_plex.add_show("Harbour", logo=False)  # the upload is the only logo there is
    episode_key = fake_plex.add_episode(fake_plex.add_season(show, 1), 1, "Pilot")
    sync_library(plex_connection)
    series = Series.objects.get()
    logo = make_logo(3)
    series.logo_upload.save("harbour.png", ContentFile(logo))

    process_rating_key(plex_connection, str(episode_key))

    card = TitleCard.objects.select_related("episode__series").get()
    assert card.state == "uploaded", card.last_error
    with default_storage.open(card.file, "rb") as fh:
        assert fh.read() == fake_plex.thumb_bytes(episode_key)
    assert has_colour(card_pixels(card), logo_colour(logo))
    episode = Episode.objects.select_related("series", "card").get()
    assert due_reason(episode, timezone.now()) is None

    # The same name with other content: the card's look read the file, not just its name.
    name = series.logo_upload.name
    default_storage.delete(name)
    assert default_storage.save(name, ContentFile(make_logo(8))) == name

    episode = Episode.objects.select_related("series", "card").get()
    assert due_reason(episode, timezone.now()) == "outdated"
