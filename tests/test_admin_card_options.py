"""A card type's options as real fields on the series, episode and template pages: the right
input for each kind, validated with the renderer's parsers (an error names the option), saved
into the extras; the JSON box stays as an advanced fallback."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from cards.models import Episode, Series, Template
from tests.test_admin_templates import series_form as look_series_form
from tests.test_admin_templates import template_form


@pytest.fixture
def series(plex_connection) -> Series:
    return Series.objects.create(connection=plex_connection, rating_key="1", title="Harbour")


def series_form(**changes: object) -> dict[str, object]:
    # The landscape card's checkbox, ticked as its default is.
    data = look_series_form(card_type="landscape", **{"options-landscape-add_bounding_box": "on"})
    return {**data, **changes}


def post(client: Client, series: Series, **changes: object):
    return client.post(
        reverse("admin:cards_series_change", args=[series.pk]), series_form(**changes)
    )


def option_errors(response) -> list[str]:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return list(response.context["adminform"].form.errors.get("options", []))


def test_the_fields_of_each_kind_are_real_inputs(admin_client: Client, series: Series) -> None:
    Series.objects.update(card_type="landscape", extras={"box_width": 12})
    page = admin_client.get(reverse("admin:cards_series_change", args=[series.pk])).content.decode()

    group = re.search(
        r'<fieldset class="tcm-option-group" data-card-type="landscape">.*?</fieldset>', page, re.S
    )
    assert group, "the landscape card's options are on the page, shown"
    html = group[0]
    assert re.search(
        r'<input type="checkbox" name="options-landscape-add_bounding_box"[^>]* checked>', html
    )
    assert (
        'type="color" class="tcm-color-swatch"' in html
        and 'name="options-landscape-box_color"' in html
    )
    assert re.search(
        r'<input type="number" name="options-landscape-box_width"'
        r'[^>]*value="12"[^>]*min="1" max="100"',
        html,
    )
    assert (
        '<select name="options-landscape-darken"' in html
        and '<option value="all">all</option>' in html
    )
    assert "px, thickness of the box (1 to 100)" in html  # the help text, with the limits
    # The other types' groups are there too, hidden until chosen.
    assert '<fieldset class="tcm-option-group" data-card-type="standard" hidden>' in page
    assert "cards/options.js" in page


def test_the_values_save_into_the_extras(admin_client: Client, series: Series) -> None:
    response = post(
        admin_client,
        series,
        **{
            "options-landscape-box_color": "#ffd700",
            "options-landscape-box_width": "24",
            "options-landscape-darken": "all",
            "options-landscape-add_bounding_box": "",  # posted empty: still ticked
        },
    )
    assert response.status_code == 302, option_errors(response)
    assert Series.objects.get().extras == {"box_color": "#ffd700", "box_width": 24, "darken": "all"}

    # Unticked, and the width emptied: the box is off, the width inherited again.
    # The JSON box holds what is stored, as the page shows it.
    stored = '{"box_color": "#ffd700", "box_width": 24, "darken": "all"}'
    data = series_form(
        extras=stored,
        **{"options-landscape-box_color": "#ffd700", "options-landscape-darken": "all"},
    )
    del data["options-landscape-add_bounding_box"]
    response = admin_client.post(reverse("admin:cards_series_change", args=[series.pk]), data)
    assert response.status_code == 302, option_errors(response)
    assert Series.objects.get().extras == {
        "box_color": "#ffd700",
        "darken": "all",
        "add_bounding_box": False,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("box_color", "notacolour", "box color: unknown colour for box_color 'notacolour'"),
        (
            "box_width",
            "500",
            "box width: bad value '500' for option box_width: must be between 1 and 100",
        ),
        ("box_width", "wide", "box width: bad value 'wide' for option box_width"),
        (
            "darken",
            "half",
            "darken: bad value 'half' for option darken: choose one of box, all, none",
        ),
    ],
)
def test_a_bad_value_is_a_form_error_naming_the_option(
    admin_client: Client, series: Series, field: str, value: str, message: str
) -> None:
    Series.objects.update(extras={"box_width": 12})
    response = post(admin_client, series, **{f"options-landscape-{field}": value})
    errors = option_errors(response)
    assert any(message in e for e in errors), errors
    assert Series.objects.get().extras == {"box_width": 12}  # nothing stored is lost
    if field != "darken":  # a select cannot show a value it does not offer
        # The page shows what was typed, to be corrected.
        assert f'value="{value}"' in response.content.decode()


def test_only_the_chosen_types_fields_count(admin_client: Client, series: Series) -> None:
    # Rubbish in another type's (hidden) field does not stop the save, nor is it stored.
    response = post(admin_client, series, **{"options-standard-episode_text_size": "huge"})
    assert response.status_code == 302, option_errors(response)
    assert Series.objects.get().extras == {}


def test_the_json_box_keeps_other_types_options(admin_client: Client, series: Series) -> None:
    Series.objects.update(extras={"kanji": "長い夜", "box_width": 12})
    response = post(
        admin_client,
        series,
        extras='{"kanji": "長い夜", "box_width": 12}',
        **{"options-landscape-box_width": "30"},
    )
    assert response.status_code == 302, option_errors(response)
    assert Series.objects.get().extras == {"kanji": "長い夜", "box_width": 30}


def test_a_value_typed_in_the_json_box_counts_when_its_field_was_left_alone(
    admin_client: Client, series: Series
) -> None:
    response = post(admin_client, series, extras='{"box_width": 7}')
    assert response.status_code == 302, option_errors(response)
    assert Series.objects.get().extras == {"box_width": 7}


def test_an_inherited_type_shows_the_type_that_applies(
    admin_client: Client, series: Series, plex_connection
) -> None:
    plex_connection.card_type = "textless"
    plex_connection.save()
    page = admin_client.get(reverse("admin:cards_series_change", args=[series.pk])).content.decode()
    assert '<div class="tcm-options" data-fallback="textless">' in page
    assert '<fieldset class="tcm-option-group" data-card-type="textless">' in page
    response = post(
        admin_client, series, card_type="", **{"options-textless-background": "#102030"}
    )
    assert response.status_code == 302, option_errors(response)
    assert Series.objects.get().extras == {"background": "#102030"}


def test_the_episode_and_template_pages_have_the_fields_too(
    admin_client: Client, series: Series
) -> None:
    episode = Episode.objects.create(
        connection=series.connection, series=series, rating_key="2", title="Pilot"
    )
    data = {
        "card_type": "textless",
        "watched_style": "",
        "unwatched_style": "",
        "font": "",
        "title_text": "",
        "episode_text": "",
        "extras": "{}",
        "options-textless-background": "navy",
    }
    response = admin_client.post(reverse("admin:cards_episode_change", args=[episode.pk]), data)
    assert response.status_code == 302, response.content[:2000]
    assert Episode.objects.get().extras == {"background": "navy"}

    response = admin_client.post(
        reverse("admin:cards_template_add"),
        template_form(card_type="textless", **{"options-textless-background": "#zz"}),
    )
    assert any("background: unknown colour" in e for e in option_errors(response))
    response = admin_client.post(
        reverse("admin:cards_template_add"),
        template_form(card_type="textless", **{"options-textless-background": "#112233"}),
    )
    assert response.status_code == 302
    assert Template.objects.get().extras == {"background": "#112233"}
