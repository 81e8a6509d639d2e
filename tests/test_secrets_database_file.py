"""The database alone does not reveal a secret: after connections were entered and edited through
the admin, the bytes of the SQLite file (with its write-ahead log), or a pg_dump of the
PostgreSQL database, hold no Plex token, Tautulli API key or webhook secret - while the names
typed beside them are there to be found."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from connections.models import PlexConnection, TautulliConnection
from tests.test_admin_forms_connections import plex_form, tautulli_form

TOKEN = "db-file-plex-token-Zq81xT"
NEW_TOKEN = "db-file-plex-token-second-Wm42"
API_KEY = "db-file-tautulli-key-Kd93pL"


def database_bytes() -> bytes:
    """Everything the database keeps: the SQLite file with its WAL and shared memory, or the
    dump of the PostgreSQL database."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        files = [Path(db["NAME"] + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    done = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            db["HOST"] or "127.0.0.1",
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            db["USER"],
            db["NAME"],
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def test_the_database_holds_no_secret_in_the_clear(
    transactional_db: None, admin_client: Client
) -> None:
    added = admin_client.post(
        reverse("admin:connections_plexconnection_add"),
        plex_form(name="plex in the file", token=TOKEN),
    )
    assert added.status_code == 302
    plex = PlexConnection.objects.get()
    added = admin_client.post(
        reverse("admin:connections_tautulliconnection_add"),
        tautulli_form(plex, name="tautulli in the file", api_key=API_KEY),
    )
    assert added.status_code == 302
    # A second token replaces the first: neither may be left behind.
    changed = admin_client.post(
        reverse("admin:connections_plexconnection_change", args=[plex.pk]),
        plex_form(name="plex in the file", token=NEW_TOKEN),
    )
    assert changed.status_code == 302
    tautulli = TautulliConnection.objects.get()
    old_secret = tautulli.webhook_secret
    tautulli.rotate_webhook_secret()
    assert PlexConnection.objects.get().token == NEW_TOKEN

    data = database_bytes()

    assert b"plex in the file" in data and b"tautulli in the file" in data
    assert data.count(b"fernet:") >= 3
    for secret in (TOKEN, NEW_TOKEN, API_KEY, old_secret, tautulli.webhook_secret):
        assert secret.encode() not in data, secret


def test_no_other_file_in_the_data_dir_holds_a_secret(
    transactional_db: None, admin_client: Client
) -> None:
    admin_client.post(reverse("admin:connections_plexconnection_add"), plex_form(token=TOKEN))
    plex = PlexConnection.objects.get()
    admin_client.post(
        reverse("admin:connections_tautulliconnection_add"), tautulli_form(plex, api_key=API_KEY)
    )
    secret = TautulliConnection.objects.get().webhook_secret
    for path in Path(settings.DATA_DIR).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for value in (TOKEN, API_KEY, secret):
                assert value.encode() not in data, (path, value)
