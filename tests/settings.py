"""Settings for the test suite: the real settings, pointed at a throw-away data dir and a
private corner of the shared Redis.

Values go into os.environ (not only into these settings) so that the worker, web and fake
processes a test starts inherit the same data dir, Redis prefix and database.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

# Never the user's own data dir, even when their shell exports TCM_DATA_DIR; and never their .env.
OWNS_DATA_DIR = "TCM_TEST_DATA_DIR" not in os.environ
if OWNS_DATA_DIR:
    os.environ["TCM_TEST_DATA_DIR"] = tempfile.mkdtemp(prefix="tcm-test-")
# pytest-xdist's workers (`-n 2`) inherit the run's data dir and Redis prefix from the process
# that started them; each takes a corner of its own (and so do the processes its tests start,
# which inherit PYTEST_XDIST_WORKER), or two workers' Celery workers would take each other's tasks.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
RUN_DATA_DIR = os.environ["TCM_TEST_DATA_DIR"]
os.environ["TCM_DATA_DIR"] = str(Path(RUN_DATA_DIR, XDIST_WORKER))
Path(os.environ["TCM_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ["TCM_ENV_FILE"] = os.devnull
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
# Several test runs (and a developer's own tcm) can share one Redis: each run gets its own keys,
# queues, results, locks and worker pings.
RUN_PREFIX = os.environ.setdefault(
    "TCM_TEST_REDIS_PREFIX",
    os.environ.get("TCM_REDIS_PREFIX") or f"tcm-test-{uuid.uuid4().hex[:10]}:",
)
os.environ["TCM_REDIS_PREFIX"] = f"{RUN_PREFIX}{XDIST_WORKER}:" if XDIST_WORKER else RUN_PREFIX

from tcm_site.settings import *  # noqa: E402,F403
from tcm_site.settings import DATA_DIR, DATABASES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: worker and web processes started by tests must open the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
else:
    # One database per run, so that two runs on one server (CI, developers) never collide.
    # (pytest-django adds each xdist worker's suffix to it.)
    run_name = Path(RUN_DATA_DIR).name.replace("-", "_")
    DATABASES["default"]["TEST"] = {"NAME": f"test_tcm_{run_name}"}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOG_LEVEL = "DEBUG"
LOGGING["root"]["level"] = "DEBUG"  # noqa: F405 - every line goes through the redaction filter
LOGGING["loggers"]["plexapi"]["level"] = "DEBUG"  # noqa: F405 - plexapi logs URLs with tokens
