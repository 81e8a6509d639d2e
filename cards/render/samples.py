"""A generated landscape to render cards from: for tests, the benchmark and the contact sheet in
the docs, so none of them needs a real (copyrighted) episode still."""

from __future__ import annotations

import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter


def landscape(width: int = 1920, height: int = 1080, seed: int = 3) -> Image.Image:
    """A night sky with glowing lights over a hill, with cloudy texture and fine grain: smooth
    areas and detail, like a real still (and JPEG-compressible like one)."""
    rng = random.Random(seed)
    # Build at a quarter size and scale up: the shapes are soft anyway.
    w, h = max(8, width // 4), max(8, height // 4)
    sky_top, sky_bottom = (20, 30, 90), (60, 110, 150)
    column = Image.new("RGB", (1, h))
    column.putdata(
        [
            tuple(
                round(a + (b - a) * (y / max(1, h - 1)) ** 1.3)
                for a, b in zip(sky_top, sky_bottom, strict=True)
            )
            for y in range(h)
        ]
    )
    image = column.resize((w, h))
    # A purple haze to the right, as in a dusk sky.
    haze = Image.linear_gradient("L").rotate(90).resize((w, h))
    image = Image.composite(
        Image.new("RGB", (w, h), (90, 60, 150)), image, haze.point(lambda v: v // 2)
    )
    glow = Image.new("L", (w, h), 0)
    pen = ImageDraw.Draw(glow)
    for _ in range(4):
        x, y, r = (
            rng.uniform(0.3, 0.8) * w,
            rng.uniform(0.15, 0.35) * h,
            rng.uniform(0.01, 0.02) * w,
        )
        pen.ellipse((x - r, y - r, x + r, y + r), fill=rng.randrange(120, 200))
    glow = glow.filter(ImageFilter.GaussianBlur(w / 50))
    image.paste((255, 220, 230), (0, 0), glow)
    hill = Image.new("L", (w, h), 0)
    peak = rng.uniform(0.35, 0.55)
    points: list[tuple[float, float]] = [(0, h * 0.62)]
    for i in range(1, 40):
        x = i / 40
        ridge = 0.42 + 0.35 * abs(x - peak) ** 1.2 + rng.uniform(-0.006, 0.006)
        points.append((x * w, ridge * h))
    points += [(w, h * 0.6), (w, h), (0, h)]
    ImageDraw.Draw(hill).polygon(points, fill=255)
    ground = Image.linear_gradient("L").resize((w, h))
    ground_rgb = Image.merge(
        "RGB",
        (
            ground.point(lambda v: 135 - v // 3),
            ground.point(lambda v: 125 - v // 3),
            ground.point(lambda v: 70 - v // 5),
        ),
    )
    image.paste(ground_rgb, (0, 0), hill.filter(ImageFilter.GaussianBlur(0.6)))
    # Cloudy texture: coarse noise, blurred, multiplied in.
    coarse = Image.effect_noise((w // 16 + 2, h // 16 + 2), 50).resize(
        (w, h), Image.Resampling.BICUBIC
    )
    fine = Image.effect_noise((w // 3 + 1, h // 3 + 1), 60).resize((w, h), Image.Resampling.BICUBIC)
    clouds = ImageChops.blend(coarse, fine, 0.4).filter(ImageFilter.GaussianBlur(1.5))
    clouds = clouds.point(lambda v: 120 + v // 2)
    image = ImageChops.multiply(image, Image.merge("RGB", (clouds, clouds, clouds)))
    image = ImageChops.add(image, image, scale=1.4)  # multiply darkened it; bring it back
    image = image.resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((width, height), 18).point(lambda v: v // 8)
    return ImageChops.add(image, Image.merge("RGB", (grain, grain, grain)), offset=-16)


def save_landscape(path: str, width: int = 1920, height: int = 1080, quality: int = 90) -> str:
    landscape(width, height).save(path, "JPEG", quality=quality)
    return path


def logo(text: str = "THE LONG NIGHT", height: int = 206) -> Image.Image:
    """A series logo as Plex's clearLogo is one: white bold letters on transparent, cropped."""
    from . import fonts  # here, not at the top: the landscape needs no fonts

    font = fonts.load(fonts.GEOMETRIC_BOLD, height)
    left, top, right, bottom = (round(v) for v in font.getbbox(text))
    image = Image.new("RGBA", (right - left + 8, bottom - top + 8), (0, 0, 0, 0))
    ImageDraw.Draw(image).text((4 - left, 4 - top), text, font=font, fill=(255, 255, 255, 255))
    return image


def save_logo(path: str, text: str = "THE LONG NIGHT", height: int = 206) -> str:
    logo(text, height).save(path, "PNG")
    return path


def poster(width: int = 1000, height: int = 1500, seed: int = 5) -> Image.Image:
    """A series poster: a portrait crop of a landscape with the series name across the top."""
    from . import fonts

    image = landscape(round(height * 16 / 9), height, seed).crop((0, 0, width, height))
    font = fonts.load(fonts.GEOMETRIC_BOLD, width // 9)
    pen = ImageDraw.Draw(image)
    pen.text((width / 2, height * 0.08), "THE LONG", font=font, fill="white", anchor="mt")
    pen.text((width / 2, height * 0.16), "NIGHT", font=font, fill="white", anchor="mt")
    return image


def save_poster(path: str, width: int = 1000, height: int = 1500, quality: int = 90) -> str:
    poster(width, height).save(path, "JPEG", quality=quality)
    return path


def detailed(width: int = 3840, height: int = 2160, seed: int = 7) -> Image.Image:
    """The landscape with fine detail at full resolution, as a sharp 4K still has it (foliage,
    grass, wires): what shows whether a card keeps a large still's detail or softens it."""
    rng = random.Random(seed)
    image = landscape(width, height)
    texture = Image.effect_noise((width, height), 60).filter(ImageFilter.GaussianBlur(0.7))
    texture = texture.point(lambda v: 100 + v * 5 // 8)
    image = ImageChops.multiply(image, Image.merge("RGB", (texture, texture, texture)))
    image = ImageChops.add(image, image, scale=1.6)
    pen = ImageDraw.Draw(image)
    s = width / 3840
    for _ in range(2500):  # grass on the hill
        x, y = rng.uniform(0, width), rng.uniform(height * 0.45, height)
        length, lean, grey = rng.uniform(20, 90) * s, rng.uniform(-0.4, 0.4), rng.randrange(60, 230)
        pen.line(
            (x, y, x + length * lean, y - length),
            fill=(grey, grey, grey * 7 // 10),
            width=max(1, round(2 * s)),
        )
    for _ in range(60):  # wires across the sky
        x, y = rng.uniform(0, width), rng.uniform(0, height * 0.45)
        end = (x + rng.uniform(-400, 400) * s, y + rng.uniform(-60, 60) * s)
        pen.line((x, y, *end), fill=(200, 200, 210), width=1)
    return image


def save_detailed(path: str, width: int = 3840, height: int = 2160, quality: int = 90) -> str:
    detailed(width, height).save(path, "JPEG", quality=quality)
    return path
