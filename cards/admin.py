"""Admin for series, episodes, cards, webhook events and job runs."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator

from .models import Episode, Font, JobRun, Series, TitleCard, WebhookEvent
from .views import requeue


@admin.register(Font)
class FontAdmin(admin.ModelAdmin):
    list_display = ("name", "file", "color", "size", "case")
    search_fields = ("name",)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "library", "connection", "card_type", "present")
    list_filter = ("connection", "library", "present")
    search_fields = ("title", "rating_key", "guid_tvdb", "guid_tmdb", "guid_imdb")


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "title", "watched", "present")
    list_filter = ("watched", "present", "series__connection")
    list_select_related = ("series",)
    search_fields = ("title", "series__title", "rating_key")
    raw_id_fields = ("series",)


@admin.register(TitleCard)
class TitleCardAdmin(admin.ModelAdmin):
    list_display = ("episode", "state", "style", "rendered_at", "uploaded_at")
    list_filter = ("state",)
    list_select_related = ("episode__series",)
    search_fields = ("episode__title", "episode__series__title")
    raw_id_fields = ("episode",)


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """What Tautulli posted and what became of it. Events arrive only through the webhook."""

    list_display = (
        "received_at",
        "connection",
        "event",
        "rating_key",
        "status",
        "attempts",
        "duplicate_of",
        "short_error",
    )
    list_filter = ("status", "event", "connection")
    list_select_related = ("connection",)
    search_fields = ("rating_key",)
    date_hierarchy = "received_at"
    actions = ("process_again",)
    readonly_fields = [f.name for f in WebhookEvent._meta.fields if f.name != "payload"] + [
        "payload_json"
    ]
    exclude = ("payload",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="last error")
    def short_error(self, obj: WebhookEvent) -> str:
        return Truncator(obj.last_error).chars(80)

    @admin.display(description="payload")
    def payload_json(self, obj: WebhookEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False))

    @admin.action(description="Process again (pending or failed events)")
    def process_again(self, request: HttpRequest, queryset: QuerySet[WebhookEvent]) -> None:
        queued = requeue(queryset)
        skipped = queryset.count() - queued
        text = f"{queued} event(s) queued again."
        if skipped:
            text += f" {skipped} skipped: only pending or failed events are processed again."
        self.message_user(request, text, messages.SUCCESS if queued else messages.WARNING)


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("job", "status", "started_at", "finished_at", "progress_done", "progress_total")
    list_filter = ("job", "status")
    readonly_fields = [f.name for f in JobRun._meta.fields]
