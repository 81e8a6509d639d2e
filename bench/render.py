"""How long a card takes to render, on one core.

    .venv/bin/python bench/render.py [--repeat 20] [--cpu 0]

For a generated 1920x1080 and 3840x2160 JPEG still it prints, per card type x {unique, blur},
the median milliseconds per card over --repeat renders (after warm-up), the floor (decoding,
scaling and encoding the same picture with no text or effects, through the same code path) and
the ratio to it, and the process's peak RSS. Figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cards.render import CardSpec, render
from cards.render.core import encode
from cards.render.samples import save_landscape
from cards.render.source import RESAMPLE, load_cover
from cards.render.types import CARD_TYPES

SOURCES = ((1920, 1080), (3840, 2160))
STYLES = ("unique", "blur")
WIDTH, HEIGHT, QUALITY = 3200, 1800, 95


def floor(path: str) -> bytes:
    """The least any card costs: decode (same draft rule), scale to the canvas, encode."""
    image = load_cover(path, (WIDTH, HEIGHT))
    if image.size != (WIDTH, HEIGHT):
        image = image.resize((WIDTH, HEIGHT), RESAMPLE)
    return encode(image, QUALITY)


def card(path: str, card_type: str, style: str) -> bytes:
    spec = CardSpec(
        source=path,
        title="The Long Night of the Soul",
        season_number=1,
        episode_number=3,
        card_type=card_type,
        style=style,
        width=WIDTH,
        height=HEIGHT,
        quality=QUALITY,
    )
    return render(spec).data


def medians_ms(jobs: dict[str, Callable[[], object]], repeat: int, warmup: int) -> dict[str, float]:
    """Median milliseconds of each job. The jobs take turns, round after round, so that a burst
    of load from elsewhere on the machine hits all of them alike rather than one."""
    for _ in range(warmup):
        for job in jobs.values():
            job()
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(repeat):
        for name, job in jobs.items():
            start = time.perf_counter()
            job()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--cpu", type=int, default=None, help="pin to this CPU (default: the first allowed)"
    )
    args = parser.parse_args()

    # One core: the figures must not depend on how many cores happen to be idle. Pillow's own
    # operations used here are single-threaded; libjpeg-turbo is too.
    cpu = args.cpu if args.cpu is not None else min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})

    print(
        f"cards {WIDTH}x{HEIGHT}, JPEG q{QUALITY} 4:4:4; median of {args.repeat} after "
        f"{args.warmup} warm-up; pinned to CPU {cpu}"
    )
    print(f"{'source':<10} {'card type':<14} {'style':<8} {'ms/card':>8} {'x floor':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for width, height in SOURCES:
            path = save_landscape(str(Path(tmp) / f"still-{width}.jpg"), width, height)
            label = f"{width}x{height}"
            jobs: dict[str, Callable[[], object]] = {"": lambda p=path: floor(p)}
            for name in CARD_TYPES:
                for style in STYLES:
                    jobs[f"{name} {style}"] = lambda p=path, n=name, s=style: card(p, n, s)
            results = medians_ms(jobs, args.repeat, args.warmup)
            base = results.pop("")
            print(f"{label:<10} {'(floor)':<14} {'':<8} {base:8.1f} {1.0:8.2f}")
            for key, ms in results.items():
                name, style = key.split()
                print(f"{label:<10} {name:<14} {style:<8} {ms:8.1f} {ms / base:8.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
