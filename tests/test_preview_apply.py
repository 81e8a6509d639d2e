""" "Save, then render and upload these settings" under the preview: the form is saved and the
cards it changes are rendered and uploaded as a job whose progress the admin shows; the cards on
Plex are the ones the preview showed."""

from __future__ import annotations

import base64

from django.contrib.auth.models import User
from django.urls import reverse

from cards.models import Series, TitleCard
from cards.sync import sync_library
from tests.support import admin_form_data, wait_until
from tests.test_jobs_series_actions import finished_run


def test_the_apply_button_saves_and_renders_what_the_preview_showed(
    celery_worker, admin_client, fake_plex, plex_connection
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
