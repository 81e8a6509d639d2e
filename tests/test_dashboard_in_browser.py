"""The front page in a real browser: every state label is readable (WCAG AA contrast, in the
light and the dark theme), the dashboard uses the page's width, and no header is cut inside a
word."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from cards.models import JobRun
from connections.models import PlexConnection, TautulliConnection
from tests.support import contrast_ratio, css_rgb

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Page

    Screenshot = Callable[[Page, str], Path]

pytestmark = pytest.mark.slow

# Each element showing a state or a header's text: its text, colour and the colour behind it
# (the first ancestor with a background; the page's own when none has one).
COLOURS_JS = """
(selector) => [...document.querySelectorAll(selector)].filter(e => e.offsetParent).map(e => {
  let back = e;
  while (back && /rgba\\(0, 0, 0, 0\\)|transparent/.test(getComputedStyle(back).backgroundColor))
    back = back.parentElement;
  const bg = getComputedStyle(back || document.body).backgroundColor;
  return {text: e.innerText.trim(), color: getComputedStyle(e).color, background: bg};
})
"""

# Words (runs of letters and digits) of each header that the browser laid out on two lines.
BROKEN_WORDS_JS = """
(selector) => {
  const broken = [];
  for (const cell of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[\\p{L}\\p{N}]+/gu)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}
"""


@pytest.fixture
def installation(transactional_db: None) -> None:
    """Healthy connections, and job runs that went well, half well and not at all."""
    now = timezone.now()
    plex = PlexConnection.objects.create(
        name="home plex", url="http://192.168.1.10:32400", token="t0k3n", last_checked_at=now
    )
    TautulliConnection.objects.create(
        name="home tautulli",
        url="http://192.168.1.10:8181",
        api_key="k" * 32,
        plex=plex,
        last_webhook_at=now,
        last_test_at=now,
    )
    done = {"status": JobRun.Status.OK, "finished_at": now}
    JobRun.objects.create(kind="render_due_cards", summary={"checked": 40, "queued": 0}, **done)
    JobRun.objects.create(
        kind="verify_cards",
        target_id=plex.pk,
        summary={"checked": 37, "uploaded_again": 1, "busy": 0, "failed": 3},
        **done,
    )
    JobRun.objects.create(
        kind="render_series",
        target_id=1,
        summary={
            "episodes": 6,
            "rendered": 0,
            "uploaded": 0,
            "busy": 0,
            "failed": 6,
            "failures": "; ".join(
                f"S01E0{n}: Plex has no still for this episode yet" for n in range(1, 7)
            ),
        },
        **done,
    )
    JobRun.objects.create(kind="clean_up", status=JobRun.Status.FAILED, error="disk full")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_state_and_header_is_readable(
    admin_page: Page, installation: None, screenshot: Screenshot, theme: str
) -> None:
    page = admin_page
    page.emulate_media(color_scheme=theme)
    page.goto("/admin/")
    screenshot(page, f"dashboard-{theme}")

    shown = page.evaluate(
        COLOURS_JS, ".tcm-dashboard [class^='state-'], .tcm-dashboard th, .tcm-dashboard td"
    )
    states = {e["text"].partition(":")[0] for e in shown}
    assert {"ok", "failed", "partial"} <= states, states
    unreadable = [
        (e["text"][:40], e["color"], e["background"], round(ratio, 2))
        for e in shown
        if e["text"]
        and (ratio := contrast_ratio(css_rgb(e["color"]), css_rgb(e["background"]))) < 4.5
    ]
    assert not unreadable


def test_the_dashboard_uses_the_page_width_and_keeps_words_whole(
    admin_page: Page, installation: None, screenshot: Screenshot
) -> None:
    page = admin_page
    page.goto("/admin/")
    screenshot(page, "dashboard-width")

    viewport = page.viewport_size["width"]
    box = page.locator(".tcm-dashboard").bounding_box()
    # All of it but the page's margins (40 px each side in the admin's #content).
    assert box["width"] >= viewport - 2 * 40 - 20, (box, viewport)
    assert page.evaluate(BROKEN_WORDS_JS, ".tcm-dashboard th") == []
    # Narrower, the tables wrap between words, never inside one.
    page.set_viewport_size({"width": 1000, "height": 900})
    screenshot(page, "dashboard-1000px")
    assert page.evaluate(BROKEN_WORDS_JS, ".tcm-dashboard th") == []
