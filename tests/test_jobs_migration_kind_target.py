"""Migration cards/0008 turns each stored job run's `job` string into its kind and target:
"sync_library:3" is the library sync of connection 3, "clean_up" a job of the schedule; the
reverse writes the strings again."""

from __future__ import annotations

import pytest

from tests.support import migrate, migrate_to_latest

pytestmark = pytest.mark.slow

BEFORE = [("cards", "0007_webhookevent_waiting_relay")]
AFTER = [("cards", "0008_jobrun_kind_target")]


@pytest.mark.django_db(transaction=True)
def test_job_strings_become_kind_and_target_and_back() -> None:
    old = migrate(BEFORE).get_model("cards", "JobRun")
    for job in ("sync_library:3", "render_series:12", "clean_up", "dispatch_pending_events"):
        old.objects.create(job=job)
    try:
        new = migrate(AFTER).get_model("cards", "JobRun")
        assert sorted(new.objects.values_list("kind", "target_id")) == [
            ("clean_up", None),
            ("dispatch_pending_events", None),
            ("render_series", 12),
            ("sync_library", 3),
        ]

        back = migrate(BEFORE).get_model("cards", "JobRun")
        assert sorted(back.objects.values_list("job", flat=True)) == [
            "clean_up",
            "dispatch_pending_events",
            "render_series:12",
            "sync_library:3",
        ]
    finally:
        # The schema the rest of the suite expects: every app's latest migration, not 0008 (which
        # would leave later migrations of cards unapplied for the tests after this one).
        migrate_to_latest()
