"""What the renderer hands back: fingerprints for change detection, the JPEG, and a smaller copy
for Plex's upload limit."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from PIL import Image

from cards.render import RENDERER_VERSION, CardSpec, FontSpec, RenderError, reencode, render
from cards.render.samples import save_landscape


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> str:
    return save_landscape(str(tmp_path_factory.mktemp("still") / "still.jpg"), 640, 360)


def test_the_fingerprint_covers_what_changes_pixels_but_not_paths() -> None:
    spec = CardSpec(
        source="/data/a.jpg",
        title="Pilot",
        art="/data/art.jpg",
        font=FontSpec(file="/fonts/x.ttf", replacements=(("&", "and"),)),
        extras=(("kanji", "夜"),),
    )
    data = spec.fingerprint_data()
    text = json.dumps(data, sort_keys=True)
    assert "/data/" not in text and "/fonts/" not in text
    assert data["renderer_version"] == RENDERER_VERSION
    assert data["font"]["custom_file"] is True
    moved = dataclasses.replace(spec, source="/elsewhere/a.jpg", art="/elsewhere/art.jpg")
    assert moved.fingerprint_data() == data
    for change in ({"title": "Pilot 2"}, {"style": "blur"}, {"width": 1600}, {"extras": ()}):
        assert dataclasses.replace(spec, **change).fingerprint_data() != data


def test_the_same_spec_renders_the_same_bytes(still: str) -> None:
    spec = CardSpec(source=still, title="Pilot", card_type="star_wars", width=640, height=360)
    assert render(spec).data == render(spec).data


def test_the_jpeg_has_the_requested_quality(still: str) -> None:
    spec = CardSpec(source=still, title="Pilot", width=640, height=360)
    high = render(spec).data
    low = render(dataclasses.replace(spec, quality=40)).data
    assert len(low) < len(high)


def test_reencode_makes_a_smaller_copy_under_the_limit(still: str) -> None:
    data = render(CardSpec(source=still, title="Pilot", width=1280, height=720)).data
    limit = len(data) // 3
    smaller = reencode(data, limit)
    assert len(smaller) <= limit
    image = Image.open(io.BytesIO(smaller))
    assert image.format == "JPEG"
    assert image.size in ((1280, 720), (960, 540), (640, 360))


def test_reencode_says_when_it_cannot(still: str) -> None:
    data = render(CardSpec(source=still, title="Pilot", width=640, height=360)).data
    with pytest.raises(RenderError, match="cannot make the card smaller than 100 bytes"):
        reencode(data, 100)
    with pytest.raises(RenderError, match="not a readable image"):
        reencode(b"garbage", 10_000)
