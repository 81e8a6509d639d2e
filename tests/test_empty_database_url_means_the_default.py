"""An empty DATABASE_URL (as a .env template leaves it: "DATABASE_URL=") means the default
SQLite file in the data dir, as an empty REDIS_URL means the embedded broker, instead of a
KeyError from the URL parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import fresh_env, run_python

pytestmark = pytest.mark.slow

SHOW = (
    "import django; django.setup()\n"
    "from django.conf import settings\n"
    "db = settings.DATABASES['default']\n"
    "print(db['ENGINE'], db['NAME'])"
)


def test_an_empty_database_url_uses_the_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    out = run_python(SHOW, fresh_env(tmp_path, DATABASE_URL=""))
    assert out == f"django.db.backends.sqlite3 {tmp_path / 'tcm.sqlite3'}"


def test_a_set_database_url_is_used(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    out = run_python(SHOW, fresh_env(tmp_path, DATABASE_URL=url))
    assert out == f"django.db.backends.sqlite3 {tmp_path / 'other.sqlite3'}"
