"""The card settings forms of series, episodes and templates: a card type's options as real form
fields, built from the `Option`s each card type declares (cards/render/types/).

Every card type's fields are on the page, one group per type; a small script
(static/cards/options.js) shows the group of the chosen type (or, when the type is inherited,
of the type that applies) as the card type select changes. Only the chosen type's fields are
read and checked when the form is saved, each with the renderer's own parser, so what the form
accepts is what the renderer accepts; an error names the option. The values go into the
`extras` JSON, which stays on the page as an "advanced" fallback for options of other types.

A field left empty (or a checkbox left at the type's default) sets nothing: the option is
inherited (a template's, then the card type's default).
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .render.spec import RenderError
from .render.types import CARD_TYPES
from .render.types.base import Option

DEFAULT_TYPE = "standard"


def _input_name(name: str, card_type: str, option: str) -> str:
    return f"{name}-{card_type}-{option}"


def _shown(value: object) -> str:
    """A stored or default value as a form shows it."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return " ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _limits(option: Option) -> str:
    low, high = option.minimum, option.maximum
    if option.kind not in ("number", "int") or (low is None and high is None):
        return ""
    shown = [_shown(v) if v is not None else "…" for v in (low, high)]
    return f" ({shown[0]} to {shown[1]})"


class CardOptionsWidget(forms.Widget):
    """Every card type's options as inputs, grouped by type. The value is the extras dict; what
    comes back is {card type: {option: raw text}} (checkboxes: "on" or absent)."""

    class Media:
        js = ["cards/options.js"]
        css = {"all": ["cards/options.css"]}

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.fallback = DEFAULT_TYPE  # the type shown while the card type is "inherit"
        self.shown = DEFAULT_TYPE  # the type whose fields show as the page opens
        self.bad: set[str] = set()  # the chosen type's options that were refused

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, dict[str, str]]:
        values: dict[str, dict[str, str]] = {}
        for type_name, kind in CARD_TYPES.items():
            values[type_name] = {
                option: data[key]
                for option in kind.options
                if (key := _input_name(name, type_name, option)) in data
            }
        return values

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        stored = value if isinstance(value, dict) else {}
        groups = []
        for type_name, kind in CARD_TYPES.items():
            posted = stored.get(type_name) if _is_posted(stored) else None
            rows = [
                self._row(name, type_name, option_name, option, stored, posted)
                for option_name, option in kind.options.items()
            ]
            body = (
                format_html_join("", "{}", ((row,) for row in rows))
                if rows
                else format_html('<p class="help">{} has no options.</p>', kind.label or type_name)
            )
            groups.append(
                format_html(
                    '<fieldset class="tcm-option-group" data-card-type="{}"{}>'
                    "<legend>Options of {}</legend>{}</fieldset>",
                    type_name,
                    mark_safe(" hidden") if type_name != self.shown else "",
                    kind.label or type_name,
                    body,
                )
            )
        return format_html(
            '<div class="tcm-options" data-fallback="{}">{}</div>',
            self.fallback,
            format_html_join("", "{}", ((g,) for g in groups)),
        )

    def _row(
        self,
        name: str,
        type_name: str,
        option_name: str,
        option: Option,
        stored: dict,
        posted: dict[str, str] | None,
    ) -> SafeString:
        key = _input_name(name, type_name, option_name)
        element_id = f"id_{key}"
        if posted is not None:
            current = posted.get(option_name, "")
        else:
            current = _shown(stored.get(option_name)) if option_name in stored else ""
        default = _shown(option.default)
        if option.kind == "bool":
            if posted is not None:
                checked = option_name in posted
            else:
                checked = _as_bool(current) if current else bool(option.default)
            control = format_html(
                '<input type="checkbox" name="{}" id="{}"{}>',
                key,
                element_id,
                mark_safe(" checked") if checked else "",
            )
        elif option.kind == "choice":
            choices = [("", f"default ({default})"), *((c, c) for c in option.choices)]
            control = format_html(
                '<select name="{}" id="{}">{}</select>',
                key,
                element_id,
                format_html_join(
                    "",
                    '<option value="{}"{}>{}</option>',
                    (
                        (v, mark_safe(" selected") if v == current.lower() else "", text)
                        for v, text in choices
                    ),
                ),
            )
        elif option.kind in ("number", "int"):
            extra = ""
            if option.minimum is not None:
                extra += f' min="{_shown(option.minimum)}"'
            if option.maximum is not None:
                extra += f' max="{_shown(option.maximum)}"'
            step = "1" if option.kind == "int" else "any"
            control = format_html(
                '<input type="number" name="{}" id="{}" value="{}" step="{}" placeholder="{}"{}>',
                key,
                element_id,
                current,
                step,
                default,
                mark_safe(extra),
            )
        elif option.kind == "color":
            # The text box holds the value (empty: inherit; names like "gold" work too); the
            # swatch is a colour picker that writes into it.
            control = format_html(
                '<input type="text" class="tcm-color-text" name="{}" id="{}" value="{}" '
                'placeholder="{}" size="12"> <input type="color" class="tcm-color-swatch" '
                'aria-label="pick a colour for {}" data-for="{}">',
                key,
                element_id,
                current,
                default or "inherit",
                option_name,
                element_id,
            )
        else:
            control = format_html(
                '<input type="text" class="vTextField" name="{}" id="{}" value="{}" '
                'placeholder="{}">',
                key,
                element_id,
                current,
                default,
            )
        refused = type_name == self.shown and option_name in self.bad
        return format_html(
            '<div class="tcm-option{}" data-option="{}"><label for="{}">{}</label>'
            '<span class="tcm-control">{}</span><div class="help">{}{}</div></div>',
            " tcm-refused" if refused else "",
            option_name,
            element_id,
            option_name.replace("_", " "),
            control,
            option.help,
            _limits(option),
        )


def _without_type(episode: Any) -> Any:
    unset = copy.copy(episode)
    unset.card_type = ""
    return unset


def _is_posted(value: dict) -> bool:
    """Whether the widget's value is what a post sent ({type: {...}}) rather than extras."""
    return bool(value) and all(k in CARD_TYPES and isinstance(v, dict) for k, v in value.items())


def _as_bool(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


class CardOptionsField(forms.Field):
    """The options of every card type as posted; the form reads the chosen type's."""

    widget = CardOptionsWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False  # what changed is seen on the extras the form builds from it


def read_options(
    card_type: str, posted: dict[str, str], extras: dict, before: dict
) -> tuple[dict, list[tuple[str, str]]]:
    """The extras with `card_type`'s options as its fields say, and what is wrong with them (one
    message per option, naming it).

    `extras` is what the advanced JSON box sent and `before` what was stored: a field the person
    changed wins, one left as it was keeps what the JSON box says (which may have been edited
    there)."""
    kind = CARD_TYPES[card_type]
    merged = dict(extras)
    problems = []
    for name, option in kind.options.items():
        if option.kind == "bool":
            was = _as_bool(_shown(before[name])) if name in before else bool(option.default)
            value = name in posted
            if value == was:
                continue
            merged.pop(name, None)
            if value != bool(option.default):
                merged[name] = value
            continue
        raw = posted.get(name, "").strip()
        if raw == (_shown(before[name]) if name in before else ""):
            continue
        merged.pop(name, None)
        if not raw:
            continue  # emptied: inherited again
        try:
            option.parse(name, raw)
        except RenderError as exc:
            problems.append((name, f"{name.replace('_', ' ')}: {exc}"))
            continue
        if option.kind in ("number", "int"):
            number = float(raw)
            merged[name] = int(number) if number == int(number) else number
        else:
            merged[name] = raw
    return merged, problems


class CardOptionsMixin(forms.ModelForm):
    """For a ModelForm with `card_type` and `extras`: the `options` field, read into extras."""

    options = CardOptionsField(
        label="Card type options",
        help_text="The chosen card type's options; empty: inherited (a template's, then the card "
        "type's default).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["options"]
        assert isinstance(field.widget, CardOptionsWidget)
        field.widget.fallback = self.inherited_type()
        chosen = self.data.get(self.add_prefix("card_type")) if self.is_bound else None
        if chosen is None:
            chosen = getattr(self.instance, "card_type", "")
        field.widget.shown = chosen if chosen in CARD_TYPES else field.widget.fallback
        self.stored_extras = dict(getattr(self.instance, "extras", None) or {})
        if not self.is_bound:
            self.initial["options"] = self.stored_extras
        if "extras" in self.fields:
            self.fields["extras"].label = "Advanced: options as JSON"
            self.fields["extras"].help_text = (
                "Raw card type options, for options of other card types; the chosen type's "
                "come from the fields above."
            )

    def inherited_type(self) -> str:
        """The card type that applies when this form's is blank (inherit)."""
        from .looks import card_settings
        from .models import Episode, Series

        instance = self.instance
        if isinstance(instance, Episode) and instance.pk:
            # What the series, template and connection say, without the episode's own choice.
            return card_settings(_without_type(instance)).card_type
        if isinstance(instance, Series) and instance.connection_id:
            if instance.template is not None and instance.template.card_type:
                return instance.template.card_type
            return instance.connection.card_type or DEFAULT_TYPE
        return DEFAULT_TYPE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("card_type") or self.inherited_type()
        posted = data.get("options") or {}
        extras = data.get("extras")
        if chosen in CARD_TYPES and isinstance(extras, dict) and not self.has_error("options"):
            merged, problems = read_options(
                chosen, posted.get(chosen, {}), extras, self.stored_extras
            )
            for _, problem in problems:
                self.add_error("options", problem)
            widget = self.fields["options"].widget
            assert isinstance(widget, CardOptionsWidget)
            widget.bad = {name for name, _ in problems}
            if not problems:
                data["extras"] = merged
                self.instance.extras = merged
        return data
