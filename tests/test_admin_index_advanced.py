"""The admin's front page lists what a person running tcm uses, tcm's own models first; the
schedule's building blocks and user groups (Clocked, Crontabs, Intervals, Solar events, Groups)
wait under one folded "Advanced" section, still one click away, their pages unchanged."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Page

    Screenshot = Callable[[Page, str], Path]

ADVANCED = {
    "Clocked": "django_celery_beat_clockedschedule",
    "Crontabs": "django_celery_beat_crontabschedule",
    "Intervals": "django_celery_beat_intervalschedule",
    "Solar events": "django_celery_beat_solarschedule",
    "Groups": "auth_group",
}
EVERYDAY = {
    "Plex connections": "connections_plexconnection",
    "Tautulli connections": "connections_tautulliconnection",
    "Series": "cards_series",
    "Job runs": "cards_jobrun",
    "Periodic tasks": "django_celery_beat_periodictask",
    "Users": "auth_user",
}


def split_index(html: str) -> tuple[str, str]:
    """The front page's model list, and its Advanced section."""
    main, sep, advanced = html.partition('id="tcm-advanced"')
    assert sep, "no Advanced section"
    return main[main.index('id="content-main"') :], advanced


@pytest.mark.django_db
def test_the_front_page_keeps_the_advanced_models_out_of_the_way(admin_client: Client) -> None:
    main, advanced = split_index(admin_client.get(reverse("admin:index")).content.decode())

    for name, url in ADVANCED.items():
        link = reverse(f"admin:{url}_changelist")
        assert f'href="{link}"' not in main, name
        assert f'href="{link}"' in advanced, name
    for name, url in EVERYDAY.items():
        assert f'href="{reverse(f"admin:{url}_changelist")}"' in main, name
    # tcm's own apps come first, then the schedule and the users.
    headings = re.findall(r"<caption>\s*<a [^>]*>([^<]+)</a>", main)
    assert headings[:2] == ["Connections", "Title cards"], headings


@pytest.mark.django_db
@pytest.mark.parametrize("name", ADVANCED)
def test_the_advanced_pages_still_work(admin_client: Client, name: str) -> None:
    url = ADVANCED[name]
    assert admin_client.get(reverse(f"admin:{url}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{url}_add")).status_code == 200
    # The app's own page lists it too.
    app_label = "auth" if url.startswith("auth_") else "django_celery_beat"
    app_index = admin_client.get(reverse("admin:app_list", args=[app_label])).content.decode()
    assert reverse(f"admin:{url}_changelist") in app_index


@pytest.mark.slow
def test_advanced_opens_with_one_click(admin_page: Page, screenshot: Screenshot) -> None:
    page = admin_page
    page.goto("/admin/")
    crontabs = page.get_by_role("link", name="Crontabs", exact=True)
    page.locator("#tcm-advanced").scroll_into_view_if_needed()
    screenshot(page, "index-folded")
    assert not crontabs.is_visible()

    page.get_by_text("Advanced", exact=True).click()
    screenshot(page, "index-advanced-open")
    assert crontabs.is_visible()
    crontabs.click()
    page.wait_for_url("**/django_celery_beat/crontabschedule/")
