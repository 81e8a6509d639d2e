"""Every card type draws at the small sizes the preview and the type picker ask for (320 and
480 px wide), not only at Plex's 3200: a line a few pixels thick on the full card must not round
to an impossible shape on a small one."""

from __future__ import annotations

import pytest

from cards.render import CardSpec, render
from cards.render.samples import save_landscape
from cards.render.types import CARD_TYPES
from tests.support import series_pictures


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> str:
    return save_landscape(str(tmp_path_factory.mktemp("still") / "still.jpg"), 640, 360)


@pytest.mark.parametrize("width", [320, 480])
@pytest.mark.parametrize("card_type", list(CARD_TYPES))
def test_every_type_draws_at_preview_sizes(still: str, card_type: str, width: int) -> None:
    spec = CardSpec(
        source=still,
        **series_pictures(),
        title="The Long Night of the Soul",
        season_number=1,
        episode_number=3,
        card_type=card_type,
        width=width,
        height=width * 9 // 16,
    )
    card = render(spec).image
    assert card.size == (width, width * 9 // 16)
