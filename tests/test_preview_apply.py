""" "Save, then render and upload these settings" under the preview: the form is saved and the
cards it changes are rendered and uploaded as a job whose progress the admin shows; the cards on
Plex are the ones the preview showed."""

from __future__ import annotations

import base64

from django.contrib.auth.models import User
from django.urls import reverse

from cards.models import Series, TitleCard
from cards.sync import sync_library
from tests.support import admin_form_data, run_queued, wait_until
from tests.test_jobs_series_actions import finished_run


def test_the_apply_button_saves_and_renders_what_the_preview_showed(
    transactional_db, empty_broker_queue, admin_client, fake_plex, plex_connection
) -> None:
    show = fake_plex.add_series("Harbour", episodes=3)
    sync_library(plex_connection)
    series = Series.objects.get()
    admin = User.objects.get(username="admin")
    data = admin_form_data(series, admin, card_type="roman_numeral", unwatched_style="unique")
    preview = admin_client.post(reverse("admin:cards_series_preview", args=[series.pk]), data)
    assert preview.status_code == 200
    assert TitleCard.objects.count() == 0

    response = admin_client.post(
        reverse("admin:cards_series_change", args=[series.pk]),
        {**data, "_apply_preview": "Save, then render and upload these settings"},
        follow=True,
    )
    run_queued()

    assert response.redirect_chain[-1][0] == reverse("admin:cards_jobrun_changelist")
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Saved; rendering and upload") and "progress" in m for m in messages)
    assert Series.objects.get().card_type == "roman_numeral"
    run = finished_run("render_series", series.pk)
    assert run.status == "ok" and run.progress_done == run.progress_total == 3
    wait_until(lambda: TitleCard.objects.filter(state="uploaded").count() == 3, what="3 cards")
    assert all(len(fake_plex.uploads(key)) == 1 for key in fake_plex.episodes(show))

    # The preview's first picture is the card now on Plex, at preview size: the same look.
    rows = admin_client.post(
        reverse("admin:cards_series_preview", args=[series.pk]),
        admin_form_data(Series.objects.get(), admin),
    ).json()["rows"]
    shown = rows[0]["pictures"]["unwatched"]
    assert shown["style"] == "unique" and base64.b64decode(shown["src"].split(",")[1])
    assert rows[0]["current_state"] == "uploaded"


def test_the_apply_button_on_a_template_runs_its_rerender_job(
    transactional_db, empty_broker_queue, admin_client, fake_plex, plex_connection
) -> None:
    from cards.card import update_card
    from cards.models import Episode, Template, TemplateFilter
    from tests.support import finished_run as run_of
    from tests.test_preview_template import rows_data

    show = fake_plex.add_series("Mecha Tide", episodes=3, library="Anime")
    fake_plex.add_series("Harbour", episodes=2, library="TV Shows")
    sync_library(plex_connection)
    # The job re-renders the cards whose look changed (cards not made yet are the due job's).
    client = plex_connection.client()
    for episode in Episode.objects.all():
        update_card(episode, client)
    before = dict(TitleCard.objects.values_list("episode_id", "fingerprint"))
    template = Template.objects.create(name="Anime")
    admin = User.objects.get(username="admin")
    data = {
        **admin_form_data(template, admin, card_type="roman_numeral"),
        **rows_data("filters", [{"field": "library", "operation": "equals", "value": "Anime"}]),
        **rows_data("season_titles", []),
    }
    preview = admin_client.post(reverse("admin:cards_template_preview", args=[template.pk]), data)
    assert preview.status_code == 200
    assert dict(TitleCard.objects.values_list("episode_id", "fingerprint")) == before

    response = admin_client.post(
        reverse("admin:cards_template_change", args=[template.pk]),
        {**data, "_apply_preview": "Save, then render and upload these settings"},
        follow=True,
    )
    run_queued()

    assert response.redirect_chain[-1][0] == reverse("admin:cards_jobrun_changelist")
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Saved; the re-render") and "progress" in m for m in messages)
    assert TemplateFilter.objects.get().value == "Anime"
    run = run_of("render_template", template.pk)
    assert run.status == "ok"
    # The template's series, and only it, got the look the preview showed.
    assert run.summary["changed"] == run.summary["uploaded"] == 3
    assert all(len(fake_plex.uploads(key)) == 2 for key in fake_plex.episodes(show))
    after = dict(TitleCard.objects.values_list("episode_id", "fingerprint"))
    changed = {pk for pk in after if after[pk] != before[pk]}
    mecha = Episode.objects.filter(series__title="Mecha Tide").values_list("pk", flat=True)
    assert changed == set(mecha)
