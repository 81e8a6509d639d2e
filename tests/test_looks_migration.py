"""Migration cards/0010 turns a series' season titles (a JSON object) into rows and its unticked
hide flags into "inherit"; the way back gives both again."""

from __future__ import annotations

import pytest

from tests.support import migrate, migrate_to_latest

pytestmark = pytest.mark.slow

# The migrations just before looks' in the (linear) history.
BEFORE = [("cards", "0009_preview_card_events"), ("connections", "0004_household_plex_up_agent")]
AFTER = [("cards", "0010_looks_templates"), ("connections", "0004_looks_formats")]


@pytest.mark.django_db(transaction=True)
def test_season_titles_become_rows_and_come_back() -> None:
    apps = migrate(BEFORE)
    plex = apps.get_model("connections", "PlexConnection").objects.create(
        name="p", url="http://127.0.0.1:1", token=""
    )
    series = apps.get_model("cards", "Series")
    avatar = series.objects.create(
        connection=plex,
        rating_key="1",
        title="Avatar",
        season_titles={"2": "BOOK TWO", "1": "BOOK ONE", "0": "EXTRAS"},
        hide_season_text=True,
    )
    plain = series.objects.create(connection=plex, rating_key="2", title="Plain")
    try:
        apps = migrate(AFTER)
        rows = apps.get_model("cards", "SeasonTitle").objects.order_by("order")
        assert [(r.series_id, r.episodes, r.text) for r in rows] == [
            (avatar.pk, "0", "EXTRAS"),
            (avatar.pk, "1", "BOOK ONE"),
            (avatar.pk, "2", "BOOK TWO"),
        ]
        now = apps.get_model("cards", "Series").objects
        assert now.get(pk=avatar.pk).hide_season_text is True
        assert now.get(pk=plain.pk).hide_season_text is None  # inherit

        back = migrate(BEFORE).get_model("cards", "Series").objects
        assert back.get(pk=avatar.pk).season_titles == {
            "0": "EXTRAS",
            "1": "BOOK ONE",
            "2": "BOOK TWO",
        }
        assert back.get(pk=plain.pk).hide_season_text is False
    finally:
        # The schema the rest of the suite expects: the newest, whatever comes after 0010.
        migrate_to_latest()
