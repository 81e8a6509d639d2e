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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("summary", "shown"),
    [
        (
            {"episodes": 6, "rendered": 0, "uploaded": 0, "busy": 0, "failed": 6},
            ("failed", "failed: 6 failed"),
        ),
        (
            {"episodes": 6, "rendered": 2, "uploaded": 2, "busy": 0, "failed": 4},
            ("partial", "partial: 4 failed, 2 uploaded, 2 rendered"),
        ),
        (
            {"episodes": 6, "rendered": 6, "uploaded": 6, "busy": 0, "failed": 0},
            ("ok", "ok"),
        ),
    ],
    ids=["every card failed", "some failed", "none failed"],
)
def test_a_job_shows_whether_its_cards_failed(
    admin_client, plex_connection, summary: dict, shown: tuple[str, str]
) -> None:
    series = Series.objects.create(connection=plex_connection, rating_key="10", title="Harbour")
    JobRun.objects.create(
        kind="render_series",
        target_id=series.pk,
        status="ok",
        finished_at=timezone.now(),
        summary=summary,
    )

    page = admin_client.get(reverse("admin:index")).content.decode()
    listing = admin_client.get(reverse("admin:cards_jobrun_changelist")).content.decode()

    state, text = shown
    assert f'<span class="state-{state}">{text}</span>' in page
    assert text in listing  # the Job runs list says the same


@pytest.mark.django_db
def test_a_job_with_errors_per_connection_is_partial_or_failed(admin_client) -> None:
    errors = {"home plex": "Plex did not answer within 30 s (timeout)."}
    JobRun.objects.create(
        kind="refresh_watched_state",
        status="ok",
        summary={"connections": 0, "checked": 0, "changed": 0, "queued": 0, "errors": errors},
    )
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert '<span class="state-failed">failed: 1 error(s)</span>' in page

    JobRun.objects.update(summary={"connections": 1, "checked": 9, "errors": errors})
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "partial: 1 error(s), 9 checked, 1 connection(s) done" in page
