"""A series' Pictures section in a real browser: a file that is not a picture is refused beside
its own field, a real logo is saved, and the section says what Plex has; an episode whose
thumbnail was chosen in Plex shows so in the episode list."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cards.models import Series, TitleCard
from tests.fakes.plex import make_logo
from tests.support import submit, without_type_pictures

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Page

    Screenshot = Callable[[Page, str], Path]

pytestmark = pytest.mark.slow


def test_the_pictures_section_refuses_a_bad_file_and_saves_a_logo(
    admin_page: Page, screenshot: Screenshot, tmp_path: Path, plex_connection
) -> None:
    series = Series.objects.create(
        connection=plex_connection,
        rating_key="10",
        title="Harbour",
        art="/library/metadata/10/art/1",
        thumb="/library/metadata/10/thumb/1",
    )
    notes = tmp_path / "logo.png"
    notes.write_text("not a picture\n")
    logo = tmp_path / "harbour-logo.png"
    logo.write_bytes(make_logo(7))
    page = admin_page
    without_type_pictures(page)
    page.goto(f"/admin/cards/series/{series.pk}/change/")
    assert (
        "poster, background art; no logo" in page.locator(".field-pictures_from_plex").inner_text()
    )

    page.set_input_files("#id_logo_upload", str(notes))
    submit(page, "input[name=_continue]")
    screenshot(page, "series-pictures-refused")
    error = page.locator(".field-logo_upload .errorlist").inner_text()
    assert "logo is not an image" in error and "“logo.png”" in error
    assert page.locator(".field-poster_upload .errorlist").count() == 0

    page.set_input_files("#id_logo_upload", str(logo))
    submit(page, "input[name=_continue]")
    screenshot(page, "series-pictures-saved")
    assert page.locator(".messagelist .success").is_visible()
    series.refresh_from_db()
    assert series.logo_upload.name.startswith("series/logos/harbour-logo")


def test_a_kept_thumbnail_shows_in_the_episode_list(
    admin_page: Page, screenshot: Screenshot, fake_plex, plex_connection
) -> None:
    from cards.keys import process_rating_key

    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    fake_plex.choose_poster(key, fake_plex.add_poster(key))
    process_rating_key(plex_connection, str(key))
    assert TitleCard.objects.get().state == "kept"

    page = admin_page
    page.goto("/admin/cards/episode/")
    screenshot(page, "episode-kept")
    assert "kept: the thumbnail was chosen in Plex" in page.locator("#result_list").inner_text()
    page.click("text=kept: chosen in Plex")  # the list's filter
    page.wait_for_url("**card=kept**")
    page.wait_for_load_state()
    assert page.locator("#result_list tbody tr").count() == 1
    options = page.locator("select[name=action] option").all_inner_texts()
    assert "Take over the thumbnail (replace one chosen in Plex)" in options
    assert "Restore originals (turns the series' cards off)" in options
