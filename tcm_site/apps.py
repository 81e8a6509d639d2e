from __future__ import annotations

from django.apps import AppConfig


class TcmSiteConfig(AppConfig):
    name = "tcm_site"
    verbose_name = "tcm"

    def ready(self) -> None:
        from django.core.signals import request_started

        from . import checks  # noqa: F401  (registers the system checks)
        from .fields import remember_stored_secrets

        request_started.connect(remember_stored_secrets, dispatch_uid="tcm-remember-secrets")
