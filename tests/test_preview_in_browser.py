"""The live preview in a real browser: on a series' form, changing the card type and a colour
redraws the preview pictures within a second, with no reload and nothing saved; the keyboard
alone does it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from cards.models import Series, TitleCard
from cards.sync import sync_library
from tests.support import without_type_pictures

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Page

    Screenshot = Callable[[Page, str], Path]

pytestmark = pytest.mark.slow

PICTURES_JS = """
() => [...document.querySelectorAll('#tcm-preview img')].map(img => img.src)
"""


def wait_for_update(page: Page, after: int) -> float:
    """Waits until the panel has drawn an answer newer than `after`; returns the seconds."""
    start = time.monotonic()
    page.wait_for_function(
        f"() => Number(document.getElementById('tcm-preview').dataset.updates || 0) > {after}"
        " && document.getElementById('tcm-preview').dataset.state === 'ready'"
    )
    return time.monotonic() - start


def drawn(page: Page, screenshot: Screenshot, name: str) -> list[str]:
    """The panel in view, its screenshot taken: the sources of its pictures."""
    page.locator("#tcm-preview").scroll_into_view_if_needed()
    screenshot(page, name)
    return page.evaluate(PICTURES_JS)


def updates(page: Page) -> int:
    return int(page.locator("#tcm-preview").get_attribute("data-updates") or 0)


def test_the_preview_follows_the_card_type_and_a_colour_without_saving(
    admin_page: Page, fake_plex, plex_connection, screenshot: Screenshot
) -> None:
    fake_plex.add_series("Harbour Lights", episodes=5)
    sync_library(plex_connection)
    series = Series.objects.get()
    page = admin_page
    without_type_pictures(page)
    page.goto(f"/admin/cards/series/{series.pk}/change/")
    wait_for_update(page, 0)
    first = drawn(page, screenshot, "preview-first")
    # Four episodes, each in its watched and its unwatched style (no card on Plex yet).
    assert len(first) == 8

    # The card type, with the keyboard: focus the select, choose with the arrow keys.
    count = updates(page)
    page.focus("#id_card_type")
    page.keyboard.press("ArrowDown")  # the first type after "inherit": standard
    page.keyboard.press("ArrowDown")
    chosen = page.locator("#id_card_type").input_value()
    assert chosen not in ("", "standard")
    took = wait_for_update(page, count)
    screenshot(page, "preview-type-changed")
    second = page.evaluate(PICTURES_JS)
    assert len(second) == 8 and all(a != b for a, b in zip(first, second, strict=True))
    assert took < 1.5  # within a second of the change (the quarter-second pause included)

    # A colour: the episode line in red, typed into the card type's option field (anime's).
    count = updates(page)
    page.select_option("#id_card_type", "anime")
    wait_for_update(page, count)
    second = page.evaluate(PICTURES_JS)
    count = updates(page)
    page.fill("#id_options-anime-episode_text_color", "#ff2020")
    took = wait_for_update(page, count)
    page.locator("#tcm-preview").scroll_into_view_if_needed()
    screenshot(page, "preview-colour-changed")
    third = page.evaluate(PICTURES_JS)
    assert all(a != b for a, b in zip(second, third, strict=True))
    assert took < 1.5

    # A colour the renderer does not know: the field is named, the pictures stay.
    count = updates(page)
    page.fill("#id_options-anime-episode_text_color", "not-a-colour")
    page.wait_for_function("() => document.getElementById('tcm-preview').dataset.state === 'error'")
    assert "episode_text_color" in page.locator(".tcm-preview-errors").inner_text()
    assert page.evaluate(PICTURES_JS) == third
    screenshot(page, "preview-bad-colour")

    # Nothing was saved, nothing rendered for real.
    series.refresh_from_db()
    assert (series.card_type, series.extras) == ("", {})
    assert TitleCard.objects.count() == 0
    assert not any(fake_plex.uploads(key) for key in fake_plex.episodes())


def test_a_person_typing_fast_gets_the_latest(admin_page: Page, fake_plex, plex_connection) -> None:
    fake_plex.add_series("Harbour Lights", episodes=4)
    sync_library(plex_connection)
    series = Series.objects.get()
    page = admin_page
    without_type_pictures(page)
    page.goto(f"/admin/cards/series/{series.pk}/change/")
    wait_for_update(page, 0)
    count = updates(page)

    page.focus("#id_title_format")
    page.keyboard.type("Chapter {episode_number:cardinal}", delay=30)
    wait_for_update(page, count)
    time.sleep(0.8)  # anything still on its way would be drawn by now

    final = page.evaluate(PICTURES_JS)
    page.fill("#id_title_format", "Chapter {episode_number:cardinal}")  # the same: a fresh ask
    page.dispatch_event("#id_title_format", "input")
    wait_for_update(page, updates(page))
    assert page.evaluate(PICTURES_JS) == final


def test_the_card_type_picker_shows_each_type_on_the_series_still(
    admin_page: Page, fake_plex, plex_connection, screenshot: Screenshot
) -> None:
    from cards.render import card_type_choices

    fake_plex.add_series("Harbour Lights", episodes=4)
    sync_library(plex_connection)
    series = Series.objects.get()
    page = admin_page
    page.goto(f"/admin/cards/series/{series.pk}/change/")
    wait_for_update(page, 0)  # the preview kept the stills: the pictures are drawn on them
    page.goto(f"/admin/cards/series/{series.pk}/change/")
    wait_for_update(page, 0)
    page.locator(".tcm-type-picker").scroll_into_view_if_needed()
    page.wait_for_function(
        "[...document.querySelectorAll('.tcm-type img')].every(i => i.complete && i.naturalWidth)"
    )
    screenshot(page, "type-picker")
    pictures = page.locator(".tcm-type img")
    assert pictures.count() == len(card_type_choices())
    assert "v=" in (pictures.first.get_attribute("src") or "")
    assert series.episodes.exclude(source_hash="").first().source_hash[:10] in (
        pictures.first.get_attribute("src") or ""
    )

    # Keyboard only: Tab reaches the pictures' heading (it folds them), then the chosen one
    # (inherit); the arrows move, Enter chooses.
    count = updates(page)
    page.focus("#id_card_type")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.type") == ""
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    chosen = page.evaluate("document.activeElement.dataset.type")
    assert chosen == card_type_choices()[1][0]
    assert page.locator("#id_card_type").input_value() == chosen
    assert page.locator(f".tcm-type[data-type={chosen}]").get_attribute("aria-pressed") == "true"
    wait_for_update(page, count)
    screenshot(page, "type-picked")
    series.refresh_from_db()
    assert series.card_type == ""  # not saved


def test_the_episode_page_says_why_its_card_is_like_this(
    admin_page: Page, fake_plex, plex_connection, screenshot: Screenshot
) -> None:
    from cards.card import update_card
    from cards.models import Episode

    show = fake_plex.add_series("Harbour Lights", episodes=2)
    sync_library(plex_connection)
    episode = Episode.objects.order_by("episode_number").first()
    key = fake_plex.episodes(show)[0]
    fake_plex.fail(500, times=1, prefix=f"/library/metadata/{key}/posters", method="POST")
    try:
        update_card(episode, plex_connection.client())
    except Exception:  # the failed upload, recorded on the card
        pass
    page = admin_page
    without_type_pictures(page)
    page.goto(f"/admin/cards/episode/{episode.pk}/change/")
    wait_for_update(page, 0)
    timeline = page.locator(".tcm-timeline")
    timeline.scroll_into_view_if_needed()
    screenshot(page, "episode-timeline")

    items = timeline.locator("li").all_inner_texts()
    assert "next attempt" in items[0] and "failed" in items[1] and "rendered" in items[2]
    advice = page.locator(".tcm-advice").inner_text()
    assert "HTTP 500" in advice and "tries again at" in advice

    # The same sentence in the episode list.
    page.goto("/admin/cards/episode/")
    screenshot(page, "episode-list")
    assert advice in page.locator("#result_list").inner_text()


def test_the_template_preview_follows_its_card_type_and_filter_rows_without_saving(
    admin_page: Page, fake_plex, plex_connection, screenshot: Screenshot
) -> None:
    from cards.models import Template, TemplateFilter

    fake_plex.add_series("Harbour Lights", episodes=4, library="TV Shows")
    fake_plex.add_series("Mecha Tide", episodes=4, library="Anime")
    sync_library(plex_connection)
    template = Template.objects.create(name="Anime", card_type="standard")
    TemplateFilter.objects.create(
        template=template, field="library", operation="equals", value="Anime"
    )
    page = admin_page
    without_type_pictures(page)
    page.goto(f"/admin/cards/template/{template.pk}/change/")
    wait_for_update(page, 0)
    first = drawn(page, screenshot, "template-preview-first")
    assert len(first) == 8  # four episodes, watched and unwatched (no card on Plex yet)
    headings = page.locator(".tcm-preview-row h3").all_inner_texts()
    assert len(headings) == 4 and all(h.startswith("Mecha Tide") for h in headings)

    count = updates(page)
    page.select_option("#id_card_type", "roman_numeral")
    took = wait_for_update(page, count)
    second = drawn(page, screenshot, "template-preview-type-changed")
    assert len(second) == 8 and all(a != b for a, b in zip(first, second, strict=True))
    assert took < 1.5

    # The filter row, retyped and not saved: the other library's series.
    count = updates(page)
    page.fill("#id_filters-0-value", "TV Shows")
    wait_for_update(page, count)
    drawn(page, screenshot, "template-preview-filter-changed")
    headings = page.locator(".tcm-preview-row h3").all_inner_texts()
    assert len(headings) == 4 and all(h.startswith("Harbour Lights") for h in headings)

    # A filter no series passes: the first series, as if the template applied, and the panel
    # says so.
    count = updates(page)
    page.fill("#id_filters-0-value", "Documentaries")
    wait_for_update(page, count)
    assert len(drawn(page, screenshot, "template-preview-no-match")) == 8
    assert "No series matches this template yet" in page.locator(".tcm-preview-note").inner_text()

    template.refresh_from_db()
    assert template.card_type == "standard"
    assert TemplateFilter.objects.get().value == "Anime"
    assert TitleCard.objects.count() == 0
    assert not any(fake_plex.uploads(key) for key in fake_plex.episodes())
