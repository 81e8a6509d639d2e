"""cards/render/scale.py hands the two costliest pixel steps to OpenCV. It must give the picture
Pillow would have given: the same interpolation when scaling up, the same blend when shading."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageStat

from cards.render import scale
from cards.render.samples import landscape


def _max_difference(a: Image.Image, b: Image.Image) -> int:
    assert a.size == b.size and a.mode == b.mode
    return max(high for _, high in ImageChops.difference(a, b).convert("RGB").getextrema())


def _mean_difference(a: Image.Image, b: Image.Image) -> float:
    return max(ImageStat.Stat(ImageChops.difference(a, b)).mean)


def test_it_scales_up_like_pillows_bilinear() -> None:
    picture = landscape(480, 270)
    ours = scale.upscale(picture, (800, 450))
    assert ours.mode == "RGB" and ours.size == (800, 450)
    assert _max_difference(ours, picture.resize((800, 450), Image.Resampling.BILINEAR)) <= 1


def test_it_scales_up_smoothly_like_pillows_bicubic() -> None:
    # A blurred card is scaled up tenfold: same look as Pillow's bicubic, to a level or two.
    picture = landscape(80, 45)
    ours = scale.upscale(picture, (800, 450), smooth=True)
    pillow = picture.resize((800, 450), Image.Resampling.BICUBIC)
    assert _mean_difference(ours, pillow) < 0.5
    assert _max_difference(ours, pillow) <= 8


def test_it_scales_grey_pictures_as_grey() -> None:
    picture = landscape(480, 270).convert("L")
    ours = scale.upscale(picture, (800, 450))
    assert ours.mode == "L"
    assert _max_difference(ours, picture.resize((800, 450), Image.Resampling.BILINEAR)) <= 1


def test_it_leaves_shrinking_to_pillows_filters() -> None:
    # OpenCV's bilinear skips source pixels when shrinking; a fine stripe pattern would alias.
    stripes = Image.new("L", (800, 450))
    stripes.putdata([255 * (x % 2) for _ in range(450) for x in range(800)])
    smaller = scale.upscale(stripes.convert("RGB"), (300, 450))
    assert smaller.size == (300, 450)
    low, high = smaller.convert("L").getextrema()
    assert high - low < 40  # averaged to grey, not sampled into bars


def test_it_returns_the_same_picture_when_the_size_is_right() -> None:
    picture = landscape(320, 180)
    assert scale.upscale(picture, (320, 180)) is picture


def test_it_shades_like_a_paste_through_the_mask() -> None:
    for mode, color in (("RGB", (12, 40, 200)), ("L", (90,))):
        picture = landscape(400, 300).convert(mode)
        mask = Image.linear_gradient("L").resize((400, 200))
        box = (0, 100, 400, 300)
        pasted = picture.copy()
        pasted.paste(color if mode == "RGB" else color[0], box, mask)
        shaded = picture.copy()
        scale.shade(shaded, box, scale.shade_layers(mask, color, mode))
        assert _max_difference(shaded, pasted) <= 1
        # Outside the box nothing changed.
        assert _max_difference(shaded.crop((0, 0, 400, 100)), picture.crop((0, 0, 400, 100))) == 0
