"""Create the first admin user, once.

The password comes from TCM_ADMIN_PASSWORD; without it one is generated and printed this one
time (it is not stored anywhere in the clear).
"""

from __future__ import annotations

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create an admin user if there is none yet."
    # Run right after migrate (`./tcm run`, the compose file's web service), which showed the
    # system checks' warnings already.
    requires_system_checks = []

    def handle(self, *args: object, **options: object) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            return
        username = os.environ.get("TCM_ADMIN_USER", "admin")
        password = os.environ.get("TCM_ADMIN_PASSWORD", "")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Created admin user {username!r} with password: {password}\n"
                    "This is shown once. Change it in the admin, or set TCM_ADMIN_PASSWORD."
                )
            )
        else:
            self.stdout.write(
                f"Created admin user {username!r} (password from TCM_ADMIN_PASSWORD)."
            )
