from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from connections.models import PlexConnection, TautulliConnection

TOKEN = "plex-token-abcdef123456"
API_KEY = "tautulli-key-0123456789abcdef"


def _raw(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")
        return cursor.fetchone()[0]


@pytest.fixture
def stored() -> TautulliConnection:
    plex = PlexConnection.objects.create(name="home", url="http://127.0.0.1:32400", token=TOKEN)
    return TautulliConnection.objects.create(
        name="tautulli", url="http://127.0.0.1:8181", api_key=API_KEY, plex=plex
    )


@pytest.mark.django_db
def test_the_database_does_not_hold_secrets_in_the_clear(stored: TautulliConnection) -> None:
    for table, column, secret in [
        ("connections_plexconnection", "token", TOKEN),
        ("connections_tautulliconnection", "api_key", API_KEY),
        ("connections_tautulliconnection", "webhook_secret", stored.webhook_secret),
    ]:
        raw = _raw(table, column)
        assert raw.startswith("fernet:")
        assert secret not in raw
    assert PlexConnection.objects.get().token == TOKEN
    assert TautulliConnection.objects.get().api_key == API_KEY


@pytest.mark.django_db
def test_it_finds_a_connection_by_its_webhook_secret(stored: TautulliConnection) -> None:
    assert TautulliConnection.for_secret(stored.webhook_secret) == stored
    assert TautulliConnection.for_secret("not-the-secret") is None
    old = stored.webhook_secret
    stored.rotate_webhook_secret()
    assert TautulliConnection.for_secret(old) is None
    assert TautulliConnection.for_secret(stored.webhook_secret) == stored


@pytest.mark.django_db
def test_rotating_the_key_re_encrypts_every_secret(
    stored: TautulliConnection, settings: object
) -> None:
    old_key = settings.TCM_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.TCM_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_secrets", verbosity=0)

    # The old key alone can read nothing any more; the new key alone reads everything.
    settings.TCM_ENCRYPTION_KEYS = [new_key]
    assert PlexConnection.objects.get().token == TOKEN
    assert TautulliConnection.objects.get().api_key == API_KEY
    settings.TCM_ENCRYPTION_KEYS = [old_key]
    assert PlexConnection.objects.get().token == ""
