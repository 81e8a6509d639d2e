from __future__ import annotations

from django.apps import AppConfig


class TcmSiteConfig(AppConfig):
    name = "tcm_site"
    verbose_name = "tcm"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
