"""The font form refuses what the renderer could not draw with, on the form, with the field
named: a file that is not a font (opened with the renderer's own loader when it is saved), and
a colour the renderer does not know. Every colour field the admin offers is checked the same
way, card-type options in a series' extras included. Nothing is saved from a refused form."""

from __future__ import annotations

import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cards.models import Font, Series
from cards.render.fonts import SANS

pytestmark = pytest.mark.django_db

BAD_COLOUR = "unknown colour 'notacolor'; use e.g. #EBEBEB or white"


def font_form(**changes: object) -> dict[str, object]:
    data = {
        "name": "Plain",
        "color": "",
        "size": "1.0",
        "kerning": "1.0",
        "stroke_width": "1.0",
        "stroke_color": "",
        "interline_spacing": "0",
        "vertical_shift": "0",
        "case": "",
        "replacements": "{}",
        "word_spacing": "0",
        "line_split_bias": "0",
        "default_for": "",
    }
    return {**data, **changes}


def errors(response, field: str) -> list[str]:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return [str(e) for e in response.context["adminform"].form.errors.get(field, [])]


def a_real_font(name: str = "Manrope.ttf") -> SimpleUploadedFile:
    with open(SANS, "rb") as f:
        return SimpleUploadedFile(name, f.read(), content_type="font/ttf")


def stored_fonts() -> list[str]:
    return default_storage.listdir("fonts")[1] if default_storage.exists("fonts") else []


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (
            SimpleUploadedFile("notes.ttf", b"just some notes, not a font\n"),
            "“notes.ttf” is not a font the renderer can read",
        ),
        (SimpleUploadedFile("empty.otf", b""), "The submitted file is empty."),
        (
            a_real_font("Manrope.txt"),
            "“Manrope.txt” is not a .ttf or .otf file. Upload a TrueType (.ttf) or OpenType",
        ),
    ],
    ids=["a text file named .ttf", "an empty file", "a font named .txt"],
)
def test_a_file_the_renderer_cannot_open_is_refused(
    admin_client: Client, upload: SimpleUploadedFile, expected: str
) -> None:
    before = stored_fonts()
    response = admin_client.post(reverse("admin:cards_font_add"), font_form(file=upload))

    found = errors(response, "file")
    assert any(expected in e for e in found), found
    assert not Font.objects.exists()
    assert stored_fonts() == before  # the refused file was not kept either


def test_a_real_font_is_saved(admin_client: Client) -> None:
    response = admin_client.post(reverse("admin:cards_font_add"), font_form(file=a_real_font()))

    assert response.status_code == 302
    font = Font.objects.get()
    assert font.file.name.startswith("fonts/") and default_storage.exists(font.file.name)


@pytest.mark.parametrize("field", ["color", "stroke_color"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("notacolor", BAD_COLOUR),
        ("#12345", "unknown colour '#12345'"),
        ("rgb(300, 0)", "unknown colour 'rgb(300, 0)'"),
    ],
)
def test_a_colour_the_renderer_does_not_know_is_refused(
    admin_client: Client, field: str, value: str, expected: str
) -> None:
    response = admin_client.post(reverse("admin:cards_font_add"), font_form(**{field: value}))

    assert any(expected in e for e in errors(response, field)), errors(response, field)
    assert not Font.objects.exists()


@pytest.mark.parametrize("value", ["#EBEBEB", "white", "rgb(12, 34, 56)", "#fff"])
def test_colours_the_renderer_knows_are_saved(admin_client: Client, value: str) -> None:
    response = admin_client.post(
        reverse("admin:cards_font_add"), font_form(color=value, stroke_color=value)
    )
    assert response.status_code == 302
    assert Font.objects.get().color == value


def test_a_bad_colour_on_the_change_page_loses_nothing(admin_client: Client) -> None:
    font = Font.objects.create(name="Plain", color="#ffffff")
    before = Font.objects.values().get()
    response = admin_client.post(
        reverse("admin:cards_font_change", args=[font.pk]),
        font_form(name="renamed", color="notacolor"),
    )

    assert any(BAD_COLOUR in e for e in errors(response, "color"))
    assert Font.objects.values().get() == before


def series_form(series: Series, **changes: object) -> dict[str, object]:
    data = {
        "card_type": "",
        "watched_style": "",
        "unwatched_style": "",
        "font": "",
        "title_format": "",
        "episode_text_format": "",
        "extras": "{}",
        # The season titles inline, empty.
        "season_title_rows-TOTAL_FORMS": "0",
        "season_title_rows-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("extras", "expected"),
    [
        ({"episode_text_color": "notacolor"}, "unknown colour for episode_text_color 'notacolor'"),
        ({"frame_color": "#12"}, "unknown colour for frame_color '#12'"),
        ({"episode_text_colour": "white"}, "no card type has an option 'episode_text_colour'"),
    ],
    ids=["a bad colour", "a bad frame colour", "a misspelt option"],
)
def test_a_series_extra_the_renderer_cannot_use_is_refused(
    admin_client: Client, plex_connection: object, extras: dict, expected: str
) -> None:
    series = Series.objects.create(connection=plex_connection, rating_key="10", title="Harbour")
    response = admin_client.post(
        reverse("admin:cards_series_change", args=[series.pk]),
        series_form(series, extras=json.dumps(extras)),
    )

    assert any(expected in e for e in errors(response, "extras")), errors(response, "extras")
    series.refresh_from_db()
    assert series.extras == {}


def test_good_series_extras_are_saved(admin_client: Client, plex_connection: object) -> None:
    series = Series.objects.create(connection=plex_connection, rating_key="10", title="Harbour")
    extras = {"episode_text_color": "#EBEBEB", "frame_color": "gold", "omit_gradient": "true"}
    response = admin_client.post(
        reverse("admin:cards_series_change", args=[series.pk]),
        series_form(series, extras=json.dumps(extras)),
    )

    assert response.status_code == 302, response.content[:2000]
    series.refresh_from_db()
    assert series.extras == extras


def test_a_font_is_the_default_only_for_card_types_that_exist(admin_client: Client) -> None:
    add = reverse("admin:cards_font_add")
    response = admin_client.post(add, font_form(default_for="calligraphy, calligrafy"))
    assert any("unknown card type 'calligrafy'" in e for e in errors(response, "default_for")), (
        response.context["adminform"].form.errors
    )
    assert not Font.objects.exists()
    response = admin_client.post(
        add, font_form(default_for="calligraphy, tinted frame", word_spacing="20")
    )
    assert response.status_code == 302
    font = Font.objects.get()
    assert (font.default_for, font.word_spacing) == ("calligraphy, tinted frame", 20)
