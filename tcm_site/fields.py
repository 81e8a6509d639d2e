"""Model and form fields for secrets."""

from __future__ import annotations

import logging
import time
from typing import Any

from django import forms
from django.db import DatabaseError, models

from . import crypto
from .logs import remember_secrets

log = logging.getLogger(__name__)

# How often a web process reads every stored secret again for the log redaction (a secret added
# in another process is redacted here from then on).
RELOAD_SECRETS_EVERY = 2.0
_secrets_loaded_at: float | None = None


class EncryptedTextField(models.TextField):
    """A text column whose value is Fernet-encrypted in the database.

    In Python it is the plain string; the database holds `fernet:<token>`. It cannot be
    filtered on (the ciphertext changes on every save); look secrets up by a digest column.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return value
        try:
            plain = crypto.decrypt(value)
        except crypto.DecryptionError as exc:
            # Keep the object loadable (the admin must still open it so the user can re-enter
            # the secret); the empty value fails loudly at the first use.
            log.error("%s.%s: %s", self.model.__name__, self.name, exc)
            return ""
        remember_secrets((plain,))  # a process that knows a secret redacts it
        return plain

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        remember_secrets((value,))
        return crypto.encrypt(value)

    def formfield(self, **kwargs: Any) -> forms.Field | None:
        kwargs.setdefault("form_class", SecretFormField)
        # Always the password input: TextField asks for a textarea, and so does the admin for
        # every TextField, and a textarea renders the stored secret back into the page.
        kwargs["widget"] = forms.PasswordInput(render_value=False)
        return super().formfield(**kwargs)


class SecretFormField(forms.CharField):
    """A password input that never renders the stored value back.

    Left empty on an existing object it keeps the stored secret (see SecretKeepingForm).
    Surrounding whitespace is rejected rather than silently stripped: a token pasted with a
    trailing space is a typo the user should see, not a mystery 401 later.
    """

    widget = forms.PasswordInput(render_value=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("max_length", None)
        kwargs["strip"] = False
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value and value != value.strip():
            raise forms.ValidationError("Remove the spaces before or after the value.")
        if value and any(c.isspace() for c in value):
            raise forms.ValidationError("The value must not contain spaces.")
        return value


class SecretKeepingForm(forms.ModelForm):
    """A ModelForm whose secret fields keep their stored value when left empty on edit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, SecretFormField) and self.instance.pk:
                field.required = False
                field.help_text = (
                    "Stored (encrypted). Leave empty to keep it; type a new value to replace it."
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, field in self.fields.items():
            if isinstance(field, SecretFormField) and self.instance.pk and not data.get(name):
                data[name] = getattr(self.instance, name)
        return data


def remember_stored_secrets(**_: object) -> None:
    """Read every secret in the database (every EncryptedTextField; reading registers them with
    the log redaction), at most every RELOAD_SECRETS_EVERY seconds.

    Connected to request_started: a client may send a stored secret in any path, a near miss of
    the webhook URL included, which the process answering it never had a reason to load, and the
    access log and Django's "Not Found" warning write the path."""
    global _secrets_loaded_at
    now = time.monotonic()
    if _secrets_loaded_at is not None and now - _secrets_loaded_at < RELOAD_SECRETS_EVERY:
        return
    _secrets_loaded_at = now
    from django.apps import apps

    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not names:
            continue
        try:
            list(model._default_manager.values_list(*names))
        except DatabaseError as exc:  # not migrated yet, or the database away: the request says
            log.debug("cannot read the stored secrets for log redaction: %s", exc)
