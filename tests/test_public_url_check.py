from __future__ import annotations

import pytest

from tcm_site.checks import check_public_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", "tcm.W001"),
        ("http://localhost:8000", "tcm.W002"),
        ("http://127.0.0.1:8000", "tcm.W002"),
        ("http://[::1]:8000", "tcm.W002"),
        ("ftp://192.168.1.20", "tcm.W003"),
        ("http://192.168.1.20:8000", None),
        ("https://tcm.example.org", None),
    ],
)
def test_it_warns_about_a_public_url_tautulli_cannot_reach(
    settings: object, url: str, expected: str | None
) -> None:
    settings.DEBUG = False
    settings.TCM_PUBLIC_URL = url
    ids = [w.id for w in check_public_url(None)]
    assert ids == ([expected] if expected else [])


def test_it_stays_quiet_in_debug(settings: object) -> None:
    settings.DEBUG = True
    settings.TCM_PUBLIC_URL = ""
    assert check_public_url(None) == []
