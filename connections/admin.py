"""Admin for the Plex and Tautulli connections. Actions are thin: they call model methods or the
service clients and report with message_user."""

from __future__ import annotations

from django.contrib import admin

from tcm_site.fields import SecretKeepingForm

from .models import PlexConnection, TautulliConnection


@admin.register(PlexConnection)
class PlexConnectionAdmin(admin.ModelAdmin):
    form = SecretKeepingForm
    list_display = ("name", "url", "server_name", "enabled", "last_checked_at", "health")
    list_filter = ("enabled",)
    search_fields = ("name", "url", "server_name")
    readonly_fields = (
        "server_name",
        "server_version",
        "last_checked_at",
        "last_error",
        "auth_failed_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "url", "token", "verify_tls", "timeout", "enabled")}),
        ("Libraries and uploads", {"fields": ("libraries", "upload_limit", "label")}),
        (
            "Default card settings",
            {"fields": ("card_type", "watched_style", "unwatched_style", "font")},
        ),
        ("Status", {"fields": readonly_fields}),
    )

    @admin.display(description="health")
    def health(self, obj: PlexConnection) -> str:
        if obj.auth_failed_at:
            return "token rejected"
        if obj.last_error:
            return "error"
        return "ok" if obj.last_checked_at else "not checked"


@admin.register(TautulliConnection)
class TautulliConnectionAdmin(admin.ModelAdmin):
    form = SecretKeepingForm
    list_display = ("name", "url", "plex", "last_webhook_at", "last_test_at", "health")
    list_select_related = ("plex",)
    search_fields = ("name", "url")
    readonly_fields = (
        "created_agent_id",
        "watched_agent_id",
        "last_webhook_at",
        "test_requested_at",
        "last_test_at",
        "last_test_latency_ms",
        "last_error",
    )
    fieldsets = (
        (None, {"fields": ("name", "url", "api_key", "plex", "verify_tls", "timeout")}),
        (
            "Notification agents",
            {"fields": ("tcm_url", "agent_name", "trigger_on_watched", "username")},
        ),
        ("Status", {"fields": readonly_fields}),
    )

    @admin.display(description="health")
    def health(self, obj: TautulliConnection) -> str:
        return "error" if obj.last_error else "ok"
