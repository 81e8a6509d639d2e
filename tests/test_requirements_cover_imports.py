"""requirements.txt is all the Docker image and `./tcm run` install, while the test venv has more
(pytest brings `packaging`, for one). So a module the app needs only in production — kombu's Redis
transport imports `packaging` — would pass every test and crash the worker on first start. Load
what production loads in a fresh interpreter and check that every distribution it touched is
pinned in requirements.txt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import ROOT, fresh_env, run_python

pytestmark = pytest.mark.slow  # a fresh interpreter that loads everything production loads

# What a production process loads beyond our own modules: the Redis broker and result backend,
# PostgreSQL, the web server (Granian and its compiled core), beat's database scheduler, and the
# OpenCV and numpy that the renderer imports only when it first scales a picture.
PROBE = """
import importlib, json, os, pkgutil, sys
import django
django.setup()
for package in ("tcm_site", "connections", "cards"):
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        importlib.import_module(info.name)
for name in (
    "kombu.transport.redis",
    "celery.backends.redis",
    "django.db.backends.postgresql.base",
    "granian.server",
    "granian._granian",
    "django_celery_beat.schedulers",
    "whitenoise.middleware",
    "cv2",
    "numpy",
):
    importlib.import_module(name)
from importlib.metadata import packages_distributions
owners = packages_distributions()
tops = {name.partition(".")[0] for name in sys.modules}
print(json.dumps(sorted({dist for top in tops for dist in owners.get(top, ())})))
"""

# Installed by `python -m venv` itself, not by requirements.txt.
VENV_OWN = {"pip", "setuptools"}
# Imported only when present (inside try/except ImportError), so not needed in production.
OPTIONAL = {
    "pyyaml",  # kombu registers a YAML serializer if it can; tcm accepts JSON only
    "greenlet",  # Celery takes its thread ids from it when present (Playwright's, in the dev venv)
}


def _pinned() -> set[str]:
    names = set()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(canonicalize_name(Requirement(line).name))
    return names


def test_every_distribution_production_imports_is_pinned(tmp_path: Path) -> None:
    # REDIS_URL: the Redis settings, never connected to (the probe only imports).
    out = run_python(PROBE, fresh_env(tmp_path, REDIS_URL="redis://127.0.0.1:1/0"), timeout=120)
    loaded = {canonicalize_name(name) for name in json.loads(out.splitlines()[-1])}
    missing = loaded - _pinned() - VENV_OWN - OPTIONAL
    assert not missing, f"imported in production but not in requirements.txt: {sorted(missing)}"
