"""The Plex connection's admin form: sizes a person can read, card types from the renderer, and
the card styles as a choice of pictures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.urls import reverse

from tcm_site.fields import SecretKeepingForm

from .models import PlexConnection, WatchedPolicy
from .tautulli import TautulliError

MB = 1024 * 1024


class MegabytesField(forms.DecimalField):
    """A size stored in bytes, shown and typed in MB (1 MB = 1024 x 1024 bytes; decimals are
    fine). "10485760" in a narrow box reads as anything; "10" in MB does not."""

    def __init__(self, *, min_mb: float, max_mb: float, **kwargs: Any) -> None:
        super().__init__(
            min_value=Decimal(str(min_mb)),
            max_value=Decimal(str(max_mb)),
            widget=forms.NumberInput(attrs={"class": "vTextField"}),
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        # An int is the stored size in bytes (a typed value comes back as a string, as typed).
        # Four decimals are enough to give back exactly what was typed: MB * 10^-4 is over 100
        # bytes, more than the rounding to whole bytes moves a value.
        if isinstance(value, int) and not isinstance(value, bool):
            mb = (Decimal(value) / MB).quantize(Decimal("0.0001")).normalize()
            return f"{mb:f}"
        return value

    def clean(self, value: Any) -> int | None:
        mb = super().clean(value)
        return None if mb is None else round(mb * MB)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.clean(data) != initial
        except forms.ValidationError:
            return True


def preview_slug(style: str) -> str:
    """A style's name as a URL part: "blur grayscale" -> "blur-grayscale"."""
    return style.replace(" ", "-")


class StylePicker(forms.RadioSelect):
    """Radio buttons, each with a small card in its style (rendered by the renderer from the
    sample still: PlexConnectionAdmin.style_preview). Plain radio buttons underneath: Tab
    reaches the group, the arrow keys choose."""

    option_template_name = "connections/widgets/style_option.html"

    class Media:
        css = {"all": ["connections/style_picker.css"]}

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        super().__init__({"class": "tcm-style-picker", **(attrs or {})}, choices)

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from cards.render import RENDERER_VERSION

        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"].pop("class", None)  # the group's, not each radio's
        url = reverse("admin:connections_plexconnection_style_preview", args=[preview_slug(value)])
        # The renderer's version in the URL: a new renderer's pictures are not taken from the
        # browser's cache.
        option["preview_url"] = f"{url}?v={RENDERER_VERSION}"
        return option


def _card_types() -> list[tuple[str, str]]:
    # Asked when a form is built, so the list always matches the renderer's registry.
    from cards.render import card_type_choices

    return list(card_type_choices())


class PlexConnectionForm(SecretKeepingForm):
    card_type = forms.ChoiceField(
        choices=_card_types,
        initial="standard",
        help_text="Series and episodes can choose another.",
    )
    upload_limit = MegabytesField(
        label="Upload size limit (MB)",
        min_mb=0.1,
        max_mb=100,
        initial=PlexConnection._meta.get_field("upload_limit").default,
        help_text="Cards larger than this are uploaded as a re-encoded, smaller copy. "
        "1 MB = 1,048,576 bytes; decimals are fine, e.g. 2.5.",
    )

    watched_users = forms.TypedMultipleChoiceField(
        label="Chosen users",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PlexConnection
        fields = "__all__"
        widgets = {"watched_style": StylePicker, "unwatched_style": StylePicker}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["watched_users"]
        choices, field.help_text = self._users()
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def _users(self) -> tuple[list[tuple[int, str]], str]:
        """Tautulli's users as choices (names shown, ids stored), and a word on where they came
        from. Read from the Tautulli connection of this server each time the form is built;
        when it cannot be reached, the names last seen."""
        connection = self.instance
        tautulli = connection.tautulli_connections.order_by("pk").first() if connection.pk else None
        note = "For the policies about chosen users. Users come from Tautulli's user list."
        if tautulli is None:
            note = "Add a Tautulli connection for this server to choose users from its user list."
        else:
            client = tautulli.client()
            client.timeout = min(client.timeout, 5)  # the page must not hang on Tautulli
            try:
                users = client.get_users()
            except TautulliError as exc:
                note = f"Tautulli could not be reached ({exc}); these are the names last seen."
            else:
                names = {str(u.user_id): u.name for u in users}
                owner = next((u.user_id for u in users if u.is_admin), None)
                connection.tautulli_users, connection.tautulli_owner_id = names, owner
                PlexConnection.objects.filter(pk=connection.pk).update(
                    tautulli_users=names, tautulli_owner_id=owner
                )
        names = dict(connection.tautulli_users or {})
        for stored in connection.watched_users or []:
            names.setdefault(str(stored), f"user {stored} (no longer in Tautulli's list)")
        owner_id = str(connection.tautulli_owner_id)
        choices = [
            (int(user_id), f"{name} (owner)" if user_id == owner_id else name)
            for user_id, name in sorted(names.items(), key=lambda kv: kv[1].casefold())
            if user_id.lstrip("-").isdigit()
        ]
        return choices, note

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        policy = data.get("watched_policy")
        if policy in (WatchedPolicy.ALL_CHOSEN, WatchedPolicy.ANY_CHOSEN) and not data.get(
            "watched_users"
        ):
            self.add_error("watched_users", "Choose at least one user for this policy.")
        if policy not in (None, WatchedPolicy.OWNER) and not (
            self.instance.pk and self.instance.tautulli_connections.exists()
        ):
            self.add_error(
                "watched_policy",
                "Only the owner's watching is known without Tautulli: add a Tautulli connection "
                "for this server first.",
            )
        return data
