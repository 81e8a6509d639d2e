"""Whether a card keeps a large still's detail: a 200 % crop, tcm against a full-resolution
reference.

    .venv/bin/python bench/quality.py [--out DIR] [--card-type standard]

A detailed 3840x2160 still (cards/render/samples.py: the landscape with grass and wires drawn at
full resolution) is rendered as a 3200x1800 card, sharp and blurred. The reference is what the
best a person could do with Pillow gives: the still decoded at full size and scaled to the card
with Lanczos (and, for the blurred card, blurred at full size with the card type's radius), saved
as a card is (JPEG q95 4:4:4). For a
region the card type draws nothing over, it prints the SSIM (luma, 11x11 Gaussian window,
sigma 1.5) of tcm's card against the reference, and beside it what decoding at 1920x1080 and
scaling up (tcm before 2026-12-02) gives; and writes the crops at 200 % (each pixel 2x2) into
--out, side by side, to look at. Target (issue 21): SSIM >= 0.97 on the sharp crop.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from cards.render import CardSpec, effects, render
from cards.render import types as card_types
from cards.render.core import encode
from cards.render.samples import save_detailed

WIDTH, HEIGHT, QUALITY = 3200, 1800, 95
# A part of the sky and the hill's ridge (lights, wires, grass) that the usual card types leave
# alone: their text and gradients sit lower.
REGION = (1500, 420, 1900, 645)


def ssim(a: Any, b: Any) -> float:
    """The mean structural similarity of two grey (2-D uint8) pictures, as Wang et al. define
    it (Gaussian window, sigma 1.5; K1 0.01, K2 0.03), without the border the window overhangs."""
    x, y = a.astype(np.float64), b.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def window(v: Any) -> Any:
        return cv2.GaussianBlur(v, (11, 11), 1.5)

    mx, my = window(x), window(y)
    vx, vy, cov = window(x * x) - mx * mx, window(y * y) - my * my, window(x * y) - mx * my
    m = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(m[5:-5, 5:-5].mean())


def luma(image: Image.Image) -> Any:
    return np.asarray(image.convert("L"))


def crop_ssim(
    card: Image.Image, reference: Image.Image, region: tuple[int, int, int, int] = REGION
) -> float:
    return ssim(luma(card.crop(region)), luma(reference.crop(region)))


def reference(still: str, size: tuple[int, int] = (WIDTH, HEIGHT), blur: float = 0) -> Image.Image:
    """The still at full resolution scaled to the card with Pillow's Lanczos; when `blur` (a
    radius in card pixels), blurred at that size and given tcm's grain against banding (so that
    only the resolution the blur is computed at differs). The still must have the card's
    aspect."""
    with Image.open(still) as opened:
        image = opened.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    if blur:
        image = effects.dither(image.filter(ImageFilter.GaussianBlur(blur)))
    return image


def jpeg(image: Image.Image) -> Image.Image:
    """The picture saved as tcm saves a card and decoded again: what a person sees."""
    with Image.open(io.BytesIO(encode(image, QUALITY))) as opened:
        return opened.convert("RGB")


def upscaled_from_half(still: str, size: tuple[int, int] = (WIDTH, HEIGHT)) -> Image.Image:
    """What tcm did before: a DCT-scaled decode at 1920x1080, scaled up to the card."""
    with Image.open(still) as opened:
        opened.draft("RGB", (size[0] * 6 // 10, size[1] * 6 // 10))
        small = opened.convert("RGB")
    return jpeg(
        Image.fromarray(cv2.resize(np.asarray(small), size, interpolation=cv2.INTER_LINEAR))
    )


def card(still: str, card_type: str, style: str) -> tuple[Image.Image, Image.Image]:
    """tcm's card: the picture before encoding, and the JPEG a person sees, decoded."""
    spec = CardSpec(
        source=still,
        title="The Long Night of the Soul",
        season_number=1,
        episode_number=3,
        card_type=card_type,
        style=style,
        width=WIDTH,
        height=HEIGHT,
        quality=QUALITY,
    )
    result = render(spec)
    with Image.open(io.BytesIO(result.data)) as opened:
        return result.image, opened.convert("RGB")


def zoomed(
    images: list[tuple[str, Image.Image]], region: tuple[int, int, int, int] = REGION
) -> Image.Image:
    """The region of each picture at 200 % (nearest: each pixel as 2x2), side by side, named."""
    w, h = (region[2] - region[0]) * 2, (region[3] - region[1]) * 2
    sheet = Image.new("RGB", (w * len(images) + 8 * (len(images) - 1), h + 24), (24, 24, 24))
    pen = ImageDraw.Draw(sheet)
    for i, (name, image) in enumerate(images):
        part = image.crop(region).resize((w, h), Image.Resampling.NEAREST)
        sheet.paste(part, (i * (w + 8), 24))
        pen.text((i * (w + 8) + 4, 4), name, fill=(230, 230, 230))
    return sheet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "tcm-quality"))
    parser.add_argument("--card-type", default="standard")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    still = save_detailed(str(out / "still-3840x2160.jpg"))
    # The blur a card type's blur style uses, in pixels of a 3200-wide card.
    radius = card_types.get(args.card_type).blur_radius
    sharp_ref = reference(still)
    old = upscaled_from_half(still)
    sharp, sharp_jpeg = card(still, args.card_type, "unique")
    blur_ref = reference(still, blur=radius)
    blurred, blurred_jpeg = card(still, args.card_type, "blur")
    print(f"still 3840x2160 (detailed), card {WIDTH}x{HEIGHT} {args.card_type}, region {REGION}")
    print("SSIM against the reference: of the pictures, and of both saved as JPEG q95 4:4:4")
    print(f"{'card':<44} {'picture':>8} {'JPEG':>8}")
    rows = [
        ("decoded at 1920x1080, scaled up (before)", old, jpeg(old), sharp_ref),
        (f"tcm {args.card_type} unique", sharp, sharp_jpeg, sharp_ref),
        (f"tcm {args.card_type} blur (reference blurred whole)", blurred, blurred_jpeg, blur_ref),
    ]
    for name, picture, saved, ref in rows:
        print(f"{name:<44} {crop_ssim(picture, ref):8.4f} {crop_ssim(saved, jpeg(ref)):8.4f}")
    zoomed([("reference", sharp_ref), ("tcm", sharp), ("before: 1920x1080 up", old)]).save(
        out / "crop-sharp.png"
    )
    zoomed([("reference, blurred at full size", blur_ref), ("tcm blur", blurred)]).save(
        out / "crop-blur.png"
    )
    print(
        f"200 % crops (pictures before encoding): {out / 'crop-sharp.png'}, {out / 'crop-blur.png'}"
    )


if __name__ == "__main__":
    main()
