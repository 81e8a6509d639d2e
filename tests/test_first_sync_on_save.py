"""Saving a new Plex connection tests it and, when Plex answers, starts one job that syncs its
libraries and renders and uploads every missing card; "Sync now" does the same for what is
missing or outdated. The admin's message says what happens and links to the progress."""

from __future__ import annotations

import logging
import re

from django.test import Client

from cards.models import JobRun, TitleCard
from connections.models import PlexConnection
from tests.fakes.plex import FakePlex
from tests.support import admin_action, finished_run, plex_admin_form, run_queued, wait_until


def connection_form(url: str, token: str, **changes: str) -> dict[str, str]:
    return plex_admin_form(url, token, timeout="5", **changes)


def add_connection(client: Client, form: dict[str, str]) -> list[tuple[str, str]]:
    response = client.post("/admin/connections/plexconnection/add/", form, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain, response.content.decode()[:2000]
    return [(m.level_tag, str(m.message)) for m in response.context["messages"]]


def test_saving_a_new_connection_puts_every_card_on_plex(
    transactional_db, empty_broker_queue, admin_client: Client, fake_plex: FakePlex
) -> None:
    show = fake_plex.add_series("Harbour", seasons=2, episodes=2)

    messages = add_connection(admin_client, connection_form(fake_plex.url, fake_plex.token))
    run_queued()

    [started] = [text for level, text in messages if "renders and uploads" in text]
    assert "connected to" in started and 'href="/admin/"' in started
    assert "progress" in started
    connection = PlexConnection.objects.get()
    run = finished_run("sync_and_render", connection.pk)
    assert run.status == "ok", run.error
    assert run.summary["episodes"] == 4 and run.summary["uploaded"] == 4
    assert run.progress_done == run.progress_total
    assert TitleCard.objects.filter(state="uploaded").count() == 4
    assert all(fake_plex.uploads(key) for key in fake_plex.episodes(show))


def test_a_connection_plex_does_not_answer_is_saved_and_said_so(
    transactional_db, admin_client: Client, fake_plex: FakePlex, closed_port: int
) -> None:
    messages = add_connection(
        admin_client, connection_form(f"http://127.0.0.1:{closed_port}", fake_plex.token)
    )

    [(level, text)] = [(lv, t) for lv, t in messages if "did not answer" in t]
    assert level == "error" and "Nothing was synced" in text
    assert fake_plex.token not in text
    assert PlexConnection.objects.get().last_error
    assert not JobRun.objects.exists()


def test_changing_the_libraries_starts_the_job_again(
    transactional_db, empty_broker_queue, admin_client: Client, fake_plex: FakePlex
) -> None:
    fake_plex.add_series("Harbour", episodes=2)
    add_connection(admin_client, connection_form(fake_plex.url, fake_plex.token))
    run_queued()
    connection = PlexConnection.objects.get()
    finished_run("sync_and_render", connection.pk)

    url = f"/admin/connections/plexconnection/{connection.pk}/change/"
    form = connection_form(fake_plex.url, "", libraries="TV Shows")
    response = admin_client.post(url, form, follow=True)
    run_queued()

    texts = [str(m.message) for m in response.context["messages"]]
    assert any("renders and uploads" in t for t in texts), texts
    wait_until(lambda: JobRun.objects.filter(kind="sync_and_render").count() == 2)


def test_sync_now_syncs_and_renders_what_is_missing(
    transactional_db,
    empty_broker_queue,
    admin_client: Client,
    fake_plex: FakePlex,
    plex_connection: PlexConnection,
) -> None:
    fake_plex.add_series("Harbour", episodes=3)

    [(level, text)] = admin_action(admin_client, plex_connection, "sync_now")
    run_queued()

    assert level == "success"
    assert "missing or outdated" in text and "within seconds" in text
    assert 'href="/admin/"' in text
    run = finished_run("sync_and_render", plex_connection.pk)
    assert run.status == "ok" and run.summary["uploaded"] == 3
    assert TitleCard.objects.filter(state="uploaded").count() == 3


def test_an_unreachable_plex_during_sync_now_is_one_row_and_a_line_per_attempt(
    celery_worker, admin_client: Client, quick_retries, closed_port: int, caplog
) -> None:
    quick_retries.TCM_RETRY_LIMIT = 3
    connection = PlexConnection.objects.create(
        name="away", url=f"http://127.0.0.1:{closed_port}", token="t0ken-" * 4, timeout=1
    )
    caplog.set_level(logging.INFO)

    admin_action(admin_client, connection, "sync_now")

    def gave_up() -> JobRun | None:
        run = JobRun.objects.filter(kind="sync_and_render").first()
        return run if run and "Gave up" in run.error else None

    run = wait_until(gave_up, what="the job to give up")
    assert JobRun.objects.filter(kind="sync_and_render").count() == 1
    assert run.status == "failed" and "after 3 attempts" in run.error
    ours = [r for r in caplog.records if r.name.startswith("cards")]
    lines = [r.getMessage() for r in ours if r.levelno >= logging.WARNING]
    assert len(lines) == 3, lines
    assert all("away" in line for line in lines)
    assert sum(bool(re.search(r"Trying again in [\d.]+ s", line)) for line in lines) == 2
    assert not [r for r in ours if r.exc_info]
