"""sync_all_libraries and verify_all_cards start their per-connection job for every enabled Plex
connection whose token works, and say why they skipped the others."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cards.models import JobRun
from cards.tasks import sync_all_libraries, verify_all_cards
from connections.models import PlexConnection
from tests.support import run_queued, wait_until


@pytest.mark.parametrize(
    ("task", "job"), [(sync_all_libraries, "sync_library"), (verify_all_cards, "verify_cards")]
)
def test_it_queues_the_job_for_every_usable_connection(
    transactional_db, empty_broker_queue, fake_plex, plex_connection, task, job
) -> None:
    fake_plex.add_series("Harbour", episodes=2)
    disabled = PlexConnection.objects.create(
        name="old server", url=fake_plex.url, token=fake_plex.token, enabled=False
    )
    revoked = PlexConnection.objects.create(
        name="revoked", url=fake_plex.url, token="x" * 20, auth_failed_at=timezone.now()
    )

    summary = task.apply().get()
    run_queued()

    assert summary["queued"] == 1 and summary["connections"] == ["home plex"]
    assert set(summary["skipped"]) == {"old server", "revoked"}
    assert "disabled" in summary["skipped"]["old server"]
    assert "rejected the token" in summary["skipped"]["revoked"]
    run = wait_until(
        lambda: JobRun.objects.filter(kind=job, target_id=plex_connection.pk, status="ok").first(),
        what="the connection's job",
    )
    assert run.summary
    assert not JobRun.objects.filter(kind=job, target_id__in=[disabled.pk, revoked.pk])
    assert JobRun.objects.get(kind=task.name.removeprefix("cards.")).summary == summary
