"""The live preview on the admin's change forms (series, episode, Plex connection, template):
the panel under the fields, the endpoint its script posts the whole form to, and the "render
and upload these settings" button.

The endpoint takes the form's fields as POST, exactly as saving would send them, builds the
admin's own form (and its inlines' formsets: a template's filter and season title rows) from
them and the unsaved instance (`form.save(commit=False)`), and hands that to cards/preview.py.
A field added to the form later reaches the preview without a change here. Bad input answers
400 with the form's errors by field; nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse

from . import preview
from .render import RENDERER_VERSION, RenderError
from .render.types import CARD_TYPES
from .sources import CardError

APPLY = "_apply_preview"


class LivePreview(admin.ModelAdmin):
    """Mix into a ModelAdmin whose form holds card settings. `apply_settings` queues the job the
    "render and upload these settings" button starts (none: no button)."""

    change_form_template = "admin/cards/preview_change_form.html"

    class Media:
        js = ["cards/preview.js"]
        css = {"all": ["cards/preview.css"]}

    def apply_settings(self, request: HttpRequest, obj: Any) -> str:
        """Queue the render and upload of `obj`'s cards; returns what the message says."""
        raise NotImplementedError

    def _preview_url_name(self) -> str:
        meta = self.model._meta
        return f"{meta.app_label}_{meta.model_name}_preview"

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(self.preview_view)
        name = self._preview_url_name()
        picture = self.admin_site.admin_view(self.type_picture_view)
        one_type = "type-picture/<slug:card_type>.jpg"
        return [
            path("preview/", view, name=name + "_add"),
            path("<path:object_id>/preview/", view, name=name),
            path(one_type, picture, name=name + "_type_add"),
            path("<path:object_id>/" + one_type, picture, name=name + "_type"),
            *super().get_urls(),
        ]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        name = "admin:" + self._preview_url_name()
        context["preview_url"] = reverse(name, args=[obj.pk]) if obj else reverse(name + "_add")
        # The picker's pictures: "{type}" is replaced by each type's name in the browser; the
        # still's hash and the renderer's version keep a stale picture out of its cache.
        sample = "{type}"
        if obj:
            pictures = reverse(name + "_type", args=[obj.pk, "TYPE"])
        else:
            pictures = reverse(name + "_type_add", args=["TYPE"])
        episode = preview.picker_episode(obj)
        context["type_pictures_url"] = (
            pictures.replace("TYPE", sample) + f"?v={episode.source_hash[:10]}-{RENDERER_VERSION}"
        )
        context["preview_can_apply"] = type(self).apply_settings is not LivePreview.apply_settings
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _check_permission(self, request: HttpRequest, obj: Any) -> None:
        # Whoever may open the form (to add, or to change) may see its preview.
        if obj is None and not self.has_add_permission(request):
            raise PermissionDenied
        if obj is not None and not self.has_change_permission(request, obj):
            raise PermissionDenied

    def preview_view(self, request: HttpRequest, object_id: str | None = None) -> JsonResponse:
        """The preview of the settings the posted form holds: JSON rows of pictures."""
        if request.method != "POST":
            return JsonResponse({"reason": "POST the form's fields."}, status=405)
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            return JsonResponse({"reason": "No such object."}, status=404)
        self._check_permission(request, obj)
        form_class = self.get_form(request, obj, change=obj is not None)
        form = form_class(request.POST, request.FILES, instance=obj)
        if not form.is_valid():
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            return JsonResponse({"reason": "The form has errors.", "errors": errors}, status=400)
        instance: models.Model = form.save(commit=False)
        related, inline_errors = self._inline_rows(request, instance, add=obj is None)
        if inline_errors:
            return JsonResponse(
                {"reason": "The form has errors.", "errors": inline_errors}, status=400
            )

        # A person typing fast gets the latest: each post carries its page's id (one per page
        # load) and a sequence number, and a preview stops between two pictures once a newer
        # one from the same page has come.
        page = request.POST.get("_preview_page", "")[:40]
        latest = f"preview:{request.user.pk}:{request.path}:{page}"
        seq = request.POST.get("_preview_seq", "")
        cache.set(latest, seq, timeout=120)
        try:
            with preview.slot():
                rows = preview.preview(
                    instance, keep_going=lambda: cache.get(latest) == seq, related=related
                )
        except preview.Busy as exc:
            return JsonResponse({"reason": str(exc)}, status=429)
        if rows is None:
            return JsonResponse({"reason": "Superseded by newer settings."}, status=409)
        return JsonResponse({"rows": [self._row_json(row) for row in rows]})

    def _inline_rows(
        self, request: HttpRequest, instance: models.Model, add: bool
    ) -> tuple[dict[type[models.Model], list[models.Model]], dict[str, list[str]]]:
        """The rows the form's inlines hold, unsaved, by model (a row marked for deletion, or
        an extra one left empty, is not among them), and their errors by field. An inline
        whose rows were not posted (no management form) is left out: its saved rows count."""
        rows: dict[type[models.Model], list[models.Model]] = {}
        errors: dict[str, list[str]] = {}
        inlines = self.get_formsets_with_inlines(*([request] if add else [request, instance]))
        for formset_class, inline in inlines:
            # The inlines here have a prefix each of their own (the admin numbers repeats).
            formset = formset_class(
                request.POST,
                request.FILES,
                instance=instance,
                prefix=formset_class.get_default_prefix(),
                queryset=inline.get_queryset(request),
            )
            if f"{formset.prefix}-TOTAL_FORMS" not in request.POST:
                continue
            if not formset.is_valid():
                for inline in formset.forms:
                    for name, errs in inline.errors.items():
                        errors[f"{inline.prefix}-{name}"] = [str(e) for e in errs]
                if formset.non_form_errors():
                    errors[formset.prefix] = [str(e) for e in formset.non_form_errors()]
                continue
            rows[formset.model] = [
                inline.instance
                for inline in formset.forms
                if (inline.instance.pk is not None or inline.has_changed())
                and not inline.cleaned_data.get("DELETE")
            ]
        return rows, errors

    def _row_json(self, row: preview.Row) -> dict:
        current = ""
        if row.card is not None and row.card.file:
            url = reverse("admin:cards_titlecard_image", args=[row.card.pk])
            current = f"{url}?v={row.card.fingerprint[:10]}"
        return {
            "label": row.label,
            "sample": row.sample,
            "note": row.note,
            "current": current,
            "current_state": row.card.state if row.card else "",
            "pictures": {key: picture.as_json() for key, picture in row.pictures.items()},
        }

    def type_picture_view(
        self, request: HttpRequest, card_type: str, object_id: str | None = None
    ) -> HttpResponse:
        """One card type drawn small on the form's own still, for the type picker."""
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        self._check_permission(request, obj)
        if card_type not in CARD_TYPES:
            raise Http404("No such card type.")
        try:
            with preview.slot():
                data = preview.type_picture(preview.picker_episode(obj), card_type)
        except preview.Busy as exc:
            return JsonResponse({"reason": str(exc)}, status=429)
        except (CardError, RenderError) as exc:
            return JsonResponse({"reason": str(exc)}, status=422)
        response = HttpResponse(data, content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=86400"
        return response

    # --- "Save, render and upload these settings"

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        response = super().response_change(request, obj)
        return self._maybe_apply(request, obj, response)

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None):
        response = super().response_add(request, obj, post_url_continue)
        return self._maybe_apply(request, obj, response)

    def _maybe_apply(self, request: HttpRequest, obj: Any, response: HttpResponse) -> HttpResponse:
        if APPLY not in request.POST:
            return response
        what = self.apply_settings(request, obj)
        self.message_user(
            request,
            f"Saved; {what}. Its progress shows on the front page and under Job runs.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:cards_jobrun_changelist"))
