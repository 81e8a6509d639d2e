"""bench/library.py with a cProfile (thread CPU time) of the worker's tasks in every pool process:

    .venv/bin/python bench/profile_library.py --episodes 200 --db sqlite --paths scheduled
    .venv/bin/python -m pstats /tmp/tcm-prof/<pid>.prof

Same arguments as bench/library.py; the stats land in $BENCH_PROFILE_DIR (default
/tmp/tcm-prof), one file per pool process. cProfile inflates Python-heavy code: compare
shares, and take the absolute ms from an unprofiled bench/library.py run."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import library

# BENCH_PROFILE_DIR= (empty) turns cProfile off; BENCH_SPLIT_DIR=<dir> times chosen functions
# without it (bench/taskprobe.py's TARGETS), one JSON file per pool process.
os.environ.setdefault("BENCH_PROFILE_DIR", "/tmp/tcm-prof")
for var in ("BENCH_PROFILE_DIR", "BENCH_SPLIT_DIR"):
    if os.environ.get(var):
        Path(os.environ[var]).mkdir(parents=True, exist_ok=True)
# A folder of its own for the sitecustomize.py (one module of that name in bench/ for mypy).
PROBE = Path(tempfile.mkdtemp(prefix="tcm-taskprobe-"))
(PROBE / "sitecustomize.py").write_text(
    f"import sys\nsys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\nimport taskprobe\n"
)
library.PROBE = PROBE

if __name__ == "__main__":
    library.main()
