"""A card larger than the connection's upload limit goes to Plex as a smaller re-encoded copy;
the master card file stays as it was rendered."""

from __future__ import annotations

import hashlib
import io

from django.core.files.storage import default_storage
from PIL import Image

from cards.card import verify_card
from cards.keys import process_rating_key
from cards.models import TitleCard


def test_it_uploads_a_smaller_copy_and_keeps_the_master(fake_plex, plex_connection) -> None:
    plex_connection.upload_limit = 100 * 1024
    plex_connection.save()
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]

    process_rating_key(plex_connection, str(key))

    card = TitleCard.objects.get()
    with default_storage.open(card.file, "rb") as fh:
        master = fh.read()
    on_plex = fake_plex.thumb_bytes(key)
    assert len(master) == card.size > 100 * 1024
    assert len(on_plex) <= 100 * 1024
    assert card.uploaded_hash == hashlib.sha1(on_plex).hexdigest()
    assert Image.open(io.BytesIO(on_plex)).format == "JPEG"


def test_the_copy_is_the_same_each_time_so_plex_is_not_sent_it_twice(
    fake_plex, plex_connection
) -> None:
    plex_connection.upload_limit = 100 * 1024
    plex_connection.save()
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    process_rating_key(plex_connection, str(key))

    uploaded_again = verify_card(TitleCard.objects.get(), plex_connection.client())

    assert uploaded_again is False
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1
