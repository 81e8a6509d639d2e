"""README's "Admin actions" table names every action of tcm's admin (a person reads what an
action does before pressing it)."""

from __future__ import annotations

from django.contrib import admin
from django.test import RequestFactory

from tests.support import ROOT


def test_every_admin_action_is_in_the_readme(admin_user) -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Admin actions") :]
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    missing = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("cards", "connections"):
            continue
        for name, (_func, _name, description) in model_admin.get_actions(request).items():
            if name == "delete_selected":
                continue
            if f"| {description} " not in table:
                missing.append(f"{model.__name__}: {description}")
    assert not missing, missing
