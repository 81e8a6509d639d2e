"""How long a card takes to render, on one core.

    .venv/bin/python bench/render.py [--repeat 20] [--cpu 0] [--types standard,poster]
        [--quality 95]

For a generated 1920x1080 and 3840x2160 JPEG still it prints, per card type x {unique, blur},
the median milliseconds per card over --repeat renders (after warm-up), wall-clock and this
process's CPU time, each with its ratio to the floor's, and the process's peak RSS. Figures go
into bench/README.md.

The floor is the fastest way measured to do what every card must: decode the still (whole, or
DCT-scaled to no less than the card), scale it to 3200x1800 and encode it as JPEG 4:4:4 at the
cards' quality, on one thread, with nothing drawn. Three ways are timed in the same rounds as the
cards and the fastest is the floor: Pillow decoding and encoding with OpenCV scaling (the
pictures handed over as numpy arrays), OpenCV alone, and Pillow alone. The floor at q92 (issue
21's definition) is printed too.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2
import numpy as np
from PIL import Image

from cards.render import CardSpec, process, render
from cards.render.samples import save_landscape, save_logo, save_poster
from cards.render.types import CARD_TYPES

SOURCES = ((1920, 1080), (3840, 2160))
STYLES = ("unique", "blur")
WIDTH, HEIGHT = 3200, 1800
SIZE = (WIDTH, HEIGHT)


def _interpolation(width: int) -> int:
    # Up: bilinear. Down by less than half (all a DCT-scaled decode leaves): bicubic.
    return cv2.INTER_LINEAR if width <= WIDTH else cv2.INTER_CUBIC


def floor_pillow_opencv(path: str, quality: int) -> bytes:
    """Pillow decodes (DCT-scaled to no less than the card) and encodes, OpenCV scales."""
    with Image.open(path) as image:
        image.draft("RGB", SIZE)
        pixels = np.asarray(image.convert("RGB"))
    scaled = cv2.resize(pixels, SIZE, interpolation=_interpolation(pixels.shape[1]))
    buffer = io.BytesIO()
    Image.fromarray(scaled).save(buffer, "JPEG", quality=quality, subsampling=0)
    return buffer.getvalue()


def floor_opencv(path: str, quality: int) -> bytes:
    """OpenCV alone (BGR throughout: no channel swap)."""
    data = np.fromfile(path, np.uint8)
    pixels: Any = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if pixels.shape[1] >= 2 * WIDTH:  # a DCT-scaled decode no smaller than the card
        pixels = cv2.imdecode(data, cv2.IMREAD_REDUCED_COLOR_2)
    scaled = cv2.resize(pixels, SIZE, interpolation=_interpolation(pixels.shape[1]))
    params = [
        cv2.IMWRITE_JPEG_QUALITY,
        quality,
        cv2.IMWRITE_JPEG_SAMPLING_FACTOR,
        cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444,
    ]
    return cv2.imencode(".jpg", scaled, params)[1].tobytes()


def floor_pillow(path: str, quality: int) -> bytes:
    """Pillow alone (its bilinear resize, which also averages when shrinking)."""
    with Image.open(path) as image:
        image.draft("RGB", SIZE)
        scaled = image.convert("RGB").resize(SIZE, Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    scaled.save(buffer, "JPEG", quality=quality, subsampling=0)
    return buffer.getvalue()


FLOORS = {
    "pillow+opencv": floor_pillow_opencv,
    "opencv": floor_opencv,
    "pillow": floor_pillow,
}


def card(path: str, card_type: str, style: str, pictures: dict[str, str], quality: int) -> bytes:
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
        quality=quality,
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


def row(
    source: str, name: str, style: str, ms: float, cpu_ms: float, base: tuple[float, float]
) -> str:
    return (
        f"{source:<10} {name:<24} {style:<7} {ms:8.1f} {ms / base[0]:8.2f} {cpu_ms:8.1f} "
        f"{cpu_ms / base[1]:8.2f}"
    )


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
    parser.add_argument(
        "--quality", type=int, default=CardSpec.quality, help="JPEG quality of cards and floor"
    )
    parser.add_argument(
        "--plain-malloc",
        action="store_true",
        help="leave glibc's malloc as it is (workers tell it to keep big buffers)",
    )
    args = parser.parse_args()
    names = [name.strip() for name in args.types.split(",") if name.strip()] or list(CARD_TYPES)
    unknown = [name for name in names if name not in CARD_TYPES]
    if unknown:
        parser.error(f"unknown card types: {', '.join(unknown)}")

    # One core: the figures must not depend on how many cores happen to be idle. Pillow's own
    # operations used here are single-threaded, libjpeg-turbo is too, and the renderer keeps
    # OpenCV to one thread (so does the floor).
    cpu = args.cpu if args.cpu is not None else min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    cv2.setNumThreads(1)
    # As a worker process is set up (tcm_site/celery.py).
    tuned = process.keep_big_buffers() if not args.plain_malloc else False
    quality = args.quality

    print(
        f"cards {WIDTH}x{HEIGHT}, JPEG q{quality} 4:4:4; median of {args.repeat} after "
        f"{args.warmup} warm-up; pinned to CPU {cpu}; malloc keeps big buffers: {tuned}; "
        "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())
    )
    print(
        f"{'source':<10} {'card type':<24} {'style':<7} {'ms/card':>8} {'x floor':>8} "
        f"{'cpu ms':>8} {'x floor':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        # The series' logo and poster, for the types that draw them (some cannot do without).
        pictures = {
            "logo": save_logo(str(Path(tmp) / "logo.png")),
            "poster": save_poster(str(Path(tmp) / "poster.jpg")),
        }
        worst = 0.0
        for width, height in SOURCES:
            path = save_landscape(str(Path(tmp) / f"still-{width}.jpg"), width, height)
            label = f"{width}x{height}"
            jobs: dict[str, Callable[[], object]] = {}
            for way, floor in FLOORS.items():
                jobs[f"floor:{way}"] = partial(floor, path, quality)
            jobs["floor:q92"] = partial(floor_pillow_opencv, path, 92)
            for name in names:
                for style in STYLES:
                    jobs[f"{name} {style}"] = partial(card, path, name, style, pictures, quality)
            results = medians_ms(jobs, args.repeat, args.warmup)
            floors = {key: results.pop(key) for key in list(results) if key.startswith("floor:")}
            q92 = floors.pop("floor:q92")
            # The fastest by CPU time: on a shared machine the wall-clock figures carry the
            # neighbours' load; the CPU time is this process's own.
            fastest = min(floors, key=lambda key: floors[key][1])
            base = floors[fastest]
            for key, (ms, ms_cpu) in floors.items():
                mark = "(floor)" if key == fastest else ""
                print(row(label, f"{key} {mark}", "", ms, ms_cpu, base))
            print(row(label, "floor:pillow+opencv q92", "", *q92, base))
            for key, (ms, ms_cpu) in results.items():
                name, style = key.split()
                print(row(label, name, style, ms, ms_cpu, base))
                worst = max(worst, ms_cpu / base[1])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"slowest card: {worst:.2f}x its floor (CPU time); peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
