"""The admin's front page is a dashboard: connections and their health, cards by state, the
last run of each job with its summary, failing cards and events with their reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cards.models import Episode, JobRun, Series, TitleCard, WebhookEvent
from connections.models import PlexConnection


@pytest.fixture
def home(tautulli_connection) -> dict:
    """A small installation: two Plex servers (one with a revoked token), a Tautulli that posted,
    cards in every state, a failed event, some job runs."""
    now = timezone.now()
    plex = tautulli_connection.plex
    plex.token, plex.last_checked_at = "home-token-55e1c0", now
    plex.save()
    revoked = PlexConnection.objects.create(
        name="cabin plex",
        url="http://10.0.0.9:32400",
        token="cabin-token-93ad71",
        auth_failed_at=now,
        last_error="Plex at http://10.0.0.9:32400 rejected the token (HTTP 401).",
    )
    tautulli_connection.last_webhook_at = now - timedelta(minutes=3)
    tautulli_connection.save()
    series = Series.objects.create(connection=plex, rating_key="10", title="Harbour")
    states = ["uploaded"] * 3 + ["failed", "rendered"]
    for n, state in enumerate([*states, None], start=1):
        episode = Episode.objects.create(
            connection=plex,
            series=series,
            rating_key=str(100 + n),
            title=f"Ep {n}",
            season_number=1,
            episode_number=n,
        )
        if state:
            TitleCard.objects.create(
                episode=episode,
                state=state,
                last_error="Plex has no still for this episode yet" if state == "failed" else "",
                retry_at=now + timedelta(hours=6) if state == "failed" else None,
            )
    WebhookEvent.objects.create(
        connection=tautulli_connection,
        rating_key="4242",
        event="watched",
        status="failed",
        last_error="Gave up after 8 attempts. Plex did not answer within 30 s (timeout).",
    )
    JobRun.objects.create(
        kind="render_due_cards",
        status="ok",
        finished_at=now,
        summary={"checked": 812, "missing": 7, "outdated": 0, "queued": 7},
    )
    JobRun.objects.create(
        kind="sync_library", target_id=plex.pk, progress_done=30, progress_total=120
    )
    return {"plex": plex, "revoked": revoked, "series": series}


@pytest.mark.django_db
def test_the_front_page_shows_health_counts_jobs_and_failures(admin_client, home) -> None:
    response = admin_client.get(reverse("admin:index"))

    assert response.status_code == 200
    page = response.content.decode()
    # Connections and their health.
    assert f">{home['plex'].name}</a>" in page and ">cabin plex</a>" in page
    assert "token rejected" in page and "rejected the token (HTTP 401)" in page
    assert "home tautulli" in page and "no webhook received yet" not in page
    # Cards by state, episodes without a card.
    for state, count in (("uploaded", 3), ("failed", 1), ("rendered", 1), ("pending", 0)):
        assert f'data-count="cards-{state}">{count}<' in page
    assert 'data-count="without-card">1<' in page
    assert 'data-count="events-failed">1<' in page
    # Every scheduled job, with the last run's summary; the running sync with its progress.
    for label in (
        "Sync libraries",
        "Refresh watched state",
        "Render and upload due cards",
        "Verify cards on Plex",
        "Dispatch pending events",
        "Clean up",
    ):
        assert label in page
    assert "every hour" in page  # from the periodic task, editable in the admin
    # (PostgreSQL's jsonb keeps the summary's keys in an order of its own.)
    assert all(part in page for part in ("checked: 812", "missing: 7", "queued: 7"))
    assert "outdated: 0" not in page  # only what it did
    assert f"Library sync: {home['plex'].name}" in page and "30 / 120 (25 %)" in page
    # Failing items with their reasons, linked to their pages.
    assert "Plex has no still for this episode yet" in page
    assert "Gave up after 8 attempts." in page
    card = TitleCard.objects.get(state="failed")
    assert reverse("admin:cards_titlecard_change", args=[card.pk]) in page
    # Never a secret.
    for secret in ("cabin-token-93ad71", "home-token-55e1c0"):
        assert secret not in page


@pytest.mark.django_db
def test_the_front_page_needs_a_login(client, home) -> None:
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get(reverse("admin:cards_jobrun_progress")).status_code == 302


@pytest.mark.django_db
def test_the_job_run_pages_show_progress_and_summary(admin_client, home) -> None:
    running = JobRun.objects.get(status="running")
    done = JobRun.objects.get(status="ok")

    listing = admin_client.get(reverse("admin:cards_jobrun_changelist")).content.decode()
    page = admin_client.get(reverse("admin:cards_jobrun_change", args=[done.pk])).content.decode()

    assert f'data-jobrun="{running.pk}"' in listing and 'max="120" value="30"' in listing
    assert "Render and upload due cards" in listing and "missing: 7" in listing
    assert "&quot;checked&quot;: 812" in page
