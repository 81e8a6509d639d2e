"""Settings for a process that renders cards, made once at its start (a Celery worker, the
command line, the benchmark): nothing here changes what a card looks like.

- numpy's OpenBLAS starts a thread per core at import; a renderer uses none of it, and with a
  worker process per core those threads would only compete with the neighbour. One thread.
- glibc's malloc hands every buffer above its threshold (at most 32 MB) back to the system when
  it is freed, and the next card faults the same memory in again, page by page: a card's pictures
  (a decoded 4K still is 25-33 MB, the card 17-23 MB) are all that big. Keeping them in the heap
  for reuse saves that on every card (bench/README.md, "Rendering"); the peak memory is the same,
  since the next card needs as much again.
- A worker's pool processes render at a lower CPU priority than the web server
  (lower_priority(), from tcm_site/celery.py): rendering fills every core it is given, and
  Tautulli's posts should not wait for it.
"""

from __future__ import annotations

import ctypes
import os

# mallopt parameters (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# Buffers up to this size come from the heap, and the heap keeps this much free at its top.
KEEP_BYTES = 256 * 1024 * 1024


def prepare() -> None:
    """Make this process a renderer's: call it before numpy is imported (it is imported on the
    first card), and in the process that renders (or before it forks its workers)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    keep_big_buffers()


def keep_big_buffers() -> bool:
    """Tell glibc's malloc to keep freed big buffers for reuse; False where it cannot be told
    (another C library), or when the environment already decided (MALLOC_MMAP_THRESHOLD_ or
    MALLOC_TRIM_THRESHOLD_ set: glibc has read them at start)."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    try:
        # The symbols already loaded (libc's among them): ctypes.util.find_library would run
        # ldconfig in a subprocess, which costs a command-line card more than this whole module.
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, KEEP_BYTES) and mallopt(M_TRIM_THRESHOLD, KEEP_BYTES))


def lower_priority(niceness: int) -> int:
    """Run this process at least at `niceness` (0-19; a process already nicer stays so, and
    nothing is raised: that would need privileges). Returns the niceness it now has."""
    current = os.getpriority(os.PRIO_PROCESS, 0)
    target = max(0, min(19, niceness))
    if target > current:
        return os.nice(target - current)
    return current
