"""With the settings docker-compose.yml gives the web service, Django's deployment checks pass
at the strictest level, DEBUG is off and the security headers are configured."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import ROOT

pytestmark = pytest.mark.slow

COMPOSE = ROOT / "docker-compose.yml"


def compose_env(data_dir: Path) -> dict[str, str]:
    """The web service's environment as Docker Compose would set it with nothing exported
    (`${VAR:-default}` is the default), TCM_PUBLIC_URL set as the file's comment shows, and the
    hosts that exist only inside Docker (postgres, redis) replaced by local stand-ins."""
    text = COMPOSE.read_text()
    web = yaml.safe_load(text)["services"]["web"]["environment"]
    env = {name: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value)) for name, value in web.items()}
    [example] = re.findall(r"#\s*TCM_PUBLIC_URL:\s*(\S+)", text)
    env.update(
        TCM_PUBLIC_URL=example,
        DATABASE_URL=f"sqlite:///{data_dir / 'tcm.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/0",
        TCM_DATA_DIR=str(data_dir),  # the image's /data
        TCM_ENV_FILE=os.devnull,
        PATH=os.environ["PATH"],
        PYTHONPATH=str(ROOT),
    )
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_compose_settings_pass_the_deployment_checks(tmp_path: Path) -> None:
    env = compose_env(tmp_path)
    assert env["DEBUG"] == "false"

    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_the_compose_settings_switch_debug_off_and_set_the_headers(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF, "
        "s.SECURE_REFERRER_POLICY, s.SESSION_COOKIE_HTTPONLY, "
        "'django.middleware.csrf.CsrfViewMiddleware' in s.MIDDLEWARE, "
        "'django.middleware.clickjacking.XFrameOptionsMiddleware' in s.MIDDLEWARE)"
    )
    env = {**compose_env(tmp_path), "DJANGO_SETTINGS_MODULE": "tcm_site.settings"}
    done = run(["-c", code], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "DENY", "True", "same-origin", "True", "True", "True"]
