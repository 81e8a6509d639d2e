"""One card from the command line (`python -m cards.render`, what `./tcm render-card` runs) starts
the renderer alone: no Django, no full font parser, no subprocess to find libc; the card is the
same as `manage.py render_card`'s."""

from __future__ import annotations

import os
import subprocess
import sys

from cards.render.samples import save_landscape
from tests.support import ROOT


def test_one_card_from_the_command_line_loads_neither_django_nor_fonttools(tmp_path) -> None:
    still = save_landscape(str(tmp_path / "still.jpg"), 480, 270)
    out = tmp_path / "card.jpg"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [
            sys.executable, "-X", "importtime", "-m", "cards.render", still, "--title",
            "The Long Night", "--season", "1", "--episode", "3", "--width", "640",
            "--height", "360", "--out", str(out),
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    imported = {
        line.split("|")[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "cards.render.core" in imported  # the log is the import log
    assert not {name for name in imported if name.split(".")[0] in ("django", "fontTools")}
    assert "ctypes.util" not in imported
    assert out.read_bytes()[:2] == b"\xff\xd8"
