"""A fitted logo is kept for the next card of the series, but a logo replaced on disk is read
again, and no card can change the kept copy."""

from __future__ import annotations

import os

from PIL import Image

from cards.render.source import load_fitted


def colour(path: str) -> tuple[int, int, int]:
    return load_fitted(path, (400, 100), "logo", grow=True).getpixel((10, 10))[:3]


def test_a_replaced_logo_is_read_again(tmp_path) -> None:
    path = tmp_path / "logo.png"
    Image.new("RGBA", (200, 50), (255, 0, 0, 255)).save(path)
    assert colour(str(path)) == (255, 0, 0)
    # Same size on disk and the same modification time: still a new file (a new inode).
    stat = path.stat()
    replacement = tmp_path / "new.png"
    Image.new("RGBA", (200, 50), (0, 0, 255, 255)).save(replacement)
    replacement.replace(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert colour(str(path)) == (0, 0, 255)


def test_a_card_drawing_on_its_logo_does_not_change_the_next_one(tmp_path) -> None:
    path = tmp_path / "logo.png"
    Image.new("RGBA", (200, 50), (255, 255, 255, 255)).save(path)
    first = load_fitted(str(path), (400, 100), "logo", grow=True)
    first.paste((0, 0, 0, 0), (0, 0, 400, 100))
    again = load_fitted(str(path), (400, 100), "logo", grow=True)
    assert again.getpixel((10, 10)) == (255, 255, 255, 255)
