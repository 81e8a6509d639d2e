"""A template's live preview: the template's settings as the form holds them, on the episodes
its filters (as typed, unsaved) pick through the pipeline's own precedence; for a template that
matches nothing yet, the first series (or a generated still) as if it applied. Like every
preview it uploads nothing, writes no card and saves nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from cards.models import Episode, SeasonTitle, Series, Template, TemplateFilter, TitleCard
from cards.sync import sync_library
from tests.support import admin_form_data
from tests.test_preview_writes_nothing import picture


@pytest.fixture
def libraries(fake_plex, plex_connection) -> None:
    fake_plex.add_series("Harbour", episodes=5, library="TV Shows")
    fake_plex.add_series("Mecha Tide", episodes=5, library="Anime")
    sync_library(plex_connection)


def rows_data(prefix: str, rows: list[dict[str, str]], initial: int = 0) -> dict[str, str]:
    """An inline's management form and rows, as the template page posts them."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{name}": value for name, value in row.items()})
    return data


def post_template(client, template: Template | None, inlines: dict[str, str], **changes):
    user = User.objects.get(username="admin")
    data = admin_form_data(template or Template(name="New"), user, **changes)
    if template is None:
        url = reverse("admin:cards_template_preview_add")
    else:
        url = reverse("admin:cards_template_preview", args=[template.pk])
    return client.post(url, {**data, **inlines})


def anime_filter(value: str = "Anime") -> dict[str, str]:
    return rows_data("filters", [{"field": "library", "operation": "equals", "value": value}])


NO_TITLES = rows_data("season_titles", [])


def test_a_template_previews_the_series_its_unsaved_filters_pick(
    admin_client, fake_plex, libraries
) -> None:
    template = Template.objects.create(name="Anime", card_type="standard")
    fake_plex.reset_counts()

    response = post_template(
        admin_client, template, {**anime_filter(), **NO_TITLES}, card_type="anime"
    )

    assert response.status_code == 200, response.content
    rows = response.json()["rows"]
    assert len(rows) == 4
    assert all(row["label"].startswith("Mecha Tide") for row in rows)
    assert all(row["note"] == "" for row in rows)
    for row in rows:
        for shown in row["pictures"].values():
            assert shown["error"] == ""
            assert picture(shown["src"]).size == (640, 360)
    # Nothing was sent to Plex, no card written, nothing of the form saved.
    assert fake_plex.count(method="PUT") == fake_plex.count(method="POST") == 0
    assert not any(fake_plex.uploads(key) for key in fake_plex.episodes())
    assert TitleCard.objects.count() == 0
    assert not TemplateFilter.objects.exists() and not SeasonTitle.objects.exists()
    assert Template.objects.get().card_type == "standard"

    # The other library, typed into the same unsaved row: the other series.
    other = post_template(admin_client, template, {**anime_filter("TV Shows"), **NO_TITLES})
    assert all(row["label"].startswith("Harbour") for row in other.json()["rows"])


def test_the_template_settings_draw_the_pictures(admin_client, libraries) -> None:
    template = Template.objects.create(name="Anime")
    inlines = {**anime_filter(), **NO_TITLES}
    first = post_template(admin_client, template, inlines, card_type="standard").json()["rows"]
    second = post_template(admin_client, template, inlines, card_type="roman_numeral")
    assert (
        first[0]["pictures"]["watched"]["src"]
        != second.json()["rows"][0]["pictures"]["watched"]["src"]
    )


def test_unsaved_season_title_rows_count(admin_client, libraries) -> None:
    template = Template.objects.create(name="Anime", card_type="standard")
    titles = rows_data("season_titles", [{"order": "0", "episodes": "1", "text": "FIRST COUR"}])
    plain = post_template(admin_client, template, {**anime_filter(), **NO_TITLES})
    titled = post_template(admin_client, template, {**anime_filter(), **titles})
    assert titled.status_code == 200
    before = [r["pictures"]["watched"]["src"] for r in plain.json()["rows"]]
    after = [r["pictures"]["watched"]["src"] for r in titled.json()["rows"]]
    assert all(a != b for a, b in zip(before, after, strict=True))
    assert not SeasonTitle.objects.exists()


def test_the_saved_rows_count_when_the_form_posts_none(admin_client, libraries) -> None:
    template = Template.objects.create(name="Anime")
    TemplateFilter.objects.create(
        template=template, field="library", operation="equals", value="Anime"
    )
    posted = post_template(admin_client, template, {}).json()["rows"]
    assert all(row["label"].startswith("Mecha Tide") for row in posted)

    # An inline whose rows are not posted at all (no management form): the saved ones count.
    user = User.objects.get(username="admin")
    data = admin_form_data(template, user)
    data = {k: v for k, v in data.items() if not k.startswith(("filters-", "season_titles-"))}
    url = reverse("admin:cards_template_preview", args=[template.pk])
    rows = admin_client.post(url, data).json()["rows"]
    assert all(row["label"].startswith("Mecha Tide") for row in rows)


def test_a_template_attached_to_a_series_previews_it(admin_client, libraries) -> None:
    template = Template.objects.create(name="Harbour look")
    Series.objects.filter(title="Harbour").update(template=template)
    inlines = {**anime_filter("No such library"), **NO_TITLES}
    rows = post_template(admin_client, template, inlines).json()["rows"]
    assert len(rows) == 4 and all(row["label"].startswith("Harbour") for row in rows)


def test_a_template_that_matches_nothing_shows_the_first_series_and_says_so(
    admin_client, libraries
) -> None:
    inlines = {**anime_filter("No such library"), **NO_TITLES}
    response = post_template(admin_client, None, inlines, name="New", card_type="anime")

    assert response.status_code == 200, response.content
    rows = response.json()["rows"]
    assert len(rows) == 4 and all(row["pictures"]["unwatched"]["src"] for row in rows)
    assert "No series matches this template yet" in rows[0]["note"]
    assert not Template.objects.exists() and TitleCard.objects.count() == 0


def test_a_template_before_any_sync_previews_a_generated_still(admin_client, db) -> None:
    inlines = {**anime_filter(), **NO_TITLES}
    rows = post_template(admin_client, None, inlines, name="New").json()["rows"]
    assert len(rows) == 4 and all(row["sample"] for row in rows)
    assert not Episode.objects.exists() and not Template.objects.exists()


def test_a_bad_filter_row_answers_400_naming_it(admin_client, libraries) -> None:
    template = Template.objects.create(name="Anime")
    bad = rows_data("filters", [{"field": "year", "operation": "equals", "value": "soon"}])
    response = post_template(admin_client, template, {**bad, **NO_TITLES})
    assert response.status_code == 400
    assert any(name.startswith("filters-0-") for name in response.json()["errors"])
    assert not TemplateFilter.objects.exists()


def test_a_filter_on_episodes_previews_the_episodes_it_picks(
    admin_client, fake_plex, plex_connection
) -> None:
    fake_plex.add_series("Harbour", seasons=2, episodes=3)
    sync_library(plex_connection)
    template = Template.objects.create(name="Second seasons")
    season_two = rows_data(
        "filters", [{"field": "season_number", "operation": "equals", "value": "2"}]
    )
    rows = post_template(admin_client, template, {**season_two, **NO_TITLES}).json()["rows"]
    assert [row["label"].split(" · ")[0] for row in rows] == [
        "Harbour S02E01",
        "Harbour S02E02",
        "Harbour S02E03",
    ]
    assert all(row["note"] == "" for row in rows)
