"""Admin for series, episodes, cards, webhook events and job runs."""

from __future__ import annotations

from django.contrib import admin

from .models import Episode, Font, JobRun, Series, TitleCard, WebhookEvent


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
    list_display = ("received_at", "connection", "event", "rating_key", "status", "attempts")
    list_filter = ("status", "event", "connection")
    search_fields = ("rating_key",)
    readonly_fields = [f.name for f in WebhookEvent._meta.fields]


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("job", "status", "started_at", "finished_at", "progress_done", "progress_total")
    list_filter = ("job", "status")
    readonly_fields = [f.name for f in JobRun._meta.fields]
