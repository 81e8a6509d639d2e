"""A template made in a real browser (a filter row, a season title row), and the episode page
telling where each of its settings came from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cards.models import Episode, Series, Template
from tests.support import submit, without_type_pictures

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Page

    Screenshot = Callable[[Page, str], Path]

pytestmark = pytest.mark.slow


def test_a_template_made_in_the_browser_shows_on_the_episode_page(
    admin_page: Page, screenshot: Screenshot, plex_connection
) -> None:
    series = Series.objects.create(
        connection=plex_connection, rating_key="1", title="Frieren", library="Anime"
    )
    episode = Episode.objects.create(
        connection=plex_connection,
        series=series,
        rating_key="2",
        title="The Journey's End",
        season_number=1,
        episode_number=1,
        absolute_number=1,
    )
    page = admin_page
    without_type_pictures(page)
    page.goto("/admin/cards/template/add/")
    page.fill("#id_name", "Anime")
    page.select_option("#id_card_type", "calligraphy")
    # A field offers only its own operations, and shows what its value looks like.
    page.select_option("#id_filters-0-field", "year")
    offered = page.eval_on_selector_all(
        "#id_filters-0-operation option",
        "os => os.filter(o => !o.disabled && o.value).map(o => o.value)",
    )
    assert offered == ["equals", "not_equals", "less_than", "greater_than", "at_most", "at_least"]
    assert page.get_attribute("#id_filters-0-value", "placeholder") == "e.g. 2"
    page.select_option("#id_filters-0-field", "library")
    page.select_option("#id_filters-0-operation", "equals")
    page.fill("#id_filters-0-value", "Anime")
    page.fill("#id_season_titles-0-episodes", "1-12")
    page.fill("#id_season_titles-0-text", "FIRST COUR")
    screenshot(page, "template-add")
    submit(page)
    page.wait_for_selector(".messagelist .success")
    screenshot(page, "template-saved")
    assert Template.objects.get().card_type == "calligraphy"

    page.goto(f"/admin/cards/episode/{episode.pk}/change/")
    table = page.locator("table.tcm-looks")
    table.scroll_into_view_if_needed()
    screenshot(page, "episode-sources")
    rows = table.locator("tr").all_inner_texts()
    assert "card type\tcalligraphy\ttemplate 'Anime'" in rows
    assert "season text\tFIRST COUR\tseason titles of template 'Anime'" in rows
