"""Where a rendering worker's memory goes, in one process, cheaply.

    .venv/bin/python bench/memory.py [--types standard,anime] [--rounds 3] [--styles unique,blur]

Set up as a worker process is (cards.render.process.prepare(): one OpenBLAS thread, glibc told
to keep big buffers), then render cards of every type (or --types) and style from a 1920x1080
and a 3840x2160 still, phase by phase. After each phase it prints the peak RSS so far
(ru_maxrss), the RSS now, and the bytes held by the renderer's module-level caches (every
functools cache in cards.render whose values are numpy arrays or Pillow images). Figures go
into bench/README.md ("Memory").
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import importlib
import os
import pkgutil
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cards.render import process

MIB = 1024 * 1024
WIDTHS = (1920, 3840)
MAKE = f"""
import sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
from cards.render.samples import save_landscape, save_logo, save_poster
tmp = sys.argv[1]
save_logo(tmp + "/logo.png")
save_poster(tmp + "/poster.jpg")
for w in {WIDTHS!r}:
    save_landscape(tmp + f"/s{{w}}.jpg", w, w * 9 // 16)
    save_landscape(tmp + f"/a{{w}}.jpg", w, w * 9 // 16)
"""


def rss_now() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _bytes_of(value: Any, seen: set[int]) -> int:
    if id(value) in seen:
        return 0
    seen.add(id(value))
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int) and hasattr(value, "shape"):
        return nbytes
    if hasattr(value, "im") and hasattr(value, "size") and hasattr(value, "mode"):
        width, height = value.size
        per = {"1": 1, "L": 1, "P": 1, "I;16": 2}.get(value.mode, 4)
        return width * height * per
    if isinstance(value, (tuple, list)):
        return sum(_bytes_of(v, seen) for v in value)
    if isinstance(value, dict):
        return sum(_bytes_of(v, seen) for v in value.values())
    return 0


def caches() -> dict[str, tuple[int, int]]:
    """Every functools cache in cards.render: (entries, bytes of arrays and images held)."""
    import cards.render

    found: dict[str, tuple[int, int]] = {}
    names = [cards.render.__name__] + [
        m.name for m in pkgutil.walk_packages(cards.render.__path__, "cards.render.")
    ]
    for name in names:
        module = importlib.import_module(name)
        for attr, obj in vars(module).items():
            if not hasattr(obj, "cache_info") or getattr(obj, "__module__", "") != name:
                continue
            entries = obj.cache_info().currsize
            held = 0
            seen: set[int] = set()
            # The cached values: CPython's lru wrapper shows them to gc as its referents.
            for ref in gc.get_referents(obj):
                held += _bytes_of(ref, seen)
            found[f"{name.removeprefix('cards.render.')}.{attr}"] = (entries, held)
    return found


def report(phase: str) -> None:
    gc.collect()
    held = caches()
    total = sum(b for _, b in held.values())
    print(
        f"{phase:<28} peak {peak() / MIB:7.1f} MiB  now {rss_now() / MIB:7.1f} MiB  "
        f"caches {total / MIB:6.1f} MiB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--types", default="")
    parser.add_argument("--styles", default="unique,blur,blur grayscale,art blur")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--plain-malloc", action="store_true", help="glibc's defaults")
    parser.add_argument("--trim", action="store_true", help="malloc_trim(0) after each card")
    parser.add_argument(
        "--django",
        action="store_true",
        help="Django, Celery and the tasks loaded first, as a worker",
    )
    args = parser.parse_args()
    if args.django:
        # What a worker process has loaded before its first card (its settings from a throw-away
        # data dir: nothing here touches a database).
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tcm_site.settings")
        os.environ.setdefault("TCM_DATA_DIR", tempfile.mkdtemp(prefix="tcm-memory-"))
        os.environ.setdefault("TCM_ENV_FILE", os.devnull)
        import django

        django.setup()
        import cards.tasks  # noqa: F401
        import tcm_site.celery  # noqa: F401
    if args.plain_malloc:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    else:
        process.prepare()
    report("start")
    from cards.render import CardSpec, render
    from cards.render.scale import _cv2

    _cv2()  # numpy and OpenCV: their libraries alone are a good part of a worker's RSS
    report("numpy, OpenCV imported")
    trim = ctypes.CDLL(None).malloc_trim if args.trim else None
    from cards.render.types import CARD_TYPES

    report("imported")
    types = args.types.split(",") if args.types else list(CARD_TYPES)
    with tempfile.TemporaryDirectory() as tmp:
        # Made in another process: drawing them would leave this one's heap grown.
        subprocess.run([sys.executable, "-c", MAKE, tmp], check=True)
        logo, poster = str(Path(tmp) / "logo.png"), str(Path(tmp) / "poster.jpg")
        stills = {w: (str(Path(tmp) / f"s{w}.jpg"), str(Path(tmp) / f"a{w}.jpg")) for w in WIDTHS}
        report("stills made")

        def card(still: str, art: str, card_type: str, **extra: Any) -> CardSpec:
            return CardSpec(
                source=still,
                art=art,
                logo=logo,
                poster=poster,
                title="The Long Night of the Soul",
                season_number=1,
                episode_number=3,
                card_type=card_type,
                **extra,
            )

        for card_type in types:  # small cards first: what a card needs besides its pictures
            render(card(*stills[WIDTHS[0]], card_type, width=320, height=180))
        report("320x180 cards")
        for round_ in range(args.rounds):
            for width, (still, art) in stills.items():
                for style in args.styles.split(","):
                    for card_type in types:
                        render(card(still, art, card_type, style=style))
                        if trim is not None:
                            trim(0)
                    report(f"r{round_} {width} {style}")
        held = caches()
        print(f"\nlargest caches (entries, MiB) after {args.rounds} rounds:")
        for name, (entries, size) in sorted(held.items(), key=lambda kv: -kv[1][1])[: args.top]:
            print(f"  {name:<44} {entries:4d} {size / MIB:7.1f}")


if __name__ == "__main__":
    main()
