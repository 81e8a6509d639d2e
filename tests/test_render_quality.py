"""A card from a still larger than the card keeps the still's detail (scaled down from a full
decode, never up from a reduced one); the blurred styles' low-resolution path does not show.
Measured as bench/quality.py does: SSIM of a region against a full-resolution Pillow reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.quality import card, crop_ssim, jpeg, reference, upscaled_from_half
from cards.render.effects import BLUR_RADIUS
from cards.render.samples import save_detailed

pytestmark = pytest.mark.slow  # each test draws a detailed 4K still and a reference card


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> str:
    return save_detailed(str(tmp_path_factory.mktemp("quality") / "still-4k.jpg"))


def test_a_4k_still_keeps_its_detail_on_a_sharp_card(still: str) -> None:
    ref = reference(still)
    picture, saved = card(still, "standard", "unique")
    assert crop_ssim(picture, ref) >= 0.97
    assert crop_ssim(saved, jpeg(ref)) >= 0.95  # both saved as JPEG q95: the codec's loss too
    # The test tells the two apart: decoding at 1920x1080 and scaling up falls well short.
    assert crop_ssim(upscaled_from_half(still), ref) < 0.9


def test_the_blurred_card_does_not_show_its_low_resolution(still: str) -> None:
    picture, _ = card(still, "standard", "blur")
    assert crop_ssim(picture, reference(still, blur=BLUR_RADIUS)) >= 0.99


def test_a_still_the_size_of_the_card_is_used_as_it_is(tmp_path: Path) -> None:
    exact = save_detailed(str(tmp_path / "still.jpg"), 3200, 1800)
    picture, _ = card(exact, "standard", "unique")
    assert crop_ssim(picture, reference(exact)) >= 0.99
