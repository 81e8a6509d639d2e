"""The watched policy in a real browser: on the Plex connection's form a person picks the policy
and ticks users by name from Tautulli's list (the ids are stored), a policy about chosen users
without any is refused naming the field, and the episode's page says who watched and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cards.keys import process_rating_key
from cards.models import Episode
from cards.sync import refresh_watched
from connections.models import PlexConnection, TautulliConnection
from tests.support import submit, without_type_pictures

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Page

    Screenshot = Callable[[Page, str], Path]

pytestmark = pytest.mark.slow

OWNER, SAM, ALEX = 1001, 2002, 3003


def test_a_person_picks_the_policy_and_users_by_name(
    admin_page: Page, fake_plex, fake_tautulli, screenshot: Screenshot
) -> None:
    plex = PlexConnection.objects.create(name="home plex", url=fake_plex.url, token=fake_plex.token)
    TautulliConnection.objects.create(
        name="tautulli", url=fake_tautulli.url, api_key=fake_tautulli.api_key, plex=plex
    )
    fake_tautulli.add_user(OWNER, "owner", is_admin=True)
    fake_tautulli.add_user(SAM, "Sam")
    fake_tautulli.add_user(ALEX, "Alex")
    page = admin_page
    without_type_pictures(page)
    page.goto(f"/admin/connections/plexconnection/{plex.pk}/change/")

    labels = page.locator("#id_watched_users label").all_inner_texts()
    assert [t.strip() for t in labels] == ["Alex", "owner (owner)", "Sam"]
    page.select_option("#id_watched_policy", "all_chosen")
    submit(page, "input[name=_continue]")
    page.wait_for_load_state()
    error = page.locator(".field-watched_users .errorlist").inner_text()
    assert "Choose at least one user" in error
    screenshot(page, "policy-without-users")

    page.check("#id_watched_users label:has-text('Sam') input")
    page.check("#id_watched_users label:has-text('Alex') input")
    page.locator("fieldset:has(#id_watched_policy)").scroll_into_view_if_needed()
    screenshot(page, "policy-with-users")
    submit(page, "input[name=_continue]")
    page.wait_for_url("**/change/")

    plex.refresh_from_db()
    assert (plex.watched_policy, sorted(plex.watched_users)) == ("all_chosen", [SAM, ALEX])


def test_the_episode_page_says_who_watched_and_why(
    admin_page: Page, fake_plex, fake_tautulli, screenshot: Screenshot
) -> None:
    plex = PlexConnection.objects.create(
        name="home plex",
        url=fake_plex.url,
        token=fake_plex.token,
        watched_policy="any_chosen",
        watched_users=[SAM],
    )
    TautulliConnection.objects.create(
        name="tautulli", url=fake_tautulli.url, api_key=fake_tautulli.api_key, plex=plex
    )
    fake_tautulli.add_user(OWNER, "owner", is_admin=True)
    fake_tautulli.add_user(SAM, "Sam")
    show = fake_plex.add_series("Harbour", episodes=1)
    [key] = fake_plex.episodes(show)
    process_rating_key(plex, str(show))
    fake_tautulli.play(SAM, key, show=show)
    refresh_watched(plex)
    episode = Episode.objects.get()
    process_rating_key(plex, str(key))

    page = admin_page
    without_type_pictures(page)
    page.goto(f"/admin/cards/episode/{episode.pk}/change/")
    screenshot(page, "episode-watched-by")

    assert page.locator(".field-watched_by .readonly").inner_text() == "Sam"
    why = page.locator(".field-watched_why .readonly").inner_text()
    assert why == "Watched: the policy needs any of Sam; watched by Sam."


def test_the_front_page_says_when_tautulli_could_not_be_read(
    admin_page: Page, fake_plex, fake_tautulli, screenshot: Screenshot
) -> None:
    plex = PlexConnection.objects.create(
        name="home plex",
        url=fake_plex.url,
        token=fake_plex.token,
        watched_policy="any_chosen",
        watched_users=[SAM],
    )
    TautulliConnection.objects.create(
        name="tautulli", url=fake_tautulli.url, api_key=fake_tautulli.api_key, plex=plex
    )
    fake_plex.add_series("Harbour", episodes=1)
    fake_tautulli.stop()
    refresh_watched(plex)

    page = admin_page
    page.goto("/admin/")
    warning = page.locator("#tcm-connections .tcm-watched-fallback")
    warning.scroll_into_view_if_needed()
    screenshot(page, "front-page-tautulli-unreadable")

    text = warning.inner_text()
    assert "Tautulli could not be read" in text and "changes no card's style" in text
    assert warning.is_visible()
