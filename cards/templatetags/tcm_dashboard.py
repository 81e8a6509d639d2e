"""{% tcm_dashboard %}: the dashboard on the admin front page (templates/admin/index.html)."""

from __future__ import annotations

from django import template

from cards import dashboard

register = template.Library()


@register.inclusion_tag("cards/dashboard.html", takes_context=True)
def tcm_dashboard(context: template.Context) -> dict:
    user = context["request"].user
    # Like the model list beside it: only for those allowed to look at tcm's data.
    if not user.has_module_perms("cards"):
        return {"hidden": True}
    return dashboard.context()
