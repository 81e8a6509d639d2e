"""A Plex connection's title, episode and season text formats: set once for every series (a
library in another language), checked on its form, overridden by a template or a series."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from cards.looks import build_spec, card_settings
from cards.models import Episode, Series, Template
from connections.models import PlexConnection
from tests.test_admin_forms_connections import assert_error, plex_form


def spec_of(episode: Episode):
    episode = Episode.objects.select_related("series", "connection").get(pk=episode.pk)
    return build_spec(episode, card_settings(episode), "s.jpg", None)


def test_the_formats_save_and_apply_to_every_series(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:connections_plexconnection_add"),
        plex_form(
            episode_text_format="EPISODIO {episode_number}",
            season_text_format="TEMPORADA {season_number}",
            title_format="{title}",
        ),
    )
    assert response.status_code == 302, response.content[:2000]
    connection = PlexConnection.objects.get()
    series = Series.objects.create(connection=connection, rating_key="1", title="La casa")
    episode = Episode.objects.create(
        connection=connection,
        series=series,
        rating_key="2",
        title="Uno",
        season_number=2,
        episode_number=5,
    )
    spec = spec_of(episode)
    assert spec.episode_text_format == "EPISODIO {episode_number}"
    assert spec.season_text == "TEMPORADA 2"
    assert spec.title_format == "{title}"

    # A template overrides the connection, the series the template.
    Template.objects.create(name="all", episode_text_format="CAPÍTULO {episode_number}")
    assert spec_of(episode).episode_text_format == "CAPÍTULO {episode_number}"
    Series.objects.update(
        episode_text_format="EP {episode_number}", season_text_format="T{season_number}"
    )
    spec = spec_of(episode)
    assert (spec.episode_text_format, spec.season_text) == ("EP {episode_number}", "T2")


def test_a_bad_format_is_a_form_error_naming_the_field(admin_client: Client) -> None:
    add = reverse("admin:connections_plexconnection_add")
    response = admin_client.post(add, plex_form(episode_text_format="EPISODIO {episodio}"))
    assert_error(response, "episode_text_format", "episodio")
    response = admin_client.post(add, plex_form(season_text_format="TEMPORADA {season_number"))
    assert_error(response, "season_text_format", "season text format")
    assert not PlexConnection.objects.exists()
