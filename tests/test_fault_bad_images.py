"""Plex serves a still that cannot make a card - corrupt, truncated, empty, or a decompression
bomb (20000x20000 pixels in a small file) - to a real worker process: each card is marked failed
with a reason a person can read, nothing is uploaded, and the worker stays healthy (the same
pool process goes on to make the next card)."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.test import Client
from PIL import Image

from cards.models import TitleCard, WebhookEvent
from connections.models import TautulliConnection
from tests.fakes.plex import FakePlex, make_jpeg
from tests.support import WorkerProcess, post_webhook, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def png(width: int, height: int, rows: bytes | None = None, depth: int = 1) -> bytes:
    """A grayscale PNG. Without `rows`, a real one whose pixels are all black, compressed a
    chunk at a time (a 20000x20000 bomb is 50 MB of pixels in about 50 KB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    if rows is None:
        packer = zlib.compressobj(9)
        row = b"\0" * (1 + (width * depth + 7) // 8)  # filter byte + pixels
        rows = b"".join(packer.compress(row * 1000) for _ in range(height // 1000))
        rows += packer.compress(row * (height % 1000)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def corrupt_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 30)).save(out, "PNG")
    data = bytearray(out.getvalue())
    data[60:90] = b"\xff" * 30  # inside the compressed pixels
    return bytes(data)


BAD_STILLS = {
    "corrupt": (corrupt_png(), "cannot"),
    "truncated": (make_jpeg(3)[:4000], "cannot"),
    "empty": (b"", "empty file (0 bytes)"),
    "not an image": (b"<html><body>Plex is updating</body></html>", "not an image"),
    "decompression bomb": (png(20000, 20000), "too large"),
}


def test_bad_stills_fail_their_cards_and_the_worker_goes_on(
    client: Client, fake_plex: FakePlex, plex_tautulli: TautulliConnection
) -> None:
    bomb = BAD_STILLS["decompression bomb"][0]
    assert len(bomb) < 200_000 and struct.unpack(">II", bomb[16:24]) == (20000, 20000)
    show = fake_plex.add_show("Harbour")
    season = fake_plex.add_season(show, 1)
    bad = {
        name: fake_plex.add_episode(season, i, name.title(), still=data)
        for i, (name, (data, _)) in enumerate(BAD_STILLS.items(), start=1)
    }
    good = fake_plex.add_episode(season, 9, "Fine")

    with WorkerProcess(concurrency=1) as worker:
        [child] = worker.pool()
        for key in [*bad.values(), good]:
            assert post_webhook(client, plex_tautulli, key).status_code == 202
        wait_until(
            lambda: not WebhookEvent.objects.filter(status__in=["pending", "running"]).exists(),
            timeout=60,
            what="every event to be finished",
        )
        assert worker.pool() == [child]  # the same pool process: nothing crashed or was killed
        assert worker.answers()

    for name, key in bad.items():
        expected = BAD_STILLS[name][1]
        card = TitleCard.objects.get(episode__rating_key=str(key))
        assert card.state == TitleCard.State.FAILED, name
        assert expected in card.last_error, (name, card.last_error)
        assert "source image" in card.last_error
        assert "\n" not in card.last_error and "Traceback" not in card.last_error
        event = WebhookEvent.objects.get(rating_key=str(key))
        assert (event.status, event.last_error) == ("failed", card.last_error)
        assert fake_plex.uploads(key) == []
    assert TitleCard.objects.get(episode__rating_key=str(good)).state == TitleCard.State.UPLOADED
    assert len(fake_plex.uploads(good)) == 1
