from __future__ import annotations

from django.urls import re_path

from . import views

urlpatterns = [
    # With or without the trailing slash: a redirect would turn Tautulli's POST into a GET.
    re_path(
        r"^webhooks/tautulli/(?P<secret>[^/]+)/?$",
        views.tautulli_webhook,
        name="tautulli-webhook",
    ),
]
