"""`--db-only` (CI's PostgreSQL run) deselects only the tests that cannot reach the database: a
test with the marker, a database fixture (pytest-django's, ours, or one of its module's own) or a
process of ours in its module stays."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

from tests.support import ROOT

if TYPE_CHECKING:
    from pathlib import Path

MODULES = {
    "test_pure.py": "def test_pure():\n    assert True\n",
    "test_marked.py": (
        "import pytest\n\n@pytest.mark.django_db\ndef test_marked():\n    assert True\n"
    ),
    "test_our_fixture.py": "def test_our_fixture(plex_connection):\n    assert True\n",
    "test_worker.py": "def test_worker(celery_worker):\n    assert True\n",
    "test_module_fixture.py": (
        "import pytest\n\n@pytest.fixture\ndef rows(transactional_db):\n    return []\n\n"
        "def test_module_fixture(rows):\n    assert True\n"
    ),
    "test_process.py": (
        "from tests.support import WorkerProcess\n\ndef test_process():\n    assert WorkerProcess\n"
    ),
}


def collect(folder: Path, *options: str) -> str:
    """What `pytest --collect-only -q` with tests/conftest.py says about the modules in
    `folder` (one run of pytest: it takes seconds to start)."""
    for name, text in MODULES.items():
        (folder / name).write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "-p",
         "tests.conftest", "--collect-only", "-q", "-p", "no:cacheprovider", *options,
         str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_it_deselects_only_the_test_that_cannot_reach_the_database(tmp_path: Path) -> None:
    out = collect(tmp_path, "--db-only")
    collected = {line.split("::")[1] for line in out.splitlines() if "::" in line}
    assert collected == {
        "test_marked",
        "test_our_fixture",
        "test_worker",
        "test_module_fixture",
        "test_process",
    }
    assert "kept 5 tests that can reach the database, deselected 1" in out
    assert "deselected in test_pure.py: 1" in out
