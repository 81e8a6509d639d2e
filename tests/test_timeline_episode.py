"""Why is my card like this? The episode page's timeline lists, newest first, what happened to
the card (Tautulli's post, the render, a failed upload, the retry that put it on Plex) and ends
with one sentence saying what to do; the card and episode lists show the same sentence."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cards import timeline
from cards.card import update_card
from cards.models import CardEvent, Episode, Series, TitleCard, WebhookEvent
from cards.sync import sync_library
from cards.tasks import process_webhook_event
from tests.support import post_webhook


def test_the_timeline_of_a_webhook_a_failed_upload_and_a_retry_in_order(
    client, admin_client, fake_plex, plex_tautulli, quick_retries
) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    # The upload fails once; the task's retry puts it on.
    fake_plex.fail(500, times=1, prefix=f"/library/metadata/{key}/posters", method="POST")

    assert post_webhook(client, plex_tautulli, key).status_code == 202
    process_webhook_event.apply(args=[WebhookEvent.objects.get().pk])

    episode = Episode.objects.get()
    assert TitleCard.objects.get().state == "uploaded"
    entries = timeline.timeline(episode)
    newest_first = [(e.what, e.text) for e in entries]
    assert [what for what, _ in newest_first] == [
        "uploaded",
        "failed",
        "rendered",
        "Tautulli posted",
    ]
    assert newest_first[0][1].startswith("Sent to Plex")
    assert "HTTP 500" in newest_first[1][1] and "Next try at" in newest_first[1][1]
    assert newest_first[2][1] == "First card."
    assert newest_first[3][1] == "“created”; done."
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)

    # The episode page shows it, ending with the sentence.
    page = admin_client.get(reverse("admin:cards_episode_change", args=[episode.pk]))
    html = page.content.decode()
    assert "Why is my card like this?" in html
    assert html.index("Sent to Plex") < html.index("HTTP 500") < html.index("First card.")
    assert html.index("First card.") < html.index("Nothing to do: Plex shows this card.")


def test_a_render_says_what_changed_since_the_last(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    sync_library(plex_connection)
    episode = Episode.objects.get()
    update_card(episode, plex_connection.client())
    Series.objects.update(card_type="anime", extras={"separator": "~"})
    episode = Episode.objects.get()
    update_card(episode, plex_connection.client())

    render = next(e for e in timeline.timeline(episode) if e.what == "rendered")
    assert "card type: standard → anime" in render.text
    assert "extras: none → [['separator', '~']]" in render.text
    assert len(fake_plex.uploads(key)) == 2


def test_the_sentence_says_what_to_do(admin_client, fake_plex, plex_connection) -> None:
    fake_plex.add_series("Harbour", episodes=2)
    sync_library(plex_connection)
    first, second = Episode.objects.order_by("episode_number")
    assert timeline.advice(first, None).startswith("No card yet")

    retry = timezone.now() + timedelta(minutes=20)
    card = TitleCard.objects.create(
        episode=first,
        state="failed",
        last_error="Plex has no still for this episode yet (tcm does not use the season poster).",
        retry_at=retry,
    )
    sentence = timeline.advice(first, card)
    assert sentence == (
        "Plex has no still for this episode yet (tcm does not use the season poster). "
        f"tcm tries again at {timeline.when(retry)}."
    )

    # The same sentence in the card list and the episode list.
    cards = admin_client.get(reverse("admin:cards_titlecard_changelist")).content.decode()
    episodes = admin_client.get(reverse("admin:cards_episode_changelist")).content.decode()
    assert sentence in cards and sentence in episodes
    assert "No card yet" in episodes  # the second episode

    # A token Plex rejected is what to fix first.
    plex_connection.record_auth_failure("401")
    first.connection.refresh_from_db()
    assert "rejected the token" in timeline.advice(first, card)

    # A card whose settings changed since it was made is outdated.
    plex_connection.auth_failed_at = None
    plex_connection.save()
    update_card(second, plex_connection.client())
    second = Episode.objects.get(pk=second.pk)
    assert timeline.advice(second, second.card) == "Nothing to do: Plex shows this card."
    Series.objects.update(card_type="anime")
    second = Episode.objects.select_related("series", "connection").get(pk=second.pk)
    assert timeline.advice(second, second.card).startswith("The settings changed")
    assert CardEvent.objects.filter(episode=second, kind="render").count() == 1


def test_clean_up_keeps_recent_timeline_entries_and_each_last_render(
    fake_plex, plex_connection, settings
) -> None:
    from cards.maintenance import clean_up

    fake_plex.add_series("Harbour", episodes=1)
    sync_library(plex_connection)
    episode = Episode.objects.get()
    old = timezone.now() - timedelta(days=settings.TCM_KEEP_CARD_EVENTS_DAYS + 1)
    for kind in ("render", "upload", "render", "failure"):
        CardEvent.record(episode.pk, kind, spec={})
    CardEvent.objects.update(at=old)
    CardEvent.record(episode.pk, "upload")

    assert clean_up()["card_events_deleted"] == 3

    kept = list(CardEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kept == ["render", "upload"]  # the last render (old) and the recent upload
