"""A whole library costs Plex about two requests a card on the series path (the still and the
upload; the labels go many to a request) and three on the scheduled one (the still, the upload,
the label): the episodes come from the listing the job read, their labels and thumb locks are
read a hundred to a request, the connection is made once per process. Plex's posters are asked
before tcm's first upload to an episode only when its thumb is locked (Plex locks it on every
upload and every pick in its UI: a thumbnail a person chose is kept, cards/thumbs.py) or the
connection keeps local artwork (a local file beside the media shows without a lock), and when
tcm cannot tell what Plex shows, not for a card tcm replaces; the episode itself is not read
again for that check when the job's batch read said whether its thumb is locked."""

from __future__ import annotations

from collections import Counter

from django.core.files.storage import default_storage

from cards.keys import process_rating_key
from cards.maintenance import render_due_cards
from cards.models import Episode, TitleCard
from cards.sync import sync_library
from cards.tasks import render_card
from tests.fakes.plex import FakePlex


def kinds(fake: FakePlex) -> Counter:
    out: Counter = Counter()
    for method, path in fake.requests:
        parts = path.strip("/").split("/")
        if method == "POST" and path.endswith("/posters"):
            out["upload"] += 1
        elif method == "PUT" and parts[:2] == ["library", "sections"]:
            out["label"] += 1
        elif path.endswith("/posters"):
            out["posters"] += 1
        elif "/thumb" in path or "/file" in path:
            out["still"] += 1
        elif parts[:2] == ["library", "metadata"] and len(parts) == 3:
            out["metadata many" if "," in parts[2] else "metadata one"] += 1
        else:
            out["other"] += 1
    return out


def test_the_series_path_costs_the_still_and_the_upload_and_keeps_other_labels(
    fake_plex, plex_connection
) -> None:
    show = fake_plex.add_series("Harbour", seasons=2, episodes=6)
    keys = fake_plex.episodes(show)
    fake_plex.items[keys[0]].labels = ["kids"]  # someone's own label, kept
    sync_library(plex_connection)
    fake_plex.reset_counts()

    outcome = process_rating_key(plex_connection, str(show))

    assert (outcome.rendered, outcome.uploaded, outcome.failed) == (12, 12, {})
    got = kinds(fake_plex)
    assert got["still"] == 12 and got["upload"] == 12
    assert got["metadata many"] == 1 and got["metadata one"] <= 1  # the show itself
    # Before tcm's first upload an unlocked thumb is nobody's choice (Plex locks it on every
    # upload and pick): the batch read said so, and the posters are not asked for.
    assert got["posters"] == 0
    assert got["label"] == 2  # one for the episodes without labels, one for "kids"
    assert sum(got.values()) <= 2 * 12 + 5
    assert fake_plex.labels(keys[0]) == ["kids", "tcm"]
    assert all(fake_plex.labels(k) == ["tcm"] for k in keys[1:])
    assert Episode.objects.get(rating_key=str(keys[0])).plex_labels == ["kids", "tcm"]

    fake_plex.reset_counts()
    again = process_rating_key(plex_connection, str(show))
    assert (again.rendered, again.uploaded) == (0, 0)
    assert kinds(fake_plex)["label"] == 0 and kinds(fake_plex)["metadata many"] == 0


def test_the_scheduled_path_costs_the_still_the_upload_and_the_label(
    fake_plex, plex_connection
) -> None:
    show = fake_plex.add_series("Harbour", episodes=8)
    sync_library(plex_connection)
    fake_plex.reset_counts()
    queued: list[int] = []

    summary = render_due_cards(lambda pk: queued.append(pk) or True)
    for pk in queued:  # what the workers do with the queued tasks
        assert render_card.apply(args=[pk, False, False, True]).get() == "uploaded"

    assert summary["queued"] == 8
    got = kinds(fake_plex)
    assert (got["still"], got["upload"], got["label"]) == (8, 8, 8)
    # Whether its thumbnail is locked the job's batch read said (no request per card for the
    # episode); unlocked before tcm's first upload, nobody chose it: no posters asked.
    assert got["metadata many"] == 1 and got["metadata one"] == 0 and got["posters"] == 0
    assert sum(got.values()) <= 3 * 8 + 1
    assert all(fake_plex.labels(k) == ["tcm"] for k in fake_plex.episodes(show))
    assert TitleCard.objects.filter(state="uploaded").count() == 8


def test_an_episode_with_tcms_label_but_no_record_is_checked_first(
    fake_plex, plex_connection
) -> None:
    # An earlier install put its card up and labelled the episode; this database knows nothing.
    show = fake_plex.add_series("Harbour", episodes=1)
    key = fake_plex.episodes(show)[0]
    original = fake_plex.original_bytes(key)
    fake_plex.upload(key, b"an earlier install's card")
    fake_plex.items[key].labels = ["tcm"]
    sync_library(plex_connection)
    fake_plex.reset_counts()

    process_rating_key(plex_connection, str(show))

    assert kinds(fake_plex)["posters"] >= 1
    episode = Episode.objects.get()
    with default_storage.open(episode.source_file, "rb") as fh:
        assert fh.read() == original  # the still, not the old card
    assert fake_plex.labels(key) == ["tcm"]


def test_an_episode_gone_from_plex_leaves_the_others_to_be_read_one_by_one(
    fake_plex, plex_connection
) -> None:
    from cards.sync import read_whole

    show = fake_plex.add_series("Harbour", episodes=3)
    sync_library(plex_connection)
    gone = fake_plex.episodes(show)[0]
    fake_plex.remove(gone)  # after the listing tcm stored
    episodes = list(Episode.objects.select_related("series").order_by("pk"))

    read_whole(plex_connection, plex_connection.client(), episodes)  # no error

    assert all(e.plex_labels is None for e in episodes)
    outcome = process_rating_key(plex_connection, str(show))
    assert (outcome.uploaded, outcome.failed) == (2, {})


def test_the_series_job_lists_the_show_without_reading_it_again(fake_plex, plex_connection) -> None:
    from cards.models import Series
    from cards.tasks import render_series

    show = fake_plex.add_series("Harbour", episodes=10)
    sync_library(plex_connection)
    fake_plex.reset_counts()

    summary = render_series.apply(args=[Series.objects.get().pk]).get()

    assert (summary["rendered"], summary["uploaded"], summary["failed"]) == (10, 10, 0)
    got = kinds(fake_plex)
    assert got["metadata one"] == 0  # the library sync keeps the show's row
    assert (got["still"], got["upload"], got["label"], got["metadata many"]) == (10, 10, 1, 1)
    assert sum(got.values()) == 2 * 10 + 3  # and the show's listing
    assert all(fake_plex.labels(k) == ["tcm"] for k in fake_plex.episodes(show))
