"""Series and episodes come from Plex (a library sync makes them): the admin offers no way to add
one by hand, which could only end in a broken row or a server error."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

FROM_PLEX = ("series", "episode")


@pytest.mark.parametrize("model", FROM_PLEX)
def test_there_is_no_add_page_for_what_plex_provides(admin_client: Client, model: str) -> None:
    url = reverse(f"admin:cards_{model}_add")

    assert admin_client.get(url).status_code == 403
    # A post made anyway (an old bookmark, a script) is refused the same way, not a 500.
    assert admin_client.post(url, {"title": "Made up"}).status_code == 403


@pytest.mark.parametrize("page", ["admin:index", "admin:app_list"])
def test_the_model_lists_offer_no_add_link_for_them(admin_client: Client, page: str) -> None:
    args = ["cards"] if page == "admin:app_list" else []
    html = admin_client.get(reverse(page, args=args)).content.decode()

    for model in FROM_PLEX:
        assert reverse(f"admin:cards_{model}_changelist") in html  # still listed
        assert reverse(f"admin:cards_{model}_add") not in html
    assert reverse("admin:cards_font_add") in html  # fonts are made by hand


@pytest.mark.parametrize("model", FROM_PLEX)
def test_their_list_has_no_add_button(admin_client: Client, model: str) -> None:
    html = admin_client.get(reverse(f"admin:cards_{model}_changelist")).content.decode()

    assert reverse(f"admin:cards_{model}_add") not in html
