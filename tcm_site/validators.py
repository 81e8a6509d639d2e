"""Validation of the URLs users paste into the admin."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

# Letters (any script: internationalised names), digits, dots, hyphens, underscores; or an IPv6
# address (urlsplit has checked its brackets).
_HOST = re.compile(r"[\w.-]+|[0-9a-f:.]+(%\w+)?", re.IGNORECASE)

# Query parameters that carry a secret: Plex's token, Tautulli's API key.
_SECRET_PARAM = re.compile(r"(?i)(^|&)(x-plex-token|token|apikey|api_key)=")


# What to enter instead of an address that is not the server's own.
OWN_ADDRESS = "Use the server's own address, e.g. http://192.168.1.10:32400"


def _is_plex_tv(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host == "plex.tv" or host.endswith(".plex.tv")


def validate_service_url(value: str) -> None:
    """An http(s) URL of a server on the network: scheme, host, valid port, no spaces."""
    if not value or value != value.strip():
        raise ValidationError("Remove the spaces before or after the URL.")
    if any(c.isspace() for c in value):
        raise ValidationError("A URL cannot contain spaces.")
    try:
        parts = urlsplit(value)
    except ValueError as exc:  # "Invalid IPv6 URL": an unclosed [ in the host
        raise ValidationError(f"This is not a valid URL ({exc}).") from None
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
    if not _HOST.fullmatch(parts.hostname):
        # requests would send "my%20plex" to DNS as it is and fail with a puzzling message.
        raise ValidationError(f"{parts.hostname!r} is not a valid host name or IP address.")
    if _is_plex_tv(parts.hostname):
        # Copied from the browser while Plex Web was open: plex.tv serves the app, it does not
        # answer for anyone's server.
        raise ValidationError(
            f"This is the address of Plex Web (the app in the browser), not of a Plex server. "
            f"{OWN_ADDRESS} (Plex Web → Settings → Remote Access shows its private address)."
        )
    if "#" in value:
        # A browser app's page (Plex Web on the server: /web/index.html#!/...); the part from
        # "#" on is never sent to a server.
        raise ValidationError(
            f"Remove the part from # on: it is a page in the browser, not the server. "
            f"{OWN_ADDRESS}."
        )
    if parts.username or parts.password:
        raise ValidationError("Put credentials in their own field, not in the URL.")
    if _SECRET_PARAM.search(parts.query):
        # A URL copied from Plex Web can carry the token: in the URL it would be shown in the
        # admin's lists and sent to every log line that names the server.
        raise ValidationError(
            "Remove the token or API key from the URL; it goes in its own field, where it is "
            "stored encrypted."
        )
