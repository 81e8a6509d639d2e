"""System checks for configuration mistakes a self-hosting user is likely to make."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "[::1]"}


def is_local_url(url: str) -> bool:
    """True when `url` points at this machine, where Tautulli in another container cannot reach."""
    host = (urlsplit(url).hostname or "").lower()
    return host in LOCAL_HOSTS or host.startswith("127.") or host.endswith(".localhost")


@register()
def check_public_url(app_configs: object, **kwargs: object) -> list[Warning]:
    if settings.DEBUG:
        return []
    url = settings.TCM_PUBLIC_URL
    if not url:
        return [
            Warning(
                "TCM_PUBLIC_URL is not set.",
                hint="Set it to the address at which Tautulli reaches tcm, e.g. "
                "http://192.168.1.20:8000; webhook URLs are built from it.",
                id="tcm.W001",
            )
        ]
    if urlsplit(url).scheme not in ("http", "https"):
        return [
            Warning(
                f"TCM_PUBLIC_URL {url!r} is not an http(s) URL.",
                hint="Use the form http://host:port.",
                id="tcm.W003",
            )
        ]
    if is_local_url(url):
        return [
            Warning(
                f"TCM_PUBLIC_URL {url!r} points at this machine.",
                hint="Tautulli usually runs in another container or on another host, where "
                "localhost is itself; use an address Tautulli can reach.",
                id="tcm.W002",
            )
        ]
    return []
