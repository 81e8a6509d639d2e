"""Validation of the URLs users paste into the admin."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError


def validate_service_url(value: str) -> None:
    """An http(s) URL of a server on the network: scheme, host, valid port, no spaces."""
    if not value or value != value.strip():
        raise ValidationError("Remove the spaces before or after the URL.")
    if any(c.isspace() for c in value):
        raise ValidationError("A URL cannot contain spaces.")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError(
            "Use an http:// or https:// URL, for example http://192.168.1.10:32400."
        )
    try:
        port = parts.port
    except ValueError:
        raise ValidationError("The port must be a number from 1 to 65535.") from None
    if port is not None and not 1 <= port <= 65535:
        raise ValidationError("The port must be a number from 1 to 65535.")
    if not parts.hostname:
        raise ValidationError("The URL needs a host name or IP address.")
    if parts.username or parts.password:
        raise ValidationError("Put credentials in their own field, not in the URL.")
