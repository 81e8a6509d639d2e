"""No admin page shows a secret: every page of every model (lists, add, change, history, delete
confirmations, custom views) and the page after every admin action - when the fake Plex and fake
Tautulli answer, and when they refuse - is searched for the Plex token, the Tautulli API key and
the webhook secret. The webhook secret may appear only masked."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from connections.models import TautulliConnection
from tests.fakes.plex import FakePlex
from tests.fakes.tautulli import FakeTautulli
from tests.support import admin_pages, one_of_each

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(fake_plex: FakePlex, fake_tautulli: FakeTautulli) -> list:
    fake_plex.add_series("Harbour", episodes=2)
    return one_of_each(
        token=fake_plex.token,
        api_key=fake_tautulli.api_key,
        plex_url=fake_plex.url,
        tautulli_url=fake_tautulli.url,
    )


def secrets(fake_plex: FakePlex, fake_tautulli: FakeTautulli) -> list[str]:
    webhook = [t.webhook_secret for t in TautulliConnection.objects.all()]
    return [fake_plex.token, fake_tautulli.api_key, *webhook]


def assert_clean(text: str, secret_values: list[str], where: str) -> None:
    for secret in secret_values:
        assert secret not in text, f"{where} shows a secret"


def test_no_admin_page_shows_a_secret(
    admin_client: Client, objects: list, fake_plex: FakePlex, fake_tautulli: FakeTautulli
) -> None:
    pages = admin_pages(objects)
    assert len(pages) > 60
    hidden = secrets(fake_plex, fake_tautulli)
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        body = b"".join(response) if response.streaming else response.content
        assert_clean(body.decode(errors="replace"), hidden, url)

    tautulli = next(o for o in objects if isinstance(o, TautulliConnection))
    change = admin_client.get(
        reverse("admin:connections_tautulliconnection_change", args=[tautulli.pk])
    )
    assert "/webhooks/tautulli/***/" in change.content.decode()


def every_action(user: User, objects: list) -> list[tuple[object, str]]:
    """(object, action name) for every action every model admin offers."""
    request = RequestFactory().get("/admin/")
    request.user = user
    found = []
    for model, model_admin in admin.site._registry.items():
        target = next((o for o in objects if isinstance(o, model)), None)
        if target is not None:
            found += [(target, name) for name in model_admin.get_actions(request)]
    return found


def run_actions(
    client: Client, user: User, objects: list, hidden: list[str], when: str
) -> set[str]:
    ran = set()
    for obj, action in every_action(user, objects):
        meta = obj._meta  # type: ignore[attr-defined]
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        # Without "post": delete_selected shows its confirmation page and deletes nothing.
        response = client.post(
            url,
            {"action": action, "_selected_action": [obj.pk]},  # type: ignore[attr-defined]
            follow=True,
        )
        assert response.status_code == 200, (action, response.status_code)
        shown = response.content.decode()
        shown += "".join(m.message for m in response.context["messages"])
        assert_clean(shown, hidden + secrets_now(), f"{when}: the page after {action}")
        ran.add(f"{meta.model_name}.{action}")
    return ran


def secrets_now() -> list[str]:
    # Rotating the webhook secret makes a new one: it must not show either.
    return [t.webhook_secret for t in TautulliConnection.objects.all()]


def test_no_action_page_shows_a_secret(
    admin_client: Client,
    admin_user: User,
    objects: list,
    fake_plex: FakePlex,
    fake_tautulli: FakeTautulli,
) -> None:
    hidden = secrets(fake_plex, fake_tautulli)
    ran = run_actions(admin_client, admin_user, objects, hidden, "servers answering")
    assert {
        "plexconnection.test_connection",
        "tautulliconnection.create_agents",
        "tautulliconnection.send_test_notification",
        "tautulliconnection.rotate_webhook_secret",
        "titlecard.delete_selected",
    } <= ran

    # The same with Plex rejecting the token and Tautulli the key, then with both gone.
    fake_plex.revoke_token()
    fake_tautulli.api_key = "another-key-" + "x" * 20
    run_actions(admin_client, admin_user, objects, hidden, "keys rejected")
    fake_plex.refuse()
    fake_tautulli.stop()
    run_actions(admin_client, admin_user, objects, hidden, "servers gone")
    for url in admin_pages(objects):
        content = admin_client.get(url)
        body = b"".join(content) if content.streaming else content.content
        assert_clean(body.decode(errors="replace"), hidden + secrets_now(), url)
