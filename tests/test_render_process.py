"""A rendering process is set up once at its start (cards/render/process.py): one OpenBLAS
thread, and glibc's malloc keeping big buffers; the environment's own choice is respected.
Each case runs in a fresh interpreter, since the settings are the process's."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import ROOT

SCRIPT = (
    "import os; from cards.render import process; tuned = process.keep_big_buffers(); "
    "process.prepare(); print(tuned, os.environ['OPENBLAS_NUM_THREADS'])"
)


def run(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "OPENBLAS_"))}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_a_rendering_process_keeps_big_buffers_and_one_blas_thread() -> None:
    assert run({}) == "True 1"


def test_the_environment_s_own_choice_wins() -> None:
    assert run({"MALLOC_MMAP_THRESHOLD_": "65536", "OPENBLAS_NUM_THREADS": "2"}) == "False 2"
