"""Templates, their filters and season titles through the real admin pages; the series list's
bulk actions and filters; the episode page saying where each setting came from."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from cards.models import Episode, SeasonTitle, Series, Template, TemplateFilter
from cards.render.types import CARD_TYPES
from tests.support import admin_action

# The card settings a series and a template page post, all inherited.
LOOK_FORM = {
    "card_type": "",
    "watched_style": "",
    "unwatched_style": "",
    "font": "",
    "title_format": "",
    "episode_text_format": "",
    "season_text_format": "",
    "hide_season_text": "unknown",
    "hide_episode_text": "unknown",
    "extras": "{}",
}


def series_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "cards_enabled": "on",
        "template": "",
        **LOOK_FORM,
        "season_title_rows-TOTAL_FORMS": "0",
        "season_title_rows-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def template_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Anime",
        "order": "1",
        **LOOK_FORM,
        "card_type": "calligraphy",
        "filters-TOTAL_FORMS": "1",
        "filters-INITIAL_FORMS": "0",
        "filters-0-field": "library",
        "filters-0-operation": "equals",
        "filters-0-value": "Anime",
        "season_titles-TOTAL_FORMS": "1",
        "season_titles-INITIAL_FORMS": "0",
        "season_titles-0-order": "0",
        "season_titles-0-episodes": "1-12",
        "season_titles-0-text": "FIRST COUR",
    }
    data = {**data, **changes}
    return {**ticked_by_default(str(data["card_type"])), **data}


def ticked_by_default(card_type: str) -> dict[str, str]:
    """The checkboxes of a card type's options that a page shows ticked (their default): a
    browser posts them, a test must too."""
    options = CARD_TYPES[card_type].options if card_type in CARD_TYPES else {}
    return {
        f"options-{card_type}-{name}": "on"
        for name, option in options.items()
        if option.kind == "bool" and option.default
    }


def inline_errors(response, prefix: str) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    for formset in response.context["inline_admin_formsets"]:
        if formset.formset.prefix == prefix:
            return [{k: " ".join(v) for k, v in f.errors.items()} for f in formset.formset.forms]
    raise AssertionError(f"no inline {prefix}")


def test_a_template_with_filters_and_season_titles_saves(admin_client: Client, db) -> None:
    response = admin_client.post(reverse("admin:cards_template_add"), template_form())
    assert response.status_code == 302, response.content[:2000]
    template = Template.objects.get()
    assert template.card_type == "calligraphy" and template.hide_season_text is None
    assert template.extras == {}  # every option left at its default
    assert [(f.field, f.operation, f.value) for f in template.filters.all()] == [
        ("library", "equals", "Anime")
    ]
    assert [(t.episodes, t.text) for t in template.season_titles.all()] == [("1-12", "FIRST COUR")]


def test_a_bad_filter_is_a_form_error_naming_the_field(admin_client: Client, db) -> None:
    response = admin_client.post(
        reverse("admin:cards_template_add"),
        template_form(**{"filters-0-field": "year", "filters-0-value": "nineteen"}),
    )
    [row] = inline_errors(response, "filters")
    assert "year is compared with a number, not 'nineteen'" in str(row["value"])
    assert not Template.objects.exists()

    response = admin_client.post(
        reverse("admin:cards_template_add"),
        template_form(**{"filters-0-field": "genre", "filters-0-operation": "less_than"}),
    )
    [row] = inline_errors(response, "filters")
    assert "genre can be compared with" in str(row["operation"])


def test_a_bad_season_range_is_a_form_error(admin_client: Client, db) -> None:
    response = admin_client.post(
        reverse("admin:cards_template_add"), template_form(**{"season_titles-0-episodes": "12-1"})
    )
    [row] = inline_errors(response, "season_titles")
    assert "ends before it starts" in str(row["episodes"])
    assert not Template.objects.exists()


def test_a_bad_format_on_a_template_is_refused(admin_client: Client, db) -> None:
    response = admin_client.post(
        reverse("admin:cards_template_add"), template_form(episode_text_format="EP {nope}")
    )
    errors = response.context["adminform"].form.errors
    assert "episode_text_format" in errors
    assert not Template.objects.exists()


def series_rows(plex_connection, *titles: str) -> list[Series]:
    return [
        Series.objects.create(connection=plex_connection, rating_key=str(n), title=t)
        for n, t in enumerate(titles, start=1)
    ]


def test_bulk_actions_apply_template_set_card_type_and_cards_on_off(
    admin_client: Client, plex_connection
) -> None:
    a, b, c = series_rows(plex_connection, "A", "B", "C")
    anime = Template.objects.create(name="Anime")

    [(level, text)] = admin_action(admin_client, [a, b], "apply_template", template=anime.pk)
    assert level == "success" and "'Anime' attached to 2 series" in text
    assert list(Series.objects.filter(template=anime).order_by("title")) == [a, b]

    admin_action(admin_client, [b, c], "set_card_type", card_type="textless")
    assert sorted(Series.objects.filter(card_type="textless").values_list("title", flat=True)) == [
        "B",
        "C",
    ]

    [(_, text)] = admin_action(admin_client, [a, c], "cards_off")
    assert "Cards off for 2 series" in text
    assert list(Series.objects.filter(cards_enabled=False).order_by("title")) == [a, c]
    admin_action(admin_client, [a], "cards_on")
    assert list(Series.objects.filter(cards_enabled=False)) == [c]

    admin_action(admin_client, [a], "apply_template", template="")
    assert Series.objects.get(pk=a.pk).template is None


def listed(admin_client: Client, **query: str) -> list[str]:
    response = admin_client.get(reverse("admin:cards_series_changelist"), query)
    assert response.status_code == 200
    return sorted(s.title for s in response.context["cl"].result_list)


def test_the_series_list_filters(admin_client: Client, plex_connection) -> None:
    a, b, _ = series_rows(plex_connection, "A", "B", "C")
    anime = Template.objects.create(name="Anime")
    Series.objects.filter(pk=a.pk).update(library="Anime", template=anime, card_type="fade")
    Series.objects.filter(pk=b.pk).update(library="TV", cards_enabled=False)

    assert listed(admin_client, library="Anime") == ["A"]
    assert listed(admin_client, card_type="fade") == ["A"]
    assert listed(admin_client, card_type="-") == ["B", "C"]
    assert listed(admin_client, template=str(anime.pk)) == ["A"]
    assert listed(admin_client, template="-") == ["B", "C"]
    assert listed(admin_client, cards_enabled__exact="0") == ["B"]


def test_the_series_page_edits_season_titles_as_rows(admin_client: Client, plex_connection) -> None:
    [series] = series_rows(plex_connection, "Avatar")
    data = series_form(
        hide_episode_text="true",
        **{
            "season_title_rows-TOTAL_FORMS": "2",
            "season_title_rows-0-order": "0",
            "season_title_rows-0-episodes": "1",
            "season_title_rows-0-text": "BOOK ONE: WATER",
            "season_title_rows-1-order": "1",
            "season_title_rows-1-episodes": "s2e1-s2e20",
            "season_title_rows-1-text": "BOOK TWO: EARTH",
        },
    )
    response = admin_client.post(reverse("admin:cards_series_change", args=[series.pk]), data)
    assert response.status_code == 302, response.content[:3000]
    rows = SeasonTitle.objects.filter(series=series).order_by("order")
    assert [(r.episodes, r.text) for r in rows] == [
        ("1", "BOOK ONE: WATER"),
        ("s2e1-s2e20", "BOOK TWO: EARTH"),
    ]
    assert Series.objects.get().hide_episode_text is True


def test_the_episode_page_says_where_each_setting_came_from(
    admin_client: Client, plex_connection
) -> None:
    [series] = series_rows(plex_connection, "Frieren")
    Series.objects.update(library="Anime", title_format="{title}!")
    anime = Template.objects.create(name="Anime", card_type="calligraphy")
    TemplateFilter.objects.create(
        template=anime, field="library", operation="equals", value="Anime"
    )
    episode = Episode.objects.create(
        connection=plex_connection, series=series, rating_key="9", title="Pilot", season_number=1
    )

    response = admin_client.get(reverse("admin:cards_episode_change", args=[episode.pk]))

    page = response.content.decode()
    assert "<td>card type</td><td>calligraphy</td><td>template &#x27;Anime&#x27;</td>" in page
    assert "<td>title format</td><td>{title}!</td><td>series</td>" in page
    plex = f"Plex connection &#x27;{plex_connection.name}&#x27;"
    assert f"<td>unwatched style</td><td>blur</td><td>{plex}</td>" in page
