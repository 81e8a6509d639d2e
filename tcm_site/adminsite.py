"""tcm's admin site: tcm's own apps first on the front page, and the models a person running tcm
rarely needs (the schedule's building blocks, user groups) folded under "Advanced" there,
their pages unchanged."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.template.response import TemplateResponse

# The front page's order; apps not named follow in the admin's own (alphabetical) order.
APP_ORDER = ("connections", "cards", "django_celery_beat", "auth")
# (app label, model) of what the front page folds away. The periodic tasks use the schedules
# (django-celery-beat's intervals, crontabs, solar events, clocked times) and are edited
# themselves; groups matter only with several staff users.
ADVANCED = {
    ("django_celery_beat", "ClockedSchedule"),
    ("django_celery_beat", "CrontabSchedule"),
    ("django_celery_beat", "IntervalSchedule"),
    ("django_celery_beat", "SolarSchedule"),
    ("auth", "Group"),
}


def split_advanced(app_list: list[dict]) -> tuple[list[dict], list[dict]]:
    """The app list as (everyday, advanced): each app with its models of each kind, and only
    the apps that have any."""
    everyday: list[dict] = []
    advanced: list[dict] = []
    for app in app_list:
        for target, wanted in ((everyday, False), (advanced, True)):
            models = [
                m
                for m in app["models"]
                if ((app["app_label"], m["object_name"]) in ADVANCED) is wanted
            ]
            if models:
                target.append({**app, "models": models})
    return everyday, advanced


class TcmAdminSite(admin.AdminSite):
    site_header = "tcm — title cards for Plex"
    site_title = "tcm"
    index_title = "Title cards"

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        rank = {label: n for n, label in enumerate(APP_ORDER)}
        apps = super().get_app_list(request, app_label)
        return sorted(apps, key=lambda app: rank.get(app["app_label"], len(rank)))

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        response = super().index(request, extra_context)
        context = response.context_data
        assert context is not None  # a TemplateResponse, not rendered yet
        everyday, advanced = split_advanced(context["app_list"])
        context.update(app_list=everyday, advanced_apps=advanced)
        return response


class TcmAdminConfig(AdminConfig):
    default_site = "tcm_site.adminsite.TcmAdminSite"
