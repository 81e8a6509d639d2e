"""Plex drops uploaded thumbnails on a metadata refresh; the check puts our card back."""

from __future__ import annotations

from cards.card import verify_card
from cards.keys import process_rating_key
from cards.models import TitleCard


def test_it_uploads_the_card_again_after_a_metadata_refresh(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    process_rating_key(plex_connection, str(key))
    card = TitleCard.objects.get()
    verified_before = card.verified_at

    fake_plex.refresh_metadata(key)
    assert fake_plex.thumb_bytes(key) == fake_plex.original_bytes(key)
    assert verify_card(card, plex_connection.client()) is True

    assert fake_plex.selected(key) == f"upload://posters/{card.uploaded_hash}"
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 2
    assert TitleCard.objects.get().verified_at > verified_before


def test_it_leaves_a_card_plex_still_shows_alone(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    process_rating_key(plex_connection, str(key))

    assert verify_card(TitleCard.objects.get(), plex_connection.client()) is False
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1


def test_it_renders_again_when_the_card_file_is_gone(fake_plex, plex_connection) -> None:
    from django.core.files.storage import default_storage

    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    process_rating_key(plex_connection, str(key))
    card = TitleCard.objects.get()
    default_storage.delete(card.file)
    fake_plex.refresh_metadata(key)

    verify_card(card, plex_connection.client())

    card.refresh_from_db()
    assert default_storage.exists(card.file)
    assert fake_plex.selected(key) == f"upload://posters/{card.uploaded_hash}"
