"""A worker killed with SIGKILL in the middle of a card: the task is delivered again and the card
lands on Plex exactly once.

The card is caught "in the middle" by the fake Plex holding the upload: the worker has claimed
the event, taken the episode's lock, rendered the card and sent it, and waits for Plex's answer
when it dies. Then Plex answers again and processes what it was sent, so the redelivered task
finds the card already on Plex and must not send it a second time.

Two ways to die: a pool child killed (the main process hands the task back at once:
acks_late + reject_on_worker_lost), and the whole worker killed (nobody hands anything back;
the event's heartbeat stops and the next worker's relay takes it over within TCM_EVENT_HEARTBEAT
and a few seconds; or, where that is set shorter, Redis makes the unacknowledged message visible
again after TCM_VISIBILITY_TIMEOUT, and the next worker takes it).

And a pool child killed while the card is really being rendered: the still is downloaded, nothing
has gone to Plex yet, and the card comes out of the redelivered task, rendered from the still kept
on disk (it is not downloaded again)."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client
from PIL import Image

from cards.models import Episode, TitleCard, WebhookEvent
from cards.relay import RECOVERY_INTERVAL
from connections.models import TautulliConnection
from tests.fakes.plex import FakePlex
from tests.support import WorkerProcess, post_webhook, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.serial, pytest.mark.django_db(transaction=True)]

VISIBILITY = 1
# Settings of the test's workers: quick retries, a short lock lease (a dead holder's lock lapses
# within seconds), and a short visibility timeout (a dead worker's message comes back soon).
QUICK = {
    "TCM_RETRY_BASE_DELAY": "0.2",
    "TCM_RETRY_MAX_DELAY": "0.5",
    "TCM_LOCK_RETRY_DELAY": "0.3",
    "TCM_LOCK_LEASE": "2",
    "TCM_VISIBILITY_TIMEOUT": str(VISIBILITY),
}


@pytest.fixture(autouse=True)
def forget_killed_workers_messages() -> Iterator[None]:
    """After each test, drop what a killed worker left in this run's Redis: its unacknowledged
    message would come back to a later test's worker (short visibility timeouts) and, since the
    database reuses ids after a flush, act on that test's event of the same id."""
    yield
    import redis
    from django.conf import settings

    prefix = os.environ["TCM_REDIS_PREFIX"]
    keys = [prefix + settings.CELERY_TASK_DEFAULT_QUEUE]
    keys += [prefix + name for name in ("unacked", "unacked_index", "unacked_mutex")]
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(*keys)


def start_card(client: Client, fake_plex: FakePlex, tautulli: TautulliConnection) -> int:
    """Post an episode and wait until its card is on the way to Plex, held there."""
    key = fake_plex.episodes(fake_plex.add_series("Harbour", episodes=1))[0]
    # Plex holds the upload; the client waits (a timeout longer than the test needs).
    tautulli.plex.timeout = 60
    tautulli.plex.save()
    fake_plex.hang(120, prefix=f"/library/metadata/{key}/posters", method="POST")
    assert post_webhook(client, tautulli, key).status_code == 202
    wait_until(lambda: uploads_sent(fake_plex, key) == 1, timeout=60, what="the upload to start")
    card = TitleCard.objects.get()
    assert card.state == TitleCard.State.RENDERED  # rendered, sent, not known to be on Plex
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.RUNNING
    return key


def uploads_sent(fake_plex: FakePlex, key: int) -> int:
    return fake_plex.count(f"/library/metadata/{key}/posters", method="POST")


def wait_until_settled(worker: WorkerProcess, timeout: float) -> None:
    def settled() -> bool:
        return WebhookEvent.objects.get().status not in ("pending", "running")

    try:
        wait_until(settled, timeout=timeout, what="the event to be finished")
    except AssertionError as exc:
        event = WebhookEvent.objects.get()
        raise AssertionError(
            f"{exc}: {event.status} after {event.attempts} attempts, {event.last_error!r}; "
            f"the worker's log ends:\n{worker.log()[-3000:]}"
        ) from None


def assert_uploaded_once(fake_plex: FakePlex, key: int) -> None:
    event = WebhookEvent.objects.get()
    assert event.status == WebhookEvent.Status.DONE, event.last_error
    assert event.attempts >= 2  # taken up again after the death
    card = TitleCard.objects.get()
    assert card.state == TitleCard.State.UPLOADED
    assert fake_plex.selected(key) == f"upload://posters/{card.uploaded_hash}"
    assert "tcm" in fake_plex.labels(key)
    assert uploads_sent(fake_plex, key) == 1
    assert len(fake_plex.upload_times[key]) == 1
    assert len(fake_plex.uploads(key)) == 1


def test_a_pool_child_killed_mid_upload_hands_its_task_back(
    client: Client, fake_plex: FakePlex, plex_tautulli: TautulliConnection
) -> None:
    with WorkerProcess(**QUICK) as worker:
        key = start_card(client, fake_plex, plex_tautulli)
        [child] = worker.pool()

        worker.kill_pool_child(child)
        fake_plex.recover()  # Plex answers again, and keeps the upload it received

        wait_until_settled(worker, timeout=60)
        assert worker.answers()  # the worker lives on, with a new child
        assert child not in worker.pool()
    assert_uploaded_once(fake_plex, key)


def test_a_whole_worker_killed_mid_upload_is_replaced_by_the_next(
    client: Client, fake_plex: FakePlex, plex_tautulli: TautulliConnection
) -> None:
    with WorkerProcess(**QUICK) as first:
        key = start_card(client, fake_plex, plex_tautulli)
        first.kill()
    fake_plex.recover()
    # A worker looks for messages whose visibility timeout has passed when it starts, then only
    # every 100 s (kombu's restore interval x throttle): start the next one once it has passed.
    time.sleep(VISIBILITY + 1)

    with WorkerProcess(**QUICK) as second:
        wait_until_settled(second, timeout=90)
    assert_uploaded_once(fake_plex, key)


# The takeover test's workers run on the shipped settings with their clocks scaled down: the
# heartbeat and lock lease (30 s each) and the lock's retry delay (5 s) a fifth as long, since
# at the shipped values the takeover alone waits over half a minute. The bound scales with them:
# at the shipped values it is the two minutes of the test's name.
SCALE = 5
BEAT = 30 / SCALE
TAKEN_OVER_WITHIN = 120 / SCALE
TAKEOVER = {
    "TCM_EVENT_HEARTBEAT": str(BEAT),
    "TCM_LOCK_LEASE": str(30 / SCALE),
    "TCM_LOCK_RETRY_DELAY": str(5 / SCALE),
}


def test_a_whole_worker_killed_mid_upload_is_taken_over_within_two_minutes(
    client: Client, fake_plex: FakePlex, plex_tautulli: TautulliConnection
) -> None:
    """The production defaults, their heartbeat, lease and lock retry scaled down (TAKEOVER):
    the broker would hand the message back after an hour (the visibility timeout as shipped);
    the next worker's relay sees the event's heartbeat stopped and takes it over long before."""
    with WorkerProcess(**TAKEOVER) as first:
        key = start_card(client, fake_plex, plex_tautulli)
        first.kill()
        killed = time.monotonic()
    fake_plex.recover()

    with WorkerProcess(**TAKEOVER) as second:  # restarted at once, as Docker or systemd would
        started = time.monotonic() - killed
        wait_until_settled(second, timeout=TAKEN_OVER_WITHIN + 30)
        took = time.monotonic() - killed
        log = second.log()
    event = WebhookEvent.objects.get()
    assert event.started_at and event.finished_at
    run = (event.finished_at - event.started_at).total_seconds()
    # The floor: the takeover comes when the heartbeat's last mark (a third of the heartbeat or
    # less before the kill) is a heartbeat old, and a relay looks (every RECOVERY_INTERVAL).
    beat = BEAT
    print(
        f"\nwhole worker SIGKILLed -> its card done by the next: {took:.1f} s (the next worker "
        f"answered after {started:.1f} s; the takeover is due {beat * 2 / 3:g}-"
        f"{beat + RECOVERY_INTERVAL:g} s after the kill; the new task's own run {run:.1f} s)"
    )
    assert took <= TAKEN_OVER_WITHIN
    assert "its worker stopped while working on it; queued again" in log
    assert_uploaded_once(fake_plex, key)


def slow_still() -> bytes:
    """A still that takes about two seconds to render (measured on a 2-core machine; longer when
    it is loaded): 49 megapixels, just under the renderer's 50-megapixel limit, of lossless WebP
    with an alpha channel. JPEG stills are decoded at reduced size (DCT scaling) and render in a
    tenth of a second; this one has to be decoded in full, and its transparency is flattened at
    full size before it is scaled to the card."""
    size = (7000, 7000)
    ramp = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGBA", (ramp, ramp.transpose(Image.Transpose.ROTATE_90), ramp, ramp))
    out = io.BytesIO()
    image.save(out, "WEBP", lossless=True, method=0, quality=0)  # the quickest to encode
    return out.getvalue()


def test_a_pool_child_killed_mid_render_hands_its_task_back(
    client: Client, fake_plex: FakePlex, plex_tautulli: TautulliConnection
) -> None:
    # Seconds to make (a lossless WebP of 49 megapixels), and seconds for the worker to start:
    # both at once.
    with ThreadPoolExecutor(1) as making:
        made = making.submit(slow_still)
        with WorkerProcess(**QUICK) as worker:
            show = fake_plex.add_show("Harbour")
            season = fake_plex.add_season(show, 1)
            key = fake_plex.add_episode(season, 1, "Pilot", still=made.result())
            still = f"/library/metadata/{key}/thumb"
            # 11 MB of still over loopback, on a loaded machine: more than the fixture's 2 s
            # timeout.
            plex_tautulli.plex.timeout = 30
            plex_tautulli.plex.save()

            [child] = worker.pool()
            assert post_webhook(client, plex_tautulli, key).status_code == 202
            wait_until(
                lambda: fake_plex.count(prefix=still), timeout=60, what="the still's request"
            )
            # The request is logged when it arrives: the still is downloaded once the episode's
            # row names the file it was kept in. The render starts right after that.
            wait_until(
                lambda: (
                    Episode.objects.filter(rating_key=str(key)).exclude(source_file="").exists()
                ),
                timeout=30,
                what="the still to be downloaded and kept",
            )

            worker.kill_pool_child(child)
            # Proof the kill landed during the render: Plex was asked neither whether it shows
            # the card (GET posters) nor sent it (POST posters), and no card was rendered.
            assert fake_plex.count(prefix=f"/library/metadata/{key}/posters") == 0
            card = TitleCard.objects.get()
            assert card.state == TitleCard.State.PENDING and not card.file

            wait_until_settled(worker, timeout=60)
            assert worker.answers()  # the worker lives on, with a new child
            assert child not in worker.pool()
    assert_uploaded_once(fake_plex, key)
    # The second render worked from the still kept on disk: once our card is on Plex, the
    # original cannot be downloaded again, so it must never depend on a second download.
    assert fake_plex.count(prefix=still, method="GET") == 1
