"""Migration cards/0009_household keeps what `watched` held as Plex's own flag: until the
watched policy existed, `watched` was the owner's flag, and the default policy answers with it."""

from __future__ import annotations

import pytest

from tests.support import migrate, migrate_to_latest

pytestmark = pytest.mark.slow

# The migrations just before household's in the (linear) history.
BEFORE = [("cards", "0011_firstrun_event_ignored"), ("connections", "0003_plex_new_series_cards")]
AFTER = [
    ("cards", "0010_household_watched_every_5_minutes"),
    ("connections", "0004_household_plex_up_agent"),
]


@pytest.mark.django_db(transaction=True)
def test_the_stored_watched_state_becomes_plex_s_flag() -> None:
    old = migrate(BEFORE)
    plex = old.get_model("connections", "PlexConnection").objects.create(
        name="plex", url="http://127.0.0.1:32400", token="t"
    )
    series = old.get_model("cards", "Series").objects.create(
        connection_id=plex.pk, rating_key="1", title="Harbour"
    )
    Episode = old.get_model("cards", "Episode")
    for key, state in (("2", True), ("3", False), ("4", None)):
        Episode.objects.create(
            connection_id=plex.pk, series_id=series.pk, rating_key=key, title=key, watched=state
        )
    try:
        new = migrate(AFTER).get_model("cards", "Episode")
        assert sorted(new.objects.values_list("rating_key", "watched", "plex_watched")) == [
            ("2", True, True),
            ("3", False, False),
            ("4", None, None),
        ]
    finally:
        # The schema the rest of the suite expects: every app's newest migration, not AFTER
        # (later migrations' columns would be missing for the tests after this one).
        migrate_to_latest()
