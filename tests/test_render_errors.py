"""Bad input ends in one clear RenderError naming the problem: never a hang, a traceback from deep
inside Pillow, or gigabytes of memory."""

from __future__ import annotations

import struct
import zlib

import pytest
from PIL import Image

from cards.render import CardSpec, RenderError, render
from cards.render.samples import save_landscape


@pytest.fixture
def still(tmp_path) -> str:
    return save_landscape(str(tmp_path / "still.jpg"), 320, 180)


def attempt(source: str, **fields: object) -> None:
    render(CardSpec(source=source, title="x", width=320, height=180, **fields))


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares a size and then has almost nothing in it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def test_a_missing_file(tmp_path) -> None:
    with pytest.raises(RenderError, match=r"source image not found: .*nope\.jpg"):
        attempt(str(tmp_path / "nope.jpg"))


def test_a_zero_byte_file(tmp_path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(RenderError, match=r"empty file \(0 bytes\)"):
        attempt(str(empty))


def test_a_file_that_is_not_an_image(tmp_path) -> None:
    text = tmp_path / "notes.jpg"
    text.write_text("these are not pixels")
    with pytest.raises(RenderError, match="not an image"):
        attempt(str(text))


def test_a_directory(tmp_path) -> None:
    with pytest.raises(RenderError, match="not a file"):
        attempt(str(tmp_path))


def test_a_truncated_jpeg(tmp_path, still: str) -> None:
    with open(still, "rb") as f:
        data = f.read()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(RenderError, match=r"cannot decode source image .*cut\.jpg"):
        attempt(str(cut))


def test_a_corrupt_png(tmp_path) -> None:
    path = tmp_path / "corrupt.png"
    Image.new("RGB", (64, 64), (10, 200, 30)).save(path)
    data = bytearray(path.read_bytes())
    data[60:90] = b"\xff" * 30  # inside the compressed pixels
    path.write_bytes(bytes(data))
    with pytest.raises(RenderError, match=r"corrupt\.png"):
        attempt(str(path))


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header(20000, 20000))
    with pytest.raises(RenderError, match=r"too large.*megapixel"):
        attempt(str(bomb))
    big = tmp_path / "big.png"
    big.write_bytes(png_header(9000, 9000))  # over our limit, under Pillow's own
    with pytest.raises(RenderError, match="9000x9000 is over the 50-megapixel limit"):
        attempt(str(big))


def test_an_unknown_card_type(still: str) -> None:
    with pytest.raises(RenderError, match="unknown card type 'fancy'; choose one of: standard"):
        attempt(still, card_type="fancy")


def test_an_unknown_style(still: str) -> None:
    with pytest.raises(RenderError, match="unknown style 'sepia'"):
        attempt(still, style="sepia")


def test_art_style_without_art(still: str) -> None:
    with pytest.raises(RenderError, match="needs the series' background art"):
        attempt(still, style="art")


def test_a_missing_art_file(tmp_path, still: str) -> None:
    with pytest.raises(RenderError, match="art image not found"):
        attempt(still, style="art", art=str(tmp_path / "art.jpg"))


def test_bad_settings(still: str) -> None:
    from cards.render import FontSpec

    with pytest.raises(RenderError, match="unknown font colour 'blurple'"):
        attempt(still, font=FontSpec(color="blurple"))
    with pytest.raises(RenderError, match="size scale"):
        attempt(still, font=FontSpec(size=0))
    with pytest.raises(RenderError, match="unknown case"):
        attempt(still, font=FontSpec(case="shouting"))
    with pytest.raises(RenderError, match="bad value 'maybe' for option omit_gradient"):
        attempt(still, extras=(("omit_gradient", "maybe"),))
    with pytest.raises(RenderError, match="out of range"):
        attempt(still, quality=0)


def test_an_option_for_another_card_type_is_only_a_warning(still: str) -> None:
    result = render(
        CardSpec(source=still, title="x", width=320, height=180, extras=(("kanji", "夜"),))
    )
    assert result.warnings == ["option 'kanji' does not apply to card type standard"]


def test_every_error_is_one_line(tmp_path, still: str) -> None:
    cases = [
        lambda: attempt(str(tmp_path / "missing.png")),
        lambda: attempt(still, card_type="nope"),
        lambda: attempt(still, style="nope"),
    ]
    for case in cases:
        with pytest.raises(RenderError) as error:
            case()
        assert "\n" not in str(error.value)
