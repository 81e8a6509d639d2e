"""Saving a template re-renders exactly the cards whose look it changed, as one job with
progress, through the real admin and a real worker against the fake Plex."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from cards.keys import process_rating_key
from cards.looks import expected_fingerprint
from cards.models import Episode, JobRun, Series, Template, TemplateFilter, TitleCard
from cards.sync import sync_library
from tests.support import admin_action, run_queued, wait_until
from tests.test_admin_templates import template_form


def finished_runs(template: Template, count: int) -> list[JobRun]:
    def done() -> list[JobRun] | None:
        runs = list(
            JobRun.objects.filter(kind="render_template", target_id=template.pk)
            .exclude(status="running")
            .order_by("started_at")
        )
        return runs if len(runs) >= count else None

    return wait_until(done, timeout=60, what="the template's job")  # type: ignore[return-value]


@pytest.mark.slow
def test_a_template_change_rerenders_exactly_the_changed_cards(
    transactional_db, empty_broker_queue, admin_client, fake_plex, plex_connection
) -> None:
    anime = fake_plex.add_series("Frieren", episodes=2, library="Anime")
    drama = fake_plex.add_series("Harbour", episodes=2, library="TV Shows")
    sync_library(plex_connection)
    for show in (anime, drama):
        process_rating_key(plex_connection, str(show))
    uploads = {key: len(fake_plex.uploads(key)) for key in fake_plex.episodes()}
    assert set(uploads.values()) == {1}
    before = dict(TitleCard.objects.values_list("episode__rating_key", "fingerprint"))

    # A new template for the Anime library: its two cards change, the others do not.
    response = admin_client.post(
        reverse("admin:cards_template_add"), template_form(card_type="calligraphy")
    )
    run_queued()
    assert response.status_code == 302
    template = Template.objects.get()
    [run] = finished_runs(template, 1)

    assert run.status == "ok", run.error
    assert run.summary == {"changed": 2, "rendered": 2, "uploaded": 2, "busy": 0, "failed": 0}
    assert run.progress_done == run.progress_total == 2
    for key in fake_plex.episodes(anime):
        assert len(fake_plex.uploads(key)) == 2
    for key in fake_plex.episodes(drama):
        assert len(fake_plex.uploads(key)) == 1
    after = dict(TitleCard.objects.values_list("episode__rating_key", "fingerprint"))
    assert {k for k in after if after[k] != before[k]} == {
        str(k) for k in fake_plex.episodes(anime)
    }

    # Saved again with nothing that changes a look (a new name): nothing is rendered or sent.
    change = reverse("admin:cards_template_change", args=[template.pk])
    data = template_form(
        name="Anime (renamed)", card_type="calligraphy", extras=json.dumps(template.extras)
    )
    data.update(
        {
            "filters-INITIAL_FORMS": "1",
            "filters-0-id": str(template.filters.get().pk),
            "filters-0-template": str(template.pk),
            "season_titles-INITIAL_FORMS": "1",
            "season_titles-0-id": str(template.season_titles.get().pk),
            "season_titles-0-template": str(template.pk),
        }
    )
    response = admin_client.post(change, data)
    run_queued()
    assert response.status_code == 302, response.content[:2000]
    _, second = finished_runs(template, 2)
    assert second.summary == {"changed": 0, "rendered": 0, "uploaded": 0, "busy": 0, "failed": 0}
    assert all(len(fake_plex.uploads(k)) == 2 for k in fake_plex.episodes(anime))

    # Its filter widened to every library: now the other two change, and only those.
    data["filters-0-operation"] = "not_equals"
    data["filters-0-value"] = "nothing"
    admin_client.post(change, data)
    run_queued()
    *_, third = finished_runs(template, 3)
    assert third.summary["changed"] == 2 and third.summary["uploaded"] == 2
    assert all(len(fake_plex.uploads(k)) == 2 for k in fake_plex.episodes())


@pytest.mark.slow
def test_apply_template_rerenders_only_that_series_cards(
    transactional_db, empty_broker_queue, admin_client, fake_plex, plex_connection
) -> None:
    chosen = fake_plex.add_series("Frieren", episodes=2)
    other = fake_plex.add_series("Harbour", episodes=2)
    sync_library(plex_connection)
    for show in (chosen, other):
        process_rating_key(plex_connection, str(show))
    # Matches no series by its filters: only where it is attached.
    template = Template.objects.create(name="Spoiler-free", card_type="textless")
    TemplateFilter.objects.create(
        template=template, field="library", operation="equals", value="nothing"
    )
    series = Series.objects.get(rating_key=str(chosen))

    [(level, text)] = admin_action(admin_client, series, "apply_template", template=template.pk)
    run_queued()

    assert level == "success" and "re-rendered" in text
    wait_until(
        lambda: all(len(fake_plex.uploads(k)) == 2 for k in fake_plex.episodes(chosen)),
        timeout=60,
        what="the attached series' cards re-rendered and uploaded",
    )
    wait_until(
        lambda: JobRun.objects.filter(kind="render_due_cards").exclude(status="running").exists(),
        what="the due cards' run",
    )
    run = JobRun.objects.get(kind="render_due_cards")
    assert (run.summary["outdated"], run.summary["queued"]) == (2, 2)
    assert all(len(fake_plex.uploads(k)) == 1 for k in fake_plex.episodes(other))


@pytest.mark.slow
def test_a_save_while_the_job_runs_is_not_missed(
    celery_worker, admin_client, fake_plex, plex_connection
) -> None:
    anime = fake_plex.add_series("Frieren", episodes=2, library="Anime")
    sync_library(plex_connection)
    process_rating_key(plex_connection, str(anime))
    template = Template.objects.create(name="Anime", card_type="calligraphy")
    TemplateFilter.objects.create(
        template=template, field="library", operation="equals", value="Anime"
    )
    fake_plex.hang(1.0, prefix="/library/metadata/", method="POST")  # each upload takes a second
    from cards import tasks

    tasks.dispatch(tasks.render_template, template.pk)
    wait_until(
        lambda: JobRun.objects.filter(kind="render_template", status="running").exists(),
        what="the first run",
    )
    # Saved again meanwhile: its own run finds the lock held and is skipped.
    Template.objects.filter(pk=template.pk).update(card_type="textless")
    tasks.dispatch(tasks.render_template, template.pk)

    [first, skipped] = finished_runs(template, 2)
    assert skipped.status == "skipped"
    assert first.status == "ok" and first.summary["failed"] == 0
    # Both cards ended in the last look, whatever the first round made of them.
    current = {
        str(e.rating_key): e.card.fingerprint
        for e in Episode.objects.select_related("card", "series", "connection")
    }
    for key in fake_plex.episodes(anime):
        episode = Episode.objects.select_related("series", "connection").get(rating_key=str(key))
        assert expected_fingerprint(episode) == current[str(key)]
