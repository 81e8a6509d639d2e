"""On the scheduled path the labels of many cards go to Plex in one request: each render_card task
hands its label to the worker process (cards/card.py's PendingLabels), which sends them together
once no more work waits in the queue (or many wait, or the oldest waited long). A label that
never got there (the process was killed first) is sent by the schedule's next run, many to a
request, without rendering or uploading anything again."""

from __future__ import annotations

import pytest

from cards.card import LabelBatch, PendingLabels, episode_lock, update_card
from cards.maintenance import render_due_cards
from cards.models import Episode, TitleCard
from cards.sync import sync_library
from cards.tasks import render_due_cards as render_due_cards_task
from tests.support import wait_until


def label_requests(fake_plex) -> int:
    return fake_plex.count(method="PUT", prefix="/library/sections/")


def run_scheduled_cards(plex_connection, pending: PendingLabels) -> list[int]:
    """What the workers do with the schedule's tasks (cards.render_card, scheduled), one
    after another: the queue holds more work until the last one."""
    queued: list[int] = []
    render_due_cards(lambda pk: queued.append(pk) or True)
    for pk in queued:
        episode = Episode.objects.select_related("series", "connection").get(pk=pk)
        client = plex_connection.client()
        batch = LabelBatch(client)
        with episode_lock(episode):
            assert update_card(episode, client, labels=batch).uploaded
        pending.take(plex_connection.pk, batch, lambda pk=pk: pk != queued[-1])
    return queued


def test_it_labels_a_batch_in_one_request(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", seasons=2, episodes=5)
    keys = fake_plex.episodes(show)
    fake_plex.items[keys[0]].labels = ["kids"]  # someone's own label, kept
    sync_library(plex_connection)
    fake_plex.reset_counts()

    queued = run_scheduled_cards(plex_connection, PendingLabels(idle=None))

    assert len(queued) == 10
    assert label_requests(fake_plex) == 2  # one for the nine without labels, one for "kids"
    assert fake_plex.labels(keys[0]) == ["kids", "tcm"]
    assert all(fake_plex.labels(k) == ["tcm"] for k in keys[1:])
    assert Episode.objects.get(rating_key=str(keys[0])).plex_labels == ["kids", "tcm"]
    assert fake_plex.count(f"/library/metadata/{keys[1]}/posters", method="GET") == 0


def test_labels_wait_for_the_queue_to_empty_then_go(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=3)
    sync_library(plex_connection)
    pending = PendingLabels(idle=None)
    queued: list[int] = []
    render_due_cards(lambda pk: queued.append(pk) or True)
    fake_plex.reset_counts()

    for pk in queued[:2]:
        episode = Episode.objects.select_related("series", "connection").get(pk=pk)
        batch = LabelBatch(plex_connection.client())
        update_card(episode, batch.client, labels=batch)
        pending.take(plex_connection.pk, batch, lambda: True)

    assert label_requests(fake_plex) == 0  # more work waits: the labels wait with it
    assert all(fake_plex.labels(k) == [] for k in fake_plex.episodes(show))
    pending.send()  # what the worker process does as it stops
    assert label_requests(fake_plex) == 1
    labelled = [k for k in fake_plex.episodes(show) if fake_plex.labels(k) == ["tcm"]]
    assert len(labelled) == 2


def test_a_label_that_never_got_there_is_sent_by_the_next_run(fake_plex, plex_connection) -> None:
    show = fake_plex.add_series("Harbour", episodes=6)
    sync_library(plex_connection)
    lost = PendingLabels(idle=None)
    queued: list[int] = []
    render_due_cards(lambda pk: queued.append(pk) or True)
    for pk in queued:
        episode = Episode.objects.select_related("series", "connection").get(pk=pk)
        batch = LabelBatch(plex_connection.client())
        update_card(episode, batch.client, labels=batch)
        lost.take(plex_connection.pk, batch, lambda: True)
    del lost  # the worker process was killed before it sent them
    assert TitleCard.objects.filter(state="uploaded").count() == 6
    fake_plex.reset_counts()

    again: list[int] = []
    summary = render_due_cards(lambda pk: again.append(pk) or True)

    assert again == [] and summary["labelled"] == 6
    assert label_requests(fake_plex) == 1
    assert fake_plex.count(method="POST") == 0
    assert all(fake_plex.labels(k) == ["tcm"] for k in fake_plex.episodes(show))
    assert "labelled" not in render_due_cards(lambda pk: True)  # nothing left to label


def test_real_workers_label_fewer_times_than_cards(
    celery_worker, empty_broker_queue, fake_plex, plex_connection
) -> None:
    show = fake_plex.add_series("Harbour", seasons=2, episodes=6)
    keys = fake_plex.episodes(show)
    sync_library(plex_connection)
    fake_plex.reset_counts()

    render_due_cards_task.delay().get(timeout=60)

    wait_until(
        lambda: all(fake_plex.labels(k) == ["tcm"] for k in keys),
        timeout=60,
        what="every episode labelled",
    )
    assert TitleCard.objects.filter(state="uploaded").count() == 12
    assert fake_plex.count(method="POST") == 12
    assert label_requests(fake_plex) < 12


def test_a_task_sees_whether_more_work_waits_in_its_queue(empty_broker_queue) -> None:
    # The broker is this run's Redis, with its key prefix (kombu's passive declare misses a
    # prefixed queue: the question is asked by list length).
    import os

    import redis
    from django.conf import settings

    from cards.tasks import _more_waiting, clean_up
    from tests.support import broker_messages

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    render_due_cards_task.push_request(delivery_info={"routing_key": queue}, is_eager=False)
    try:
        assert not _more_waiting(render_due_cards_task)
        clean_up.apply_async()  # a message waits; no worker takes it
        assert len(broker_messages()) == 1
        assert _more_waiting(render_due_cards_task)
    finally:
        render_due_cards_task.pop_request()
        # No later test's worker may take the message.
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(
            os.environ["TCM_REDIS_PREFIX"] + queue
        )
    assert not _more_waiting(render_due_cards_task)  # run in place: nothing to wait for


@pytest.mark.django_db(transaction=True)  # the timer's thread has its own connection
def test_kept_labels_go_once_the_process_gets_no_more_work(fake_plex, plex_connection) -> None:
    # The queue's last tasks went to other processes: this one's labels go after a pause.
    show = fake_plex.add_series("Harbour", episodes=3)
    sync_library(plex_connection)
    pending = PendingLabels(idle=0.3)
    queued: list[int] = []
    render_due_cards(lambda pk: queued.append(pk) or True)
    fake_plex.reset_counts()

    for pk in queued:
        episode = Episode.objects.select_related("series", "connection").get(pk=pk)
        batch = LabelBatch(plex_connection.client())
        update_card(episode, batch.client, labels=batch)
        pending.take(plex_connection.pk, batch, lambda: True)

    wait_until(
        lambda: all(fake_plex.labels(k) == ["tcm"] for k in fake_plex.episodes(show)),
        what="the kept labels sent",
    )
    assert label_requests(fake_plex) == 1
    wait_until(lambda: Episode.objects.filter(plex_labels=["tcm"]).count() == 3, what="the rows")
