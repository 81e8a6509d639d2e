"""Series, episode and card pages: the card as a thumbnail (served to logged-in staff only),
filters, search, and the actions "Render and upload now" and "Force re-upload"."""

from __future__ import annotations

from django.urls import reverse

from cards.keys import process_rating_key
from cards.models import Episode, Series, TitleCard
from cards.sync import sync_library
from tests.support import admin_action, run_queued, wait_until


def carded(fake_plex, plex_connection) -> TitleCard:
    show = fake_plex.add_series("Harbour", episodes=2)
    process_rating_key(plex_connection, str(fake_plex.episodes(show)[0]))
    sync_library(plex_connection)
    return TitleCard.objects.get()


def test_the_pages_show_the_card_as_a_thumbnail(admin_client, fake_plex, plex_connection) -> None:
    card = carded(fake_plex, plex_connection)
    image = reverse("admin:cards_titlecard_image", args=[card.pk])

    for page in (
        reverse("admin:cards_titlecard_changelist"),
        reverse("admin:cards_titlecard_change", args=[card.pk]),
        reverse("admin:cards_episode_changelist"),
        reverse("admin:cards_episode_change", args=[card.episode_id]),
        reverse("admin:cards_series_change", args=[card.episode.series_id]),
    ):
        response = admin_client.get(page)
        assert response.status_code == 200, page
        assert image in response.content.decode(), page

    response = admin_client.get(image)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == fake_plex.thumb_bytes(
        int(card.episode.rating_key)
    )


def test_the_card_image_needs_a_login(client, fake_plex, plex_connection) -> None:
    card = carded(fake_plex, plex_connection)
    response = client.get(reverse("admin:cards_titlecard_image", args=[card.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_filters_and_search_find_the_right_rows(
    admin_client, fake_plex, plex_connection
) -> None:
    carded(fake_plex, plex_connection)
    uncarded = Episode.objects.filter(card__isnull=True).get()
    Episode.objects.filter(pk=uncarded.pk).update(watched=True, title="The Lighthouse")
    changelist = reverse("admin:cards_episode_changelist")

    def shown(query: str) -> int:
        return admin_client.get(changelist + query).context["cl"].result_count

    assert shown("?card=uploaded") == 1
    assert shown("?card=none") == 1
    assert shown("?card=failed") == 0
    assert shown("?watched__exact=1") == 1
    assert shown("?q=lighthouse") == 1
    cards = reverse("admin:cards_titlecard_changelist")
    assert admin_client.get(cards + "?uploaded=yes").context["cl"].result_count == 1
    assert admin_client.get(cards + "?state__exact=failed").context["cl"].result_count == 0
    series = reverse("admin:cards_series_changelist")
    assert admin_client.get(series + "?q=harb").context["cl"].result_count == 1


def test_render_and_upload_now_queues_the_work(
    transactional_db, empty_broker_queue, admin_client, fake_plex, plex_connection
) -> None:
    show = fake_plex.add_series("Harbour", episodes=2)
    sync_library(plex_connection)

    messages = admin_action(admin_client, Series.objects.get(), "render_now")
    run_queued()

    assert messages == [
        (
            "success",
            "Queued 2 card(s) for rendering and upload; the Title cards page shows the outcome.",
        )
    ]
    wait_until(lambda: TitleCard.objects.filter(state="uploaded").count() == 2, what="two cards")
    assert all(fake_plex.labels(k) == ["tcm"] for k in fake_plex.episodes(show))


def test_force_reupload_sends_the_card_again(
    transactional_db, empty_broker_queue, admin_client, fake_plex, plex_connection
) -> None:
    card = carded(fake_plex, plex_connection)
    key = int(card.episode.rating_key)

    [(level, text)] = admin_action(admin_client, card, "force_reupload")
    run_queued()

    assert level == "success" and "re-upload" in text
    wait_until(
        lambda: fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 2,
        what="the second upload",
    )


def test_the_card_type_is_chosen_from_the_renderer(admin_client, fake_plex, plex_connection):
    from cards.render import card_type_choices

    carded(fake_plex, plex_connection)
    page = admin_client.get(
        reverse("admin:cards_series_change", args=[Series.objects.get().pk])
    ).content.decode()
    for name, _label in card_type_choices():
        assert f'<option value="{name}"' in page
    page = admin_client.get(
        reverse("admin:connections_plexconnection_change", args=[plex_connection.pk])
    ).content.decode()
    assert '<option value="tinted_frame"' in page
