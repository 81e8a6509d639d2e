"""render_due_cards queues the cards that are missing, outdated (settings changed) or failed and
due a retry, and only those; once they are done, nothing is due any more."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from cards.keys import process_rating_key
from cards.models import Episode, TitleCard
from cards.sync import sync_library
from cards.tasks import render_due_cards
from tests.support import run_queued, wait_until


def test_it_finds_missing_outdated_and_due_cards_and_only_those(
    transactional_db, empty_broker_queue, fake_plex, plex_connection, quick_retries
) -> None:
    quick_retries.TCM_RETRY_LIMIT = 3
    show = fake_plex.add_series("Harbour", episodes=8)
    keys = fake_plex.episodes(show)
    for key in keys[:7]:
        process_rating_key(plex_connection, str(key))
    sync_library(plex_connection)
    ep = {i: Episode.objects.get(rating_key=str(k)) for i, k in enumerate(keys)}
    card = {i: TitleCard.objects.filter(episode=e).first() for i, e in ep.items()}
    now = timezone.now()

    # 0: up to date. 7: never got a card (missing).
    default_storage.delete(card[1].file)  # 1: its file is gone (missing)
    ep[2].card_type = "anime"  # 2: its settings changed (outdated)
    ep[2].save()
    failed = {"state": "failed", "last_error": "Plex at ... (HTTP 500)", "failed_at": now}
    # 3: failed, due a retry. 4: failed, retry later. 5: failed, out of attempts.
    TitleCard.objects.filter(pk=card[3].pk).update(**failed, attempts=1, retry_at=now)
    TitleCard.objects.filter(pk=card[4].pk).update(
        **failed, attempts=1, retry_at=now + timedelta(hours=1)
    )
    TitleCard.objects.filter(pk=card[5].pk).update(**failed, attempts=3, retry_at=now)
    Episode.objects.filter(pk=ep[6].pk).update(present=False)  # 6: gone from Plex
    fake_plex.reset_counts()

    summary = render_due_cards.apply().get()
    run_queued()

    assert {k: summary[k] for k in ("checked", "missing", "outdated", "retry", "queued")} == {
        "checked": 7,
        "missing": 2,
        "outdated": 1,
        "retry": 1,
        "queued": 4,
    }

    def done() -> bool:
        # Each by its own sign: 1 and 2 were "uploaded" all along, so that state alone says
        # nothing about whether their tasks have run yet.
        now_ = {i: TitleCard.objects.filter(episode=ep[i]).first() for i in (1, 2, 3, 7)}
        return (
            all(c is not None and c.state == "uploaded" for c in now_.values())
            and default_storage.exists(now_[1].file)
            and now_[2].fingerprint != card[2].fingerprint
        )

    wait_until(done, what="the four due cards")
    assert TitleCard.objects.get(episode=ep[2]).fingerprint != card[2].fingerprint
    assert default_storage.exists(TitleCard.objects.get(episode=ep[1]).file)
    for i in (0, 4, 5, 6):
        # Never asked about: no request for these episodes reached Plex.
        assert fake_plex.count(prefix=f"/library/metadata/{keys[i]}") == 0, i
    assert TitleCard.objects.get(episode=ep[0]).rendered_at == card[0].rendered_at
    assert list(
        TitleCard.objects.filter(episode__in=[ep[4], ep[5]]).values_list("state", flat=True)
    ) == ["failed", "failed"]

    # Everything it could do is done: the next run finds nothing, outdated included.
    again = render_due_cards.apply().get()
    run_queued()
    assert (again["missing"], again["outdated"], again["retry"], again["queued"]) == (0, 0, 0, 0)


def test_a_watched_flip_that_changes_the_style_makes_the_card_outdated(
    transactional_db, empty_broker_queue, fake_plex, plex_connection
) -> None:
    plex_connection.unwatched_style = "blur"
    plex_connection.save()
    show = fake_plex.add_series("Harbour", episodes=2)
    process_rating_key(plex_connection, str(show))
    first, second = Episode.objects.order_by("episode_number")
    fake_plex.mark_watched(int(first.rating_key))
    sync_library(plex_connection)  # stores the flip, renders nothing
    assert TitleCard.objects.get(episode=first).style == "blur"

    summary = render_due_cards.apply().get()
    run_queued()

    assert (summary["outdated"], summary["queued"]) == (1, 1)
    wait_until(
        lambda: TitleCard.objects.filter(episode=first, style="unique").exists(),
        what="the watched style",
    )
    assert TitleCard.objects.get(episode=second).style == "blur"
