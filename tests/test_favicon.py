"""Browsers ask every site for /favicon.ico: tcm answers with its own small icon (a title card),
not a 404 in every log."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image


# Any request may read the stored secrets (tcm_site/fields.py reloads them now and then for the
# log redaction), so the test gets a database like every page.
@pytest.mark.django_db
def test_the_favicon_is_served(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    icon = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32)} <= set(icon.info["sizes"])
