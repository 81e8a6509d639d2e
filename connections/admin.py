"""Admin for the Plex and Tautulli connections. Actions are thin: they call model methods or the
service clients and report with message_user."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from celery import Task
from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import escape, format_html

from cards import tasks
from cards.models import Episode
from cards.preview_admin import LivePreview
from cards.restore import request_restore
from tcm_site.fields import SecretKeepingForm

from . import agents
from .forms import PlexConnectionForm, preview_slug
from .models import PlexConnection, TautulliConnection
from .plex import PlexError
from .tautulli import TautulliError

T = TypeVar("T")


def remove_agents_before_delete(
    model_admin: admin.ModelAdmin, request: HttpRequest, connections: Iterable[TautulliConnection]
) -> None:
    """Take a connection's agents off Tautulli before the connection is deleted.

    Left there, they would post every new episode to a webhook URL that now answers 404, and
    with the connection gone tcm would no longer know their ids to remove them. The delete goes
    ahead either way (it is what the user asked for); when Tautulli cannot be reached, the
    message names the agents to delete by hand.
    """
    for connection in connections:
        names = connection.agent_names()
        if not names:
            continue
        try:
            result = connection.remove_agents()
        except TautulliError as exc:
            model_admin.message_user(
                request,
                f"{connection}: its notification agents {', '.join(names)} could not be removed "
                f"from Tautulli ({exc}). Delete them in Tautulli under Settings → Notification "
                "Agents: they post to a webhook URL that no longer works.",
                messages.WARNING,
            )
            continue
        if result.removed:
            model_admin.message_user(request, f"{connection}: {result.summary()}", messages.SUCCESS)


# A change to these starts the sync-and-render job when the connection is saved.
FIRST_SYNC_FIELDS = {
    *("url", "token", "enabled", "libraries"),
    *("card_type", "watched_style", "unwatched_style", "font"),
}


@admin.register(PlexConnection)
class PlexConnectionAdmin(LivePreview, admin.ModelAdmin):
    form = PlexConnectionForm
    list_display = ("name", "url", "server_name", "enabled", "last_checked_at", "health")
    list_filter = ("enabled",)
    search_fields = ("name", "url", "server_name")
    actions = (
        "test_connection",
        "sync_now",
        "refresh_watched_now",
        "verify_cards",
        "restore_originals",
    )
    readonly_fields = (
        "server_name",
        "server_version",
        "last_checked_at",
        "last_error",
        "auth_failed_at",
        "watched_fallback",
        "watched_fallback_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "url", "token", "verify_tls", "timeout", "enabled")}),
        (
            "Libraries and uploads",
            {
                "fields": (
                    "libraries",
                    "new_series_cards",
                    "upload_limit",
                    "label",
                    "work_with_kometa",
                    "keep_local_artwork",
                )
            },
        ),
        (
            "Default card settings",
            {
                "fields": (
                    "card_type",
                    "watched_style",
                    "unwatched_style",
                    "font",
                    "title_format",
                    "episode_text_format",
                    "season_text_format",
                )
            },
        ),
        ("Whose watching counts", {"fields": ("watched_policy", "watched_users")}),
        ("Status", {"fields": readonly_fields}),
    )

    def get_urls(self) -> list:
        preview = path(
            "style-preview/<slug:style>.jpg",
            self.admin_site.admin_view(self.style_preview),
            name="connections_plexconnection_style_preview",
        )
        return [preview, *super().get_urls()]

    def style_preview(self, request: HttpRequest, style: str) -> HttpResponse:
        """A sample card in one style, for the style choices on the form."""
        from cards.render.previews import style_previews

        previews = {preview_slug(name): data for name, data in style_previews().items()}
        if style not in previews:
            raise Http404("No such style.")
        response = HttpResponse(previews[style], content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=86400"
        return response

    def apply_settings(self, request: HttpRequest, obj: PlexConnection) -> str:
        # The cards these settings change are the outdated ones: the due-cards job finds them
        # by their fingerprint and queues them.
        tasks.dispatch(tasks.render_due_cards)
        return "“Render and upload due cards” queued for the cards these settings change"

    @admin.display(description="health")
    def health(self, obj: PlexConnection) -> str:
        if obj.auth_failed_at:
            return "token rejected"
        if obj.last_error:
            return "error"
        return "ok" if obj.last_checked_at else "not checked"

    # Deleting a Plex connection deletes its Tautulli connections with it (CASCADE): their
    # agents come off Tautulli first, as when a Tautulli connection is deleted itself.
    def delete_model(self, request: HttpRequest, obj: PlexConnection) -> None:
        remove_agents_before_delete(self, request, obj.tautulli_connections.all())
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PlexConnection]) -> None:
        remove_agents_before_delete(
            self, request, TautulliConnection.objects.filter(plex__in=queryset)
        )
        super().delete_queryset(request, queryset)

    def save_model(
        self, request: HttpRequest, obj: PlexConnection, form: forms.ModelForm, change: bool
    ) -> None:
        if change and {"token", "url"} & set(form.changed_data):
            # A new token (or server) deserves a new chance: work for it resumes.
            obj.auth_failed_at = None
            obj.last_error = ""
        super().save_model(request, obj, form, change)
        # A new connection (other libraries, other card settings) gets its cards at once, not
        # at the schedule's next run hours later: tested first, so that a typo is said now.
        if obj.enabled and (not change or FIRST_SYNC_FIELDS & set(form.changed_data)):
            transaction.on_commit(lambda: self._first_sync(request, obj))

    def _first_sync(self, request: HttpRequest, obj: PlexConnection) -> None:
        try:
            info = obj.test()
        except PlexError as exc:
            self.message_user(
                request,
                f"{obj}: saved, but Plex did not answer the test: {exc} Nothing was synced; "
                "correct the connection and save it again (or run “Test connection”).",
                messages.ERROR,
            )
            return
        tasks.sync_and_render.delay(obj.pk)
        libraries = ", ".join(obj.library_names()) or ", ".join(info.tv_libraries) or "none"
        self.message_user(
            request,
            format_html(
                "{}: connected to “{}”. tcm now reads its TV libraries ({}), then renders and "
                "uploads every card that is missing or outdated, in one job: "
                '<a href="{}">its progress is on the dashboard</a>.',
                obj,
                info.name,
                libraries,
                reverse("admin:index"),
            ),
            messages.SUCCESS,
        )

    @admin.action(description="Test connection")
    def test_connection(self, request: HttpRequest, queryset: QuerySet[PlexConnection]) -> None:
        for connection in queryset:
            try:
                info = connection.test()
            except PlexError as exc:
                self.message_user(request, f"{connection}: {exc}", messages.ERROR)
                continue
            libraries = ", ".join(info.tv_libraries) or "none"
            self.message_user(
                request,
                f"{connection}: connected to “{info.name}” (Plex {info.version}). "
                f"TV libraries: {libraries}.",
                messages.SUCCESS,
            )
            wanted = connection.library_names()
            missing = [
                n for n in wanted if n.casefold() not in {t.casefold() for t in info.tv_libraries}
            ]
            if missing:
                self.message_user(
                    request,
                    f"{connection}: no TV library named {', '.join(missing)} on this server.",
                    messages.WARNING,
                )

    @admin.action(description="Sync now")
    def sync_now(self, request: HttpRequest, queryset: QuerySet[PlexConnection]) -> None:
        self._queue(
            request,
            queryset,
            tasks.sync_and_render,
            "reads its libraries from Plex, then renders and uploads every card that is missing "
            "or outdated",
        )

    @admin.action(description="Refresh watched state now")
    def refresh_watched_now(self, request: HttpRequest, queryset: QuerySet[PlexConnection]) -> None:
        self._queue(
            request,
            queryset,
            tasks.refresh_watched,
            "reads every episode's watched state from Plex, and renders again each card whose "
            "style must change",
        )

    @admin.action(description="Check cards on Plex (upload again where Plex lost them)")
    def verify_cards(self, request: HttpRequest, queryset: QuerySet[PlexConnection]) -> None:
        self._queue(
            request,
            queryset,
            tasks.verify_cards,
            "checks that Plex still shows every card it uploaded, and uploads again the ones "
            "Plex lost",
        )

    @admin.action(description="Restore originals (turns cards off for every series)")
    def restore_originals(self, request: HttpRequest, queryset: QuerySet[PlexConnection]) -> None:
        request_restore(Episode.objects.filter(connection__in=queryset))
        self._queue(request, queryset, tasks.restore_connection, "Restore originals")

    def _queue(
        self, request: HttpRequest, queryset: QuerySet[PlexConnection], task: Task, what: str
    ) -> None:
        for connection in queryset:
            tasks.dispatch(task, connection.pk)
        names = ", ".join(str(c) for c in queryset)
        self.message_user(
            request,
            format_html(
                "{}: tcm {}. It starts within seconds, as soon as a worker is free: "
                '<a href="{}">its progress is on the dashboard</a>.',
                names,
                what,
                reverse("admin:index"),
            ),
            messages.SUCCESS,
        )


WATCHED_THRESHOLD_ADVICE = (
    "Tautulli posts “watched” when playback passes its Settings → General → “TV Episode Watched "
    "Percent” (85 % by default); Plex marks the episode watched only at its own Settings → "
    "Library → “Video played threshold” (90 % by default). Set Tautulli's value 1-2 % above "
    "Plex's (e.g. 91 % for Plex's 90 %), so that Plex already agrees when the post arrives. "
    "tcm re-checks Plex for up to 15 minutes either way, so the card ends up right even when "
    "the two settings differ; it only takes longer."
)


@admin.register(TautulliConnection)
class TautulliConnectionAdmin(admin.ModelAdmin):
    form = SecretKeepingForm
    list_display = ("name", "url", "plex", "agents", "last_webhook_at", "last_test_at", "health")
    list_select_related = ("plex",)
    search_fields = ("name", "url")
    actions = (
        "create_agents",
        "remove_agents",
        "send_test_notification",
        "rotate_webhook_secret",
    )
    readonly_fields = (
        "webhook_url",
        "created_agent_id",
        "watched_agent_id",
        "plex_up_agent_id",
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
            {
                "fields": (
                    "tcm_url",
                    "webhook_url",
                    "agent_name",
                    "trigger_on_watched",
                    "username",
                    "trigger_on_plex_up",
                ),
                # The admin puts a description into the page as HTML: escaped, the
                # placeholder shows as text instead of vanishing as an unknown tag.
                "description": escape(
                    "The action “Create notification agents” sets up Webhook agents in "
                    "Tautulli (“<agent name> - Recently Added”, “<agent name> - Watched” and "
                    "“<agent name> - Plex back up”) that post to tcm; running it again repairs "
                    "them. Deleting this connection "
                    "removes them from Tautulli. " + WATCHED_THRESHOLD_ADVICE
                ),
            },
        ),
        ("Status", {"fields": readonly_fields[1:]}),
    )

    @admin.display(description="health")
    def health(self, obj: TautulliConnection) -> str:
        return "error" if obj.last_error else "ok"

    @admin.display(description="agents")
    def agents(self, obj: TautulliConnection) -> str:
        count = sum(1 for i in (obj.created_agent_id, obj.watched_agent_id) if i)
        return f"{count} on Tautulli" if count else "none"

    def response_add(
        self, request: HttpRequest, obj: TautulliConnection, post_url_continue: str | None = None
    ) -> HttpResponse:
        response = super().response_add(request, obj, post_url_continue)
        self._warn_about_tcm_url(request, obj)
        return response

    def response_change(self, request: HttpRequest, obj: TautulliConnection) -> HttpResponse:
        response = super().response_change(request, obj)
        self._warn_about_tcm_url(request, obj)
        return response

    def delete_model(self, request: HttpRequest, obj: TautulliConnection) -> None:
        remove_agents_before_delete(self, request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TautulliConnection]) -> None:
        remove_agents_before_delete(self, request, queryset)
        super().delete_queryset(request, queryset)

    def _warn_about_tcm_url(self, request: HttpRequest, obj: TautulliConnection) -> None:
        # After the save, and after Django's "was changed successfully": a warning, not a form
        # error, because a local address is right when Tautulli runs on this machine outside any
        # container, and a missing one can still come from TCM_PUBLIC_URL later.
        for warning in agents.url_warnings(obj):
            self.message_user(request, f"{obj}: {warning}", messages.WARNING)

    @admin.display(description="webhook URL")
    def webhook_url(self, obj: TautulliConnection) -> str:
        # Never the secret itself: tcm writes it into Tautulli's agents, nobody has to copy it.
        if not obj.pk:
            return "-"
        if not obj.effective_tcm_url():
            return "- (set the tcm URL, or TCM_PUBLIC_URL)"
        return f"{obj.masked_webhook_url()}  (*** is the connection's secret)"

    @admin.action(description="Create notification agents")
    def create_agents(self, request: HttpRequest, queryset: QuerySet[TautulliConnection]) -> None:
        for connection in queryset:
            ok, result = self._contact(request, connection, connection.create_agents)
            if ok:
                self.message_user(request, f"{connection}: {result.summary()}", messages.SUCCESS)
                for warning in result.warnings:
                    self.message_user(request, f"{connection}: {warning}", messages.WARNING)

    @admin.action(description="Remove notification agents")
    def remove_agents(self, request: HttpRequest, queryset: QuerySet[TautulliConnection]) -> None:
        for connection in queryset:
            ok, result = self._contact(request, connection, connection.remove_agents)
            if ok:
                text = result.summary() if result.removed else "no notification agents to remove."
                self.message_user(request, f"{connection}: {text}", messages.SUCCESS)

    @admin.action(description="Send test notification")
    def send_test_notification(
        self, request: HttpRequest, queryset: QuerySet[TautulliConnection]
    ) -> None:
        for connection in queryset:
            ok, latency = self._contact(request, connection, connection.send_test_notification)
            if ok:
                took = f" after {latency} ms" if latency is not None else ""
                self.message_user(
                    request,
                    f"{connection}: tcm received Tautulli's test notification{took}.",
                    messages.SUCCESS,
                )

    @admin.action(description="Rotate webhook secret")
    def rotate_webhook_secret(
        self, request: HttpRequest, queryset: QuerySet[TautulliConnection]
    ) -> None:
        for connection in queryset:
            try:
                result = connection.rotate_webhook_secret_on_tautulli()
            except TautulliError as exc:
                self.message_user(
                    request,
                    f"{connection}: the webhook secret was not changed, because the agents on "
                    f"Tautulli could not be updated to the new one: {exc}",
                    messages.ERROR,
                )
                continue
            self.message_user(
                request,
                f"{connection}: new webhook secret; {result.summary()} The old webhook URL no "
                "longer works.",
                messages.SUCCESS,
            )

    def _contact(
        self, request: HttpRequest, connection: TautulliConnection, work: Callable[[], T]
    ) -> tuple[bool, T | None]:
        """Run `work`; a failure becomes one error message naming the connection."""
        try:
            return True, work()
        except TautulliError as exc:
            hint = " This can be temporary: try again in a moment." if exc.transient else ""
            self.message_user(request, f"{connection}: {exc}{hint}", messages.ERROR)
            return False, None
