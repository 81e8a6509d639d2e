"""Admin for series, episodes, cards, webhook events and job runs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from celery import Task
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from . import dashboard, restore, tasks, thumbs, timeline
from .filters import filter_operations
from .forms import CardOptionsMixin
from .jobs import JOBS
from .looks import card_settings
from .models import (
    Episode,
    Font,
    JobRun,
    SeasonTitle,
    Series,
    Template,
    TemplateFilter,
    TitleCard,
    WebhookEvent,
)
from .preview_admin import LivePreview
from .watched import explain


def _card_types_or_inherit() -> list[tuple[str, str]]:
    # Asked when a form is built, so the list always matches the renderer's registry.
    from .render import card_type_choices

    return [("", "inherit"), *card_type_choices()]


class InheritYesNo(forms.NullBooleanSelect):
    """A hide flag: unset inherits (from the template), or yes / no."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", "inherit"), ("true", "yes"), ("false", "no")]


class CardOverridesForm(CardOptionsMixin):
    """Series, episodes and templates: the card type is one the renderer knows, or blank
    (inherit); its options as fields (cards/forms.py)."""

    card_type = forms.ChoiceField(choices=_card_types_or_inherit, required=False)

    class Meta:
        widgets = {"hide_season_text": InheritYesNo, "hide_episode_text": InheritYesNo}


# What a series and a template set alike, in the order of their pages.
LOOK_FIELDS = (
    "card_type",
    "watched_style",
    "unwatched_style",
    "font",
    "title_format",
    "episode_text_format",
    "season_text_format",
    "hide_season_text",
    "hide_episode_text",
    "options",
)
# The raw options JSON, folded away: the fields of "options" are the way to set them.
ADVANCED: Any = ("Advanced", {"fields": ("extras",), "classes": ("collapse",)})


class CardActions(admin.ModelAdmin):
    """ "Render and upload now" and "Force re-upload" for any admin whose rows lead to episodes
    (`episode_ids`). Thin: one render_card task per episode, queued after the commit."""

    actions: Sequence[str] = ("render_now", "force_reupload")

    def episode_ids(self, queryset: QuerySet) -> list[int]:
        raise NotImplementedError

    @admin.action(description="Render and upload now")
    def render_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._queue(request, self.episode_ids(queryset), force_upload=False)

    @admin.action(description="Force re-upload")
    def force_reupload(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._queue(request, self.episode_ids(queryset), force_upload=True)

    def _queue(self, request: HttpRequest, episode_ids: list[int], force_upload: bool) -> None:
        for episode_id in episode_ids:
            tasks.dispatch(tasks.render_card, episode_id, force_upload)
        what = "re-upload" if force_upload else "rendering and upload"
        self.message_user(
            request,
            f"Queued {len(episode_ids)} card(s) for {what}; the Title cards page shows the "
            "outcome.",
            messages.SUCCESS,
        )


class MadeByTcm:
    """Rows tcm makes itself: a library sync (series, episodes), the pipeline (cards), Tautulli's
    posts (events), the schedule and actions (job runs). The admin has no add page for them:
    one made by hand would lack what only Plex knows (the connection, the rating key) and could
    only fail on save."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


def card_thumbnail(card: TitleCard | None, height: int = 54) -> str:
    """An <img> of the card, served by the login-protected image view."""
    if card is None or not card.file:
        return "-"
    url = reverse("admin:cards_titlecard_image", args=[card.pk])
    # The fingerprint in the URL: a re-rendered card is not served from the browser's cache.
    return format_html(
        '<img src="{}?v={}" alt="card" loading="lazy" style="height:{}px;border-radius:3px">',
        url,
        card.fingerprint[:10],
        height,
    )


@admin.register(Font)
class FontAdmin(admin.ModelAdmin):
    list_display = ("name", "file", "color", "size", "case")
    search_fields = ("name",)


class CardStateFilter(admin.SimpleListFilter):
    title = "card"
    parameter_name = "card"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [
            ("uploaded", "uploaded"),
            ("failed", "failed"),
            ("pending", "not uploaded yet"),
            ("kept", "kept: chosen in Plex"),
            ("restored", "original restored"),
            ("none", "no card"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "none":
            return queryset.filter(card__isnull=True)
        if value == "pending":
            return queryset.filter(
                card__state__in=[TitleCard.State.PENDING, TitleCard.State.RENDERED]
            )
        if value in ("uploaded", "failed", "kept", "restored"):
            return queryset.filter(card__state=value)
        return queryset


class SeasonTitleInline(admin.TabularInline):
    """Season titles as rows: the first row whose episodes match gives the season text."""

    model = SeasonTitle
    extra = 1
    fields = ("order", "episodes", "text")
    verbose_name_plural = (
        "season titles (first match wins: a season 2, an absolute range 1-12, or s1e1-s2e5; "
        "specials say SPECIALS unless a row for season 0 says otherwise)"
    )


class SeriesSeasonTitleInline(SeasonTitleInline):
    fk_name = "series"


class TemplateSeasonTitleInline(SeasonTitleInline):
    fk_name = "template"


class CardTypeFilter(admin.SimpleListFilter):
    title = "card type"
    parameter_name = "card_type"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("-", "inherited"), *_card_types_or_inherit()[1:]]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "-":
            return queryset.filter(card_type="")
        return queryset.filter(card_type=value) if value else queryset


class AttachedTemplateFilter(admin.SimpleListFilter):
    title = "template"
    parameter_name = "template"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("-", "none attached"), *((str(t.pk), t.name) for t in Template.objects.all())]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "-":
            return queryset.filter(template__isnull=True)
        return queryset.filter(template_id=value) if value and value.isdigit() else queryset


class SeriesActionValues(forms.Form):
    """What "Apply template" and "Set card type" set, chosen beside the action."""

    template = forms.ModelChoiceField(
        Template.objects.all(), required=False, empty_label="(no template)"
    )
    card_type = forms.ChoiceField(choices=_card_types_or_inherit, required=False)


class SeriesActionForm(ActionForm, SeriesActionValues):
    """The series list's action bar, with the action's values."""


PICTURE_UPLOADS = {"logo_upload", "poster_upload", "art_upload"}


@admin.register(Series)
class SeriesAdmin(MadeByTcm, LivePreview, CardActions):
    form = CardOverridesForm
    action_form = SeriesActionForm
    inlines = (SeriesSeasonTitleInline,)
    actions = (
        "sync_from_plex",
        "render_all_cards",
        "render_now",
        "force_reupload",
        "apply_template",
        "set_card_type",
        "cards_on",
        "cards_off",
        "restore_originals",
        "forget_records",
    )
    list_display = (
        "title",
        "year",
        "library",
        "connection",
        "card_type",
        "template",
        "episode_count",
        "cards_uploaded",
        "cards_enabled",
        "present",
    )
    list_filter = (
        "connection",
        "library",
        CardTypeFilter,
        AttachedTemplateFilter,
        "cards_enabled",
        "present",
    )
    search_fields = ("title", "rating_key", "guid_tvdb", "guid_tmdb", "guid_imdb")
    # What Plex says is shown, not edited: the next sync would overwrite it.
    from_plex = (
        "guid_tvdb",
        "guid_tmdb",
        "guid_imdb",
        "art",
        "thumb",
        "logo",
        "genres",
        "content_rating",
        "labels",
        "collections",
        "season_count",
        "plex_updated_at",
    )
    readonly_fields = (
        "title",
        "year",
        "library",
        "connection",
        "rating_key",
        *from_plex,
        "synced_at",
        "present",
        "cards",
        "pictures_from_plex",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "year",
                    "library",
                    "connection",
                    "rating_key",
                    "present",
                    "cards_enabled",
                )
            },
        ),
        (
            "Card settings (blank: the template's, then the connection's)",
            {"fields": ("template", *LOOK_FIELDS)},
        ),
        ADVANCED,
        (
            "Pictures (blank: Plex's)",
            {
                "fields": ("logo_upload", "poster_upload", "art_upload", "pictures_from_plex"),
                "description": "Your own logo, poster or background art for this series' cards, "
                "instead of Plex's. JPEG or PNG; a logo is best a PNG with transparency.",
            },
        ),
        ("Cards", {"fields": ("cards",)}),
        ("From Plex", {"fields": from_plex, "classes": ("collapse",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("connection")
            .annotate(
                n_episodes=Count("episodes", distinct=True),
                n_uploaded=Count(
                    "episodes__card",
                    filter=Q(episodes__card__state=TitleCard.State.UPLOADED),
                    distinct=True,
                ),
            )
        )

    @admin.display(description="episodes", ordering="n_episodes")
    def episode_count(self, obj: Series) -> int:
        return obj.n_episodes  # type: ignore[attr-defined]  # annotated by get_queryset

    @admin.display(description="cards on Plex", ordering="n_uploaded")
    def cards_uploaded(self, obj: Series) -> int:
        return obj.n_uploaded  # type: ignore[attr-defined]  # annotated by get_queryset

    @admin.display(description="cards")
    def cards(self, obj: Series) -> str:
        cards = TitleCard.objects.filter(episode__series=obj).select_related("episode")[:60]
        if not cards:
            return "No cards yet."
        return format_html_join(
            " ",
            '<span title="{}">{}</span>',
            ((str(card.episode), card_thumbnail(card, 90)) for card in cards),
        )

    def save_model(
        self, request: HttpRequest, obj: Series, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change and obj.cards_enabled and PICTURE_UPLOADS & set(form.changed_data):
            # A new picture changes the cards drawn with it, and mends the ones that failed
            # for want of it (those have no fingerprint the schedule would find outdated).
            tasks.dispatch(tasks.render_series, obj.pk)
            self.message_user(
                request,
                "The series' cards drawn with the changed pictures are being rendered again.",
                messages.INFO,
            )

    @admin.display(description="Plex has")
    def pictures_from_plex(self, obj: Series) -> str:
        pictures = (("logo", obj.logo), ("poster", obj.thumb), ("background art", obj.art))
        have = [name for name, path in pictures if path]
        missing = [name for name, path in pictures if not path]
        return "; ".join(
            part
            for part in (", ".join(have), "no " + ", no ".join(missing) if missing else "")
            if part
        )

    def episode_ids(self, queryset: QuerySet[Series]) -> list[int]:
        episodes = Episode.objects.filter(series__in=queryset, present=True)
        return list(episodes.values_list("pk", flat=True))

    def apply_settings(self, request: HttpRequest, obj: Series) -> str:
        tasks.dispatch(tasks.render_series, obj.pk)
        return f"rendering and upload of every card of {obj} queued"

    @admin.action(description="Restore originals (turns cards off)")
    def restore_originals(self, request: HttpRequest, queryset: QuerySet[Series]) -> None:
        restore.request_restore(Episode.objects.filter(series__in=queryset))
        self._queue_jobs(request, queryset, tasks.restore_series, "Restore originals")

    @admin.action(description="Forget tcm's records (cards and kept originals)")
    def forget_records(self, request: HttpRequest, queryset: QuerySet[Series]) -> None:
        deleted = sum(restore.forget_series(series) for series in queryset)
        self.message_user(
            request,
            f"Forgot {deleted} card record(s) of {len(queryset)} series, and the original "
            "stills tcm kept of them: Restore originals cannot give those back any more.",
            messages.WARNING,
        )

    @admin.action(description="Sync from Plex")
    def sync_from_plex(self, request: HttpRequest, queryset: QuerySet[Series]) -> None:
        self._queue_jobs(request, queryset, tasks.sync_series, "Sync from Plex")

    @admin.action(description="Render and upload all cards")
    def render_all_cards(self, request: HttpRequest, queryset: QuerySet[Series]) -> None:
        self._queue_jobs(request, queryset, tasks.render_series, "Rendering and upload")

    @admin.action(description="Apply template (chosen beside the action)")
    def apply_template(self, request: HttpRequest, queryset: QuerySet[Series]) -> None:
        form = SeriesActionValues(request.POST)
        template = form.cleaned_data["template"] if form.is_valid() else None
        count = queryset.update(template=template)
        what = f"Template {template.name!r} attached to" if template else "Template removed from"
        self._changed(request, f"{what} {count} series")

    @admin.action(description="Set card type (chosen beside the action)")
    def set_card_type(self, request: HttpRequest, queryset: QuerySet[Series]) -> None:
        form = SeriesActionValues(request.POST)
        card_type = form.cleaned_data["card_type"] if form.is_valid() else ""
        count = queryset.update(card_type=card_type)
        what = f"card type {card_type}" if card_type else "the inherited card type"
        self._changed(request, f"{count} series set to {what}")

    @admin.action(description="Cards on")
    def cards_on(self, request: HttpRequest, queryset: QuerySet[Series]) -> None:
        count = queryset.update(cards_enabled=True)
        self._changed(request, f"Cards on for {count} series", "Their cards are made")

    @admin.action(description="Cards off (nothing made or uploaded for them)")
    def cards_off(self, request: HttpRequest, queryset: QuerySet[Series]) -> None:
        count = queryset.update(cards_enabled=False)
        self.message_user(
            request,
            f"Cards off for {count} series: tcm makes and uploads nothing for them.",
            messages.SUCCESS,
        )

    def _changed(
        self,
        request: HttpRequest,
        text: str,
        follow: str = "Cards whose look changed are re-rendered",
    ) -> None:
        # The due cards' job renders what is missing and re-renders the cards whose look
        # changed (their fingerprint), nothing else.
        tasks.dispatch(tasks.render_due_cards)
        self.message_user(
            request,
            f'{text}. {follow}: "Render and upload due cards" runs now (Job runs shows it).',
            messages.SUCCESS,
        )

    def _queue_jobs(
        self, request: HttpRequest, queryset: QuerySet[Series], task: Task, what: str
    ) -> None:
        for series in queryset:
            tasks.dispatch(task, series.pk)
        self.message_user(
            request,
            f"{what} queued for {len(queryset)} series; the front page and Job runs show its "
            "progress.",
            messages.SUCCESS,
        )


@admin.register(Episode)
class EpisodeAdmin(MadeByTcm, LivePreview, CardActions):
    form = CardOverridesForm
    actions = ("render_now", "force_reupload", "take_over", "restore_originals")
    list_display = (
        "thumbnail",
        "__str__",
        "title",
        "watched",
        "card_state",
        "present",
        "what_to_do",
    )
    list_display_links = ("__str__",)
    list_filter = ("watched", CardStateFilter, "present", "series__connection")
    list_select_related = ("series", "card", "connection")
    search_fields = ("title", "series__title", "rating_key")
    # What Plex says is shown, not edited: the next sync would overwrite it.
    from_plex = (
        "connection",
        "rating_key",
        "season_rating_key",
        "air_date",
        "guid_tvdb",
        "guid_tmdb",
        "guid_imdb",
        "thumb",
        "plex_updated_at",
        "synced_at",
        "source_file",
    )
    readonly_fields = (
        "card_preview",
        "card_timeline",
        "series",
        "title",
        "season_number",
        "episode_number",
        "absolute_number",
        "watched",
        "plex_watched",
        "watched_by",
        "watched_why",
        "present",
        "looks",
        *from_plex,
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "card_preview",
                    "series",
                    "title",
                    ("season_number", "episode_number", "absolute_number"),
                    "watched",
                    "plex_watched",
                    "watched_by",
                    "watched_why",
                    "present",
                )
            },
        ),
        (
            "Card settings (blank: the series')",
            {
                "fields": (
                    "card_type",
                    "watched_style",
                    "unwatched_style",
                    "font",
                    "title_text",
                    "episode_text",
                    "options",
                )
            },
        ),
        ADVANCED,
        ("How the card looks, and why", {"fields": ("looks",)}),
        ("Why is my card like this?", {"fields": ("card_timeline",)}),
        ("From Plex", {"fields": from_plex, "classes": ("collapse",)}),
    )

    @admin.display(description="settings")
    def looks(self, obj: Episode) -> str:
        """Each setting the card is made with, and the level it came from."""
        settings = card_settings(obj)
        return format_html(
            '<table class="tcm-looks"><tr><th>setting</th><th>value</th><th>from</th></tr>{}'
            "</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (name, Truncator(value).chars(80), source)
                    for name, value, source in settings.sources
                ),
            ),
        )

    @admin.display(description="card")
    def thumbnail(self, obj: Episode) -> str:
        return card_thumbnail(getattr(obj, "card", None))

    @admin.display(description="watched by")
    def watched_by(self, obj: Episode) -> str:
        who, _ = explain(obj)
        return ", ".join(who) or "nobody, as far as tcm knows"

    @admin.display(description="why")
    def watched_why(self, obj: Episode) -> str:
        return explain(obj)[1]

    @admin.display(description="what to do")
    def what_to_do(self, obj: Episode) -> str:
        return timeline.advice(obj, getattr(obj, "card", None))

    @admin.display(description="timeline")
    def card_timeline(self, obj: Episode) -> str:
        entries = format_html_join(
            "",
            '<li class="{}"><time datetime="{}">{}</time> <strong>{}</strong> {}</li>',
            (
                (
                    "tcm-planned" if e.planned else "",
                    e.at.isoformat(),
                    timeline.when(e.at),
                    e.what,
                    e.text,
                )
                for e in timeline.timeline(obj)
            ),
        )
        sentence = timeline.advice(obj, getattr(obj, "card", None))
        return format_html(
            '<ul class="tcm-timeline" style="margin:0;padding:0;list-style:none">{}</ul>'
            '<p class="tcm-advice"><strong>{}</strong></p>',
            entries,
            sentence,
        )

    @admin.display(description="card")
    def card_preview(self, obj: Episode) -> str:
        return card_thumbnail(getattr(obj, "card", None), 240)

    @admin.display(description="card state", ordering="card__state")
    def card_state(self, obj: Episode) -> str:
        card = getattr(obj, "card", None)
        if card is None:
            return "-"
        return card.kept_reason if card.state == TitleCard.State.KEPT else card.state

    def episode_ids(self, queryset: QuerySet[Episode]) -> list[int]:
        return list(queryset.values_list("pk", flat=True))

    def apply_settings(self, request: HttpRequest, obj: Episode) -> str:
        tasks.dispatch(tasks.render_card, obj.pk)
        return f"rendering and upload of the card of {obj} queued"

    @admin.action(description="Take over the thumbnail (replace one chosen in Plex)")
    def take_over(self, request: HttpRequest, queryset: QuerySet[Episode]) -> None:
        cards = list(TitleCard.objects.filter(episode__in=queryset))
        thumbs.take_over(cards)
        self._queue(request, list(queryset.values_list("pk", flat=True)), force_upload=False)

    @admin.action(description="Restore originals (turns the series' cards off)")
    def restore_originals(self, request: HttpRequest, queryset: QuerySet[Episode]) -> None:
        for series_id in restore.request_restore(queryset):
            tasks.dispatch(tasks.restore_series, series_id)
        self.message_user(
            request,
            "Restore originals queued; the front page and Job runs show its progress. The "
            "series' cards are off from now on.",
            messages.SUCCESS,
        )


class TemplateFilterForm(forms.ModelForm):
    """A filter row: its value is checked against its field and operation (TemplateFilter.clean
    names the form field at fault). The field select carries which operations and what kind of
    value each field takes, for static/cards/filters.js to offer only those."""

    class Meta:
        model = TemplateFilter
        fields = ("field", "operation", "value")

    class Media:
        js = ["cards/filters.js"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].widget.attrs["data-operations"] = json.dumps(filter_operations())


class TemplateFilterInline(admin.TabularInline):
    model = TemplateFilter
    form = TemplateFilterForm
    extra = 1
    verbose_name_plural = "filters (all must hold; none: every series)"


@admin.register(Template)
class TemplateAdmin(LivePreview, admin.ModelAdmin):
    """Looks for many series at once. Saving one re-renders exactly the cards whose look it
    changed, as one job (Job runs and the front page show its progress). Its preview draws the
    series it applies to with the filter and season title rows as the form holds them."""

    form = CardOverridesForm
    inlines = (TemplateFilterInline, TemplateSeasonTitleInline)
    list_display = ("name", "order", "card_type", "filter_count", "attached")
    list_editable = ("order",)
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "order")}),
        (
            "Card settings (blank: the connection's; a series' own settings win)",
            {"fields": LOOK_FIELDS},
        ),
        ADVANCED,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_filters=Count("filters", distinct=True), n_series=Count("series", distinct=True)
            )
        )

    @admin.display(description="filters", ordering="n_filters")
    def filter_count(self, obj: Template) -> int:
        return obj.n_filters  # type: ignore[attr-defined]  # annotated by get_queryset

    @admin.display(description="attached to series", ordering="n_series")
    def attached(self, obj: Template) -> int:
        return obj.n_series  # type: ignore[attr-defined]  # annotated by get_queryset

    def apply_settings(self, request: HttpRequest, obj: Template) -> str:
        # Saving queued the template's job already (save_related): a second one would find it
        # holding the lock and do nothing.
        return f"the re-render of the cards whose look {obj} changed is queued"

    def delete_model(self, request: HttpRequest, obj: Template) -> None:
        super().delete_model(request, obj)
        # Its series fall back to the next template, or none: the due cards' job re-renders
        # the cards whose look changed.
        tasks.dispatch(tasks.render_due_cards)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Template]) -> None:
        super().delete_queryset(request, queryset)
        tasks.dispatch(tasks.render_due_cards)

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        # After the filters and season titles are saved too: the job sees the whole change.
        tasks.dispatch(tasks.render_template, form.instance.pk)
        self.message_user(
            request,
            "The cards whose look changed are re-rendered and uploaded as one job; the front "
            "page and Job runs show its progress.",
            messages.INFO,
        )


class UploadedFilter(admin.SimpleListFilter):
    title = "on Plex"
    parameter_name = "uploaded"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", "uploaded"), ("no", "not uploaded")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.exclude(uploaded_hash="")
        if self.value() == "no":
            return queryset.filter(uploaded_hash="")
        return queryset


@admin.register(TitleCard)
class TitleCardAdmin(MadeByTcm, CardActions):
    list_display = (
        "thumbnail",
        "episode",
        "state",
        "style",
        "watched",
        "rendered_at",
        "uploaded_at",
        "what_to_do",
    )
    list_display_links = ("episode",)
    list_filter = ("state", UploadedFilter, "watched", "episode__series__connection")
    list_select_related = ("episode__series", "episode__connection")
    search_fields = ("episode__title", "episode__series__title", "episode__rating_key")
    readonly_fields = [f.name for f in TitleCard._meta.fields] + ["preview"]
    fields = (
        "preview",
        "episode",
        "state",
        ("kept_reason", "take_over", "restore_requested"),
        "last_error",
        ("attempts", "failed_at", "retry_at"),
        ("style", "watched", "size"),
        ("rendered_at", "uploaded_at", "verified_at"),
        "file",
        "fingerprint",
        "uploaded_hash",
    )

    @admin.display(description="card")
    def thumbnail(self, obj: TitleCard) -> str:
        return card_thumbnail(obj)

    @admin.display(description="card")
    def preview(self, obj: TitleCard) -> str:
        return card_thumbnail(obj, 360)

    @admin.display(description="what to do")
    def what_to_do(self, obj: TitleCard) -> str:
        return timeline.advice(obj.episode, obj)

    def episode_ids(self, queryset: QuerySet[TitleCard]) -> list[int]:
        return list(queryset.values_list("episode_id", flat=True))

    def get_urls(self) -> list:
        image = path(
            "<int:pk>/image/",
            self.admin_site.admin_view(self.image_view),
            name="cards_titlecard_image",
        )
        return [image, *super().get_urls()]

    def image_view(self, request: HttpRequest, pk: int) -> FileResponse:
        """The card file, for logged-in staff only (media files are never served publicly)."""
        card = get_object_or_404(TitleCard, pk=pk)
        if not self.has_view_permission(request, card):
            raise PermissionDenied
        if not card.file or not default_storage.exists(card.file):
            raise Http404("The card file is missing.")
        response = FileResponse(default_storage.open(card.file, "rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=86400"
        return response


@admin.register(WebhookEvent)
class WebhookEventAdmin(MadeByTcm, admin.ModelAdmin):
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

    @admin.display(description="last error")
    def short_error(self, obj: WebhookEvent) -> str:
        return Truncator(obj.last_error).chars(80)

    @admin.display(description="payload")
    def payload_json(self, obj: WebhookEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False))

    @admin.action(description="Retry (failed or pending events)")
    def process_again(self, request: HttpRequest, queryset: QuerySet[WebhookEvent]) -> None:
        queued = WebhookEvent.requeue(queryset)
        skipped = queryset.count() - queued
        text = f"{queued} event(s) queued again, failed ones with a fresh set of attempts."
        if skipped:
            text += f" {skipped} skipped: only failed or pending events are retried."
        self.message_user(request, text, messages.SUCCESS if queued else messages.WARNING)


class JobKindFilter(admin.SimpleListFilter):
    title = "job"
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [(job.kind, job.label) for job in JOBS.values()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if kind := self.value():
            return queryset.filter(kind=kind)
        return queryset


@admin.register(JobRun)
class JobRunAdmin(MadeByTcm, admin.ModelAdmin):
    """Scheduled and admin-started jobs: what each run did, and the progress of running ones
    (the page polls `progress/` and reloads when a run starts or finishes)."""

    list_display = ("job_label", "outcome", "started_at", "duration", "progress", "summary_text")
    list_display_links = ("job_label",)
    list_filter = ("status", JobKindFilter)
    search_fields = ("kind",)
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in JobRun._meta.fields if f.name != "summary"] + [
        "progress",
        "summary_json",
    ]
    exclude = ("summary",)

    def has_change_permission(self, request: HttpRequest, obj: JobRun | None = None) -> bool:
        return False  # a record of what happened

    @admin.display(description="job", ordering="kind")
    def job_label(self, obj: JobRun) -> str:
        return dashboard.job_label(obj)

    @admin.display(description="status", ordering="status")
    def outcome(self, obj: JobRun) -> str:
        return dashboard.outcome(obj)["text"]

    @admin.display(description="took")
    def duration(self, obj: JobRun) -> str:
        if not obj.finished_at:
            return "-"
        seconds = (obj.finished_at - obj.started_at).total_seconds()
        return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.0f} min"

    @admin.display(description="progress")
    def progress(self, obj: JobRun) -> str:
        info = dashboard.progress(obj)
        if obj.status != JobRun.Status.RUNNING:
            return info["text"] if obj.progress_total else "-"
        value = format_html(' value="{}"', obj.progress_done) if obj.progress_total else ""
        return format_html(
            '<span data-jobrun="{}"><progress max="{}"{}></progress> '
            '<span class="tcm-progress-text">{}</span></span>',
            obj.pk,
            obj.progress_total or 1,
            value,
            info["text"],
        )

    @admin.display(description="summary")
    def summary_text(self, obj: JobRun) -> str:
        if obj.error:
            return Truncator(obj.error).chars(200)
        if obj.status == JobRun.Status.RUNNING:
            return "-"
        return dashboard.summary_text(obj.summary, 200)

    @admin.display(description="summary")
    def summary_json(self, obj: JobRun) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.summary, indent=2, ensure_ascii=False))

    def get_urls(self) -> list:
        progress = path(
            "progress/",
            self.admin_site.admin_view(self.progress_view),
            name="cards_jobrun_progress",
        )
        return [progress, *super().get_urls()]

    def progress_view(self, request: HttpRequest) -> JsonResponse:
        """The running jobs and their progress, polled by the front page and the run pages."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return JsonResponse({"running": dashboard.running(), "latest": dashboard.latest_started()})

    def _with_progress(self, extra_context: dict | None) -> dict:
        running = sorted(r["id"] for r in dashboard.running())
        return {
            **(extra_context or {}),
            "progress_url": reverse("admin:cards_jobrun_progress"),
            "running_ids": ",".join(map(str, running)),
        }

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        return super().changelist_view(request, self._with_progress(extra_context))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ):
        return super().change_view(request, object_id, form_url, self._with_progress(extra_context))
