"""How long a card takes to render, on one core.

    .venv/bin/python bench/render.py [--repeat 20] [--cpu 0] [--types standard,poster]

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
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cards.render import CardSpec, render
from cards.render.core import encode
from cards.render.samples import save_landscape, save_logo, save_poster
from cards.render.scale import upscale
from cards.render.source import load_cover
from cards.render.types import CARD_TYPES

SOURCES = ((1920, 1080), (3840, 2160))
STYLES = ("unique", "blur")
WIDTH, HEIGHT, QUALITY = 3200, 1800, 95


def floor(path: str) -> bytes:
    """The least any card costs: decode (same draft rule), scale to the canvas, encode."""
    image = upscale(load_cover(path, (WIDTH, HEIGHT)), (WIDTH, HEIGHT))
    return encode(image, QUALITY)


def card(path: str, card_type: str, style: str, pictures: dict[str, str]) -> bytes:
    spec = CardSpec(
        source=path,
        logo=pictures["logo"],
        poster=pictures["poster"],
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


def medians_ms(
    jobs: dict[str, Callable[[], object]], repeat: int, warmup: int
) -> dict[str, tuple[float, float]]:
    """Median wall-clock and CPU milliseconds of each job. The jobs take turns, round after
    round, so that a burst of load from elsewhere on the machine hits all of them alike; the CPU
    time (this process only) shows what the figures would be on an idle machine."""
    for _ in range(warmup):
        for job in jobs.values():
            job()
    wall: dict[str, list[float]] = {name: [] for name in jobs}
    cpu: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(repeat):
        for name, job in jobs.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            job()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return {
        name: (statistics.median(wall[name]) * 1000, statistics.median(cpu[name]) * 1000)
        for name in jobs
    }


def row(source: str, name: str, style: str, ms: float, cpu_ms: float, base: float) -> str:
    return f"{source:<10} {name:<14} {style:<7} {ms:8.1f} {ms / base:8.2f} {cpu_ms:8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--types", help="comma-separated card types to time (default: every type)", default=""
    )
    parser.add_argument(
        "--cpu", type=int, default=None, help="pin to this CPU (default: the first allowed)"
    )
    args = parser.parse_args()
    names = [name.strip() for name in args.types.split(",") if name.strip()] or list(CARD_TYPES)
    unknown = [name for name in names if name not in CARD_TYPES]
    if unknown:
        parser.error(f"unknown card types: {', '.join(unknown)}")

    # One core: the figures must not depend on how many cores happen to be idle. Pillow's own
    # operations used here are single-threaded, libjpeg-turbo is too, and the renderer keeps
    # OpenCV to one thread.
    cpu = args.cpu if args.cpu is not None else min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})

    print(
        f"cards {WIDTH}x{HEIGHT}, JPEG q{QUALITY} 4:4:4; median of {args.repeat} after "
        f"{args.warmup} warm-up; pinned to CPU {cpu}"
    )
    print(
        f"{'source':<10} {'card type':<14} {'style':<7} {'ms/card':>8} {'x floor':>8} {'cpu ms':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        # The series' logo and poster, for the types that draw them (some cannot do without).
        pictures = {
            "logo": save_logo(str(Path(tmp) / "logo.png")),
            "poster": save_poster(str(Path(tmp) / "poster.jpg")),
        }
        for width, height in SOURCES:
            path = save_landscape(str(Path(tmp) / f"still-{width}.jpg"), width, height)
            label = f"{width}x{height}"
            jobs: dict[str, Callable[[], object]] = {"": partial(floor, path)}
            for name in names:
                for style in STYLES:
                    jobs[f"{name} {style}"] = partial(card, path, name, style, pictures)
            results = medians_ms(jobs, args.repeat, args.warmup)
            base, base_cpu = results.pop("")
            print(row(label, "(floor)", "", base, base_cpu, base))
            for key, (ms, ms_cpu) in results.items():
                name, style = key.split()
                print(row(label, name, style, ms, ms_cpu, base))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
