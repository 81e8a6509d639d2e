"""The live preview shows what the form's settings would make, before saving: it uploads
nothing to Plex, writes no card and saves no setting, and fetches from Plex only the stills it
needs, once (kept as the pipeline keeps them)."""

from __future__ import annotations

import base64
import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from PIL import Image

from cards.card import update_card
from cards.models import Episode, Series, TitleCard
from cards.sync import sync_library
from tests.support import admin_form_data


@pytest.fixture
def series(fake_plex, plex_connection) -> Series:
    fake_plex.add_series("Harbour", episodes=6)
    sync_library(plex_connection)
    return Series.objects.get()


def post_preview(client, obj, **changes):
    """Post the admin's change form of `obj`, with `changes`, to its preview (as the admin)."""
    data = admin_form_data(obj, User.objects.get(username="admin"), **changes)
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_preview", args=[obj.pk])
    return client.post(url, data)


def picture(src: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))


def test_a_preview_uploads_nothing_and_writes_no_card(admin_client, fake_plex, series) -> None:
    fake_plex.reset_counts()
    response = post_preview(admin_client, series, card_type="anime", unwatched_style="blur")

    assert response.status_code == 200, response.content
    rows = response.json()["rows"]
    assert len(rows) == 4
    for row in rows:
        assert row["pictures"]["watched"]["style"] == "unique"
        assert row["pictures"]["unwatched"]["style"] == "blur"
        for shown in row["pictures"].values():
            assert shown["error"] == ""
            assert picture(shown["src"]).size == (640, 360)
    # Nothing went to Plex but the four stills it needed, each downloaded once and kept.
    methods = {key.split()[0] for key in fake_plex.counts()}
    assert methods == {"GET"}
    assert fake_plex.count(method="PUT") == fake_plex.count(method="POST") == 0
    assert not any(fake_plex.uploads(key) for key in fake_plex.episodes())
    assert Episode.objects.exclude(source_file="").count() == 4
    assert TitleCard.objects.count() == 0
    assert Series.objects.get().card_type == ""  # the form's settings were not saved

    # Again: the stills are kept, so Plex is not asked at all.
    fake_plex.reset_counts()
    assert post_preview(admin_client, series, card_type="standard").status_code == 200
    assert fake_plex.count() == 0
    assert TitleCard.objects.count() == 0


def test_the_preview_shows_the_card_on_plex_now_beside_the_new_look(
    admin_client, fake_plex, plex_connection, series
) -> None:
    episode = Episode.objects.order_by("season_number", "episode_number").first()
    update_card(episode, plex_connection.client())
    card = TitleCard.objects.get()
    uploads = sum(len(fake_plex.uploads(key)) for key in fake_plex.episodes())
    fake_plex.reset_counts()

    rows = post_preview(admin_client, series, card_type="poster").json()["rows"]

    assert rows[0]["current"].startswith(reverse("admin:cards_titlecard_image", args=[card.pk]))
    assert rows[0]["current_state"] == "uploaded"
    assert [r["current"] for r in rows[1:]] == ["", "", ""]
    assert sum(len(fake_plex.uploads(key)) for key in fake_plex.episodes()) == uploads
    assert fake_plex.count(method="PUT") == fake_plex.count(method="POST") == 0
    assert TitleCard.objects.get().fingerprint == card.fingerprint


def test_the_connection_form_previews_its_default_settings(
    admin_client, fake_plex, plex_connection, series
) -> None:
    rows = post_preview(admin_client, plex_connection, card_type="roman_numeral").json()["rows"]

    assert len(rows) == 4 and all(row["pictures"]["watched"]["src"] for row in rows)
    assert TitleCard.objects.count() == 0


def test_the_preview_follows_the_forms_settings(admin_client, series) -> None:
    """The same episode differs between two settings: the preview is drawn from the form."""
    first = post_preview(admin_client, series, card_type="standard").json()["rows"][0]
    second = post_preview(admin_client, series, card_type="roman_numeral").json()["rows"][0]

    assert first["pictures"]["watched"]["src"] != second["pictures"]["watched"]["src"]


def test_bad_settings_answer_400_naming_the_field(admin_client, series) -> None:
    response = post_preview(admin_client, series, title_format="{nonsense")

    assert response.status_code == 400
    assert "title_format" in response.json()["errors"]
    assert Series.objects.get().title_format == ""


def test_an_art_style_on_a_show_without_art_says_why(admin_client, fake_plex, series) -> None:
    Series.objects.update(art="")
    series.refresh_from_db()

    rows = post_preview(admin_client, series, unwatched_style="art blur").json()["rows"]

    assert "no background art" in rows[0]["pictures"]["unwatched"]["error"]
    assert rows[0]["pictures"]["watched"]["src"]


def test_a_connection_with_no_episodes_yet_previews_a_sample_still(
    admin_client, plex_connection
) -> None:
    rows = post_preview(admin_client, plex_connection, card_type="anime").json()["rows"]

    assert len(rows) == 4 and all(row["sample"] for row in rows)
    assert all(picture(row["pictures"]["unwatched"]["src"]).width == 640 for row in rows)
    assert TitleCard.objects.count() == 0


def test_a_get_is_refused(admin_client, series) -> None:
    url = reverse("admin:cards_series_preview", args=[series.pk])
    assert admin_client.get(url).status_code == 405


def test_previews_beyond_the_slots_are_refused_not_queued(
    admin_client, series, monkeypatch
) -> None:
    from cards import preview

    monkeypatch.setattr(preview, "WAIT", 0.1)
    held = [preview._slots.acquire(timeout=1) for _ in range(preview.SLOTS)]
    try:
        response = post_preview(admin_client, series, card_type="anime")
    finally:
        for _ in held:
            preview._slots.release()

    assert response.status_code == 429
    assert "Too many previews" in response.json()["reason"]
    assert post_preview(admin_client, series).status_code == 200
