"""Re-encrypt every stored secret with the newest key in TCM_ENCRYPTION_KEYS."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from tcm_site.fields import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt stored secrets with the first key of TCM_ENCRYPTION_KEYS."

    def handle(self, *args: object, **options: object) -> None:
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            with transaction.atomic():
                # Loading decrypts with whichever key matches; saving encrypts with the newest.
                # A value no key decrypts loads as "" and is left alone (the field logs it).
                rows = model._default_manager.select_for_update().values("pk", *fields)
                for row in rows:
                    changes = {f: row[f] for f in fields if row[f]}
                    if changes:
                        model._default_manager.filter(pk=row["pk"]).update(**changes)
                        total += 1
        self.stdout.write(f"Re-encrypted the secrets of {total} object(s) with the newest key.")
