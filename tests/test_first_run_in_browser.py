"""The first run, as a new user meets it, in a real browser against a real `./tcm run` (web
server, worker and beat on a fresh data dir, no Redis: the embedded broker) and the fake Plex:
log in, add a Plex connection and nothing else, see the job's progress, see the cards land on
Plex; change the unwatched style and see the cards change; mark an episode watched on Plex,
press "Refresh watched state now" and see its new card.

Each step's screenshot is kept (the test's tmp dir, or $TCM_SCREENSHOTS). The time from saving
the connection to the last card on Plex is printed, not asserted (measured, README's "First
steps" quotes it)."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image, ImageStat

from tests.support import BROWSER_VIEWPORT, log_in, submit, tcm_run, wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.fakes.plex import FakePlex

    Screenshot = Callable[[Page, str], Path]

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

PASSWORD = "first-run-pw-2718"  # tcm_env's TCM_ADMIN_PASSWORD


@pytest.fixture
def running_tcm(tmp_path: Path) -> Iterator[str]:
    """`./tcm run` on a fresh data dir; its URL."""
    with tcm_run(tmp_path / "data") as running:
        yield running.url


def colourfulness(data: bytes) -> float:
    """How far apart a picture's channels are, on average over its pixels: 0 when grey."""
    image = Image.open(io.BytesIO(data)).convert("RGB").resize((192, 108))
    saturation = image.convert("HSV").getchannel("S")
    return ImageStat.Stat(saturation).mean[0]


def test_a_new_user_gets_cards_on_plex_without_another_click(
    browser: Browser, running_tcm: str, fake_plex: FakePlex, screenshot: Screenshot
) -> None:
    show = fake_plex.add_series("Harbour", seasons=2, episodes=3)
    episodes = fake_plex.episodes(show)
    context = browser.new_context(
        base_url=running_tcm, viewport=BROWSER_VIEWPORT, color_scheme="light"
    )
    context.set_default_timeout(20_000)
    page = context.new_page()

    log_in(page, "admin", PASSWORD)
    screenshot(page, "01-dashboard-fresh")

    page.goto("/admin/connections/plexconnection/add/")
    page.fill("#id_name", "home plex")
    page.fill("#id_url", fake_plex.url)
    page.fill("#id_token", fake_plex.token)
    screenshot(page, "02-add-plex")
    saved_at = time.monotonic()
    submit(page)
    page.wait_for_url("**/plexconnection/")
    message = page.locator(".messagelist .success", has_text="renders and uploads")
    assert "connected to" in message.inner_text()
    screenshot(page, "03-saved")

    message.locator("a", has_text="progress").click()
    page.wait_for_url("**/admin/")
    # The page refreshes itself as the job starts (the worker may take a moment to take it).
    page.get_by_text("Sync and render cards: home plex").first.wait_for(timeout=30_000)
    screenshot(page, "04-progress")

    def all_on_plex(uploads: int) -> Callable[[], bool]:
        return lambda: all(len(fake_plex.uploads(key)) >= uploads for key in episodes)

    wait_until(all_on_plex(1), timeout=120, what="every card on Plex")
    took = time.monotonic() - saved_at
    print(f"\nfirst run: {len(episodes)} cards on Plex {took:.1f} s after saving the connection")
    page.reload()
    screenshot(page, "05-cards-on-plex")
    # Unwatched: blurred, in colour.
    assert all(colourfulness(fake_plex.thumb_bytes(key)) > 20 for key in episodes)

    page.goto("/admin/connections/plexconnection/")
    page.click("text=home plex")
    page.click("label[for=id_unwatched_style_3]")  # blur grayscale
    assert page.locator("#id_unwatched_style_3").is_checked()
    screenshot(page, "06-unwatched-style")
    submit(page)
    page.wait_for_url("**/plexconnection/")
    wait_until(all_on_plex(2), timeout=120, what="every card again, in blur grayscale")
    assert all(colourfulness(fake_plex.thumb_bytes(key)) < 3 for key in episodes)

    watched = episodes[0]
    fake_plex.mark_watched(watched)  # by hand in Plex: nothing tells tcm
    page.goto("/admin/connections/plexconnection/")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "refresh_watched_now")
    page.click("button[name=index]")
    page.wait_for_url("**/plexconnection/")
    assert page.locator(".messagelist .success", has_text="watched state").count() == 1
    screenshot(page, "07-refresh-watched")
    wait_until(lambda: len(fake_plex.uploads(watched)) == 3, timeout=120, what="the watched card")
    # Watched: the unique style, the still in colour; the others stay grey.
    assert colourfulness(fake_plex.thumb_bytes(watched)) > 20
    assert all(colourfulness(fake_plex.thumb_bytes(key)) < 3 for key in episodes[1:])
    page.goto("/admin/")
    folder = screenshot(page, "08-dashboard-after").parent
    # The cards as Plex shows them, beside the screenshots.
    for name, key in (("09-card-watched", watched), ("10-card-unwatched", episodes[1])):
        card = Image.open(io.BytesIO(fake_plex.thumb_bytes(key) or b""))
        card.resize((960, 540)).save(folder / f"{name}.png")
    context.close()
