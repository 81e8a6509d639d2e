"""A burst of 100 webhook events while Plex goes away - first refusing connections, then hanging
longer than the client's timeout - and comes back: every card ends up on Plex, each uploaded
once, and no event is left pending or running. A real worker process (prefork, two children)
with quick retries does the work."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django.test import Client

from cards.models import TitleCard, WebhookEvent
from connections.models import TautulliConnection
from tests.fakes.plex import FakePlex
from tests.support import WorkerProcess, post_webhook, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.serial, pytest.mark.django_db(transaction=True)]

QUICK = {
    "TCM_RETRY_BASE_DELAY": "0.2",
    "TCM_RETRY_MAX_DELAY": "0.5",
    # The outage is compressed into seconds; the retry budget is not what this test is about.
    "TCM_RETRY_LIMIT": "1000",
    "TCM_LOCK_RETRY_DELAY": "0.3",
}


def post(client: Client, tautulli: TautulliConnection, keys: list[int]) -> None:
    for key in keys:
        assert post_webhook(client, tautulli, key).status_code == 202


def retried() -> int:
    """How many events have been tried more than once."""
    return WebhookEvent.objects.filter(attempts__gt=1).count()


def tries() -> int:
    """Every try of every event so far (a claim counts one)."""
    return WebhookEvent.objects.aggregate(total=Sum("attempts"))["total"] or 0


def test_every_card_lands_once_after_plex_comes_back(
    client: Client, fake_plex: FakePlex, plex_tautulli: TautulliConnection
) -> None:
    keys = fake_plex.episodes(fake_plex.add_series("Harbour", seasons=4, episodes=25))
    assert len(keys) == 100
    plex_tautulli.plex.timeout = 1
    plex_tautulli.plex.save()

    with WorkerProcess(concurrency=2, **QUICK) as worker:
        post(client, plex_tautulli, keys[:20])  # Plex answers these
        fake_plex.refuse()
        post(client, plex_tautulli, keys[20:60])
        # Refused until the outage has been felt, by the events rather than a clock (a busy
        # machine's worker may not have tried any within a fixed sleep): forty tried again.
        wait_until(lambda: retried() >= 40, timeout=90, what="40 events tried again")
        # Listening again, but hanging: every request outlasts the client's timeout.
        fake_plex.hang(120)
        fake_plex.start()
        hung_from = tries()
        post(client, plex_tautulli, keys[60:])
        # Two children: a third and fourth try begun since means two tries ran into the hang.
        wait_until(lambda: tries() >= hung_from + 4, timeout=90, what="tries into the hang")
        fake_plex.recover()

        def all_done() -> bool:
            return WebhookEvent.objects.filter(status="done").count() == 100

        try:
            wait_until(all_done, timeout=150, what="all 100 events to be done")
        except AssertionError as exc:
            states = sorted(WebhookEvent.objects.values_list("status", "last_error"))
            raise AssertionError(f"{exc}: {states[:5]}\n{worker.log()[-3000:]}") from None

    assert WebhookEvent.objects.exclude(status="done").count() == 0  # none pending, running
    assert retried() >= 40  # the outage was felt
    assert set(WebhookEvent.objects.values_list("last_error", flat=True)) == {""}
    assert TitleCard.objects.filter(state=TitleCard.State.UPLOADED).count() == 100
    for key in keys:
        card = TitleCard.objects.get(episode__rating_key=str(key))
        assert fake_plex.selected(key) == f"upload://posters/{card.uploaded_hash}"
        assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 1, key
        assert len(fake_plex.upload_times[key]) == 1
