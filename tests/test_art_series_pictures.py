"""The series' pictures a card type draws besides the still come from Plex (the show's clearLogo,
its poster, its background art) or from an admin's upload that replaces Plex's for the series.
A card that lacks one says which, and does not crash or come out empty. A type that does not
draw a picture never downloads it."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from cards.keys import process_rating_key
from cards.models import Series, TitleCard
from cards.render.types.base import MISSING_INPUT
from cards.sources import sha256
from tests.fakes.plex import make_jpeg, make_logo
from tests.support import run_queued, wait_until
from tests.test_admin_font_form import errors, series_form


def card_for(fake_plex, plex_connection, card_type: str, **show: object) -> TitleCard:
    plex_connection.card_type = card_type
    plex_connection.watched_style = plex_connection.unwatched_style = "unique"
    plex_connection.save()
    key = fake_plex.add_show("Harbour", **show)
    season = fake_plex.add_season(key, 1)
    episode = fake_plex.add_episode(season, 1, "Pilot")
    process_rating_key(plex_connection, str(episode))
    return TitleCard.objects.select_related("episode__series").get()


def card_pixels(card: TitleCard) -> Image.Image:
    from django.core.files.storage import default_storage

    with default_storage.open(card.file, "rb") as fh:
        return Image.open(io.BytesIO(fh.read())).convert("RGB")


def has_colour(image: Image.Image, rgb: tuple[int, int, int], tolerance: int = 12) -> bool:
    small = image.resize((image.width // 4, image.height // 4), Image.Resampling.NEAREST)
    data = small.tobytes()
    return any(
        all(abs(data[i + c] - rgb[c]) <= tolerance for c in range(3))
        for i in range(0, len(data), 3)
    )


def logo_colour(image_bytes: bytes) -> tuple[int, int, int]:
    logo = Image.open(io.BytesIO(image_bytes)).convert("RGBA")
    r, g, b, _ = logo.getpixel((logo.width // 4, logo.height // 2))
    return (r, g, b)


def test_the_logo_type_draws_plexs_clear_logo(fake_plex, plex_connection) -> None:
    card = card_for(fake_plex, plex_connection, "logo")

    assert card.state == "uploaded", card.last_error
    series = card.episode.series
    show = fake_plex.items[int(series.rating_key)]
    assert series.logo.startswith(f"/library/metadata/{show.rating_key}/clearLogo/")
    assert series.logo_hash == sha256(show.logo.bytes())
    assert has_colour(card_pixels(card), logo_colour(show.logo.bytes()))


def test_a_logo_the_library_listing_left_out_is_read_from_the_show(
    fake_plex, plex_connection
) -> None:
    from cards.sync import sync_library

    show = fake_plex.add_series("Harbour", episodes=1)
    sync_library(plex_connection)
    Series.objects.update(logo="")  # as from a listing without the show's <Image> elements
    plex_connection.card_type = "logo"
    plex_connection.save()

    process_rating_key(plex_connection, str(fake_plex.episodes(show)[0]))

    assert TitleCard.objects.get().state == "uploaded"
    assert Series.objects.get().logo_hash == sha256(fake_plex.items[show].logo.bytes())


def test_the_poster_type_draws_plexs_poster_of_the_show(fake_plex, plex_connection) -> None:
    card = card_for(fake_plex, plex_connection, "poster")

    assert card.state == "uploaded", card.last_error
    series = card.episode.series
    show = fake_plex.items[int(series.rating_key)]
    assert series.poster_hash == sha256(show.selected_poster.bytes())


def test_without_a_logo_the_card_says_so(fake_plex, plex_connection) -> None:
    card = card_for(fake_plex, plex_connection, "logo", logo=False)

    assert card.state == "failed"
    assert card.last_error == MISSING_INPUT["logo"]
    assert "upload one or choose another card type" in card.last_error
    assert fake_plex.count(method="POST") == 0  # no empty card went to Plex


def test_uploading_the_missing_logo_mends_the_card(
    transactional_db, empty_broker_queue, admin_client: Client, fake_plex, plex_connection
) -> None:
    card = card_for(fake_plex, plex_connection, "logo", logo=False)
    series = card.episode.series
    assert card.state == "failed"

    response = admin_client.post(
        reverse("admin:cards_series_change", args=[series.pk]),
        series_form(series, cards_enabled="on", logo_upload=png(make_logo(9))),
    )
    run_queued()

    assert response.status_code == 302, response.content[:2000]
    wait_until(lambda: TitleCard.objects.filter(state="uploaded").exists(), what="the mended card")
    assert fake_plex.count(method="POST") == 1


def test_without_a_poster_the_card_says_so(fake_plex, plex_connection) -> None:
    plex_connection.card_type = "poster"
    plex_connection.save()
    show = fake_plex.add_show("Harbour")
    fake_plex.items[show].posters, fake_plex.items[show].selected = [], None
    episode = fake_plex.add_episode(fake_plex.add_season(show, 1), 1, "Pilot")

    process_rating_key(plex_connection, str(episode))

    card = TitleCard.objects.get()
    assert (card.state, card.last_error) == ("failed", MISSING_INPUT["poster"])


def test_switching_to_the_logo_type_renders_through_the_schedule(
    fake_plex, plex_connection
) -> None:
    from cards.maintenance import render_due_cards

    card = card_for(fake_plex, plex_connection, "standard")
    plex_connection.card_type = "logo"
    plex_connection.save()
    queued: list[int] = []

    summary = render_due_cards(lambda pk: queued.append(pk) or True)

    assert summary["outdated"] == 1 and queued == [card.episode_id]
    before = card.fingerprint
    assert process_rating_key(plex_connection, card.episode.rating_key).uploaded == 1
    card.refresh_from_db()
    assert card.fingerprint != before and Series.objects.get().logo_file
    assert render_due_cards(lambda pk: queued.append(pk) or True)["outdated"] == 0


def test_a_type_that_draws_no_logo_does_not_download_it(fake_plex, plex_connection) -> None:
    card = card_for(fake_plex, plex_connection, "standard")

    assert card.state == "uploaded"
    assert fake_plex.count(prefix="/library/metadata/", method="GET") > 0
    assert not [p for m, p in fake_plex.requests if "/clearLogo/" in p]
    assert card.episode.series.logo_file == ""


def png(data: bytes, name: str = "logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.mark.django_db
def test_an_uploaded_logo_replaces_plexs(admin_client: Client, fake_plex, plex_connection) -> None:
    card = card_for(fake_plex, plex_connection, "logo")
    series = card.episode.series
    mine = make_logo(4242, size=(600, 200))

    response = admin_client.post(
        reverse("admin:cards_series_change", args=[series.pk]),
        series_form(series, cards_enabled="on", logo_upload=png(mine)),
    )

    assert response.status_code == 302, response.content[:2000]
    series.refresh_from_db()
    assert series.logo_upload.name.startswith("series/logos/")
    fake_plex.reset_counts()
    outcome = process_rating_key(plex_connection, card.episode.rating_key)
    assert outcome.rendered == 1  # the logo changed, so the card did
    card.refresh_from_db()
    assert has_colour(card_pixels(card), logo_colour(mine))
    assert not [p for m, p in fake_plex.requests if "/clearLogo/" in p]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "upload", "expected"),
    [
        ("logo_upload", png(b"not a picture at all"), "logo is not an image"),
        ("poster_upload", png(make_jpeg(3)[:600], "poster.jpg"), "poster “poster.jpg”"),
        ("art_upload", png(b"", "art.jpg"), "empty"),
    ],
    ids=["not an image", "a truncated JPEG", "an empty file"],
)
def test_a_picture_the_renderer_cannot_draw_is_a_form_error(
    admin_client: Client, plex_connection, field: str, upload, expected: str
) -> None:
    series = Series.objects.create(connection=plex_connection, rating_key="10", title="Harbour")

    response = admin_client.post(
        reverse("admin:cards_series_change", args=[series.pk]),
        series_form(series, cards_enabled="on", **{field: upload}),
    )

    found = errors(response, field)
    assert any(expected in e for e in found), found
    series.refresh_from_db()
    assert not getattr(series, field)
