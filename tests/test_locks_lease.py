"""A lock is a lease in Redis that its holder renews while it lives: a holder in another process
working for several leases keeps a second one out the whole time; a holder killed with SIGKILL
keeps it out for one lease at most; a lease lost under a living holder (its key taken away) is
logged naming the lock, and the holder learns it before it uploads."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time

import pytest

from cards.card import episode_lock, update_card
from cards.models import Episode, TitleCard
from cards.sync import sync_library
from tcm_site.locks import LockHeld, LockLost, _key, _redis, ensure_held, lock
from tests.fakes.plex import FakePlex
from tests.support import ROOT, child_env

LEASE = 0.5

HOLDER = """
import sys, time
import django
django.setup()
from tcm_site.locks import ensure_held, lock
name, work = sys.argv[1], float(sys.argv[2])
with lock(name, timeout=600):
    print("held", flush=True)
    time.sleep(work)
    ensure_held(name)  # raises LockLost when the lease lapsed meanwhile
    print("still held", flush=True)
print(f"released at {time.time()!r}", flush=True)
"""


def start_holder(name: str, work: float) -> subprocess.Popen:
    """A process holding the lock `name` for `work` seconds, with a lease of LEASE seconds; it
    prints "held" once it holds the lock."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, name, str(work)],
        env=child_env(TCM_LOCK_LEASE=str(LEASE)),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held", holder.stderr.read()  # type: ignore[union-attr]
    return holder


def try_lock(name: str) -> bool:
    try:
        with lock(name):
            return True
    except LockHeld:
        return False


@pytest.mark.slow
@pytest.mark.serial
def test_a_holder_working_for_several_leases_keeps_a_second_one_out() -> None:
    name = "lease-test:long-work"
    work = 3.5 * LEASE
    holder = start_holder(name, work)
    started = time.time()
    tries: list[tuple[float, bool]] = []  # when, and whether it got the lock
    while holder.poll() is None:
        got = try_lock(name)
        tries.append((time.time(), got))  # after the try: a success before release is a fault
        time.sleep(0.02)
    out, err = holder.communicate()
    assert holder.returncode == 0, err
    held, released = out.splitlines()
    assert held == "still held"
    released_at = float(released.removeprefix("released at "))

    while_held = [got for when, got in tries if when < released_at]
    print(
        f"\nlease test: held {released_at - started:.2f} s = "
        f"{(released_at - started) / LEASE:.1f} leases of {LEASE} s; "
        f"{sum(while_held)} of {len(while_held)} tries by a second holder got in"
    )
    assert released_at - started >= 3 * LEASE
    assert len(while_held) > 20
    assert not any(while_held), (
        f"{sum(while_held)} of {len(while_held)} tries took the lock from a living holder"
    )
    assert try_lock(name)  # released: the next one gets in at once


@pytest.mark.slow
@pytest.mark.serial
def test_a_holder_killed_keeps_the_lock_for_one_lease_at_most() -> None:
    name = "lease-test:killed"
    holder = start_holder(name, 600)
    assert not try_lock(name)
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)
    killed = time.monotonic()
    while not try_lock(name):
        assert time.monotonic() - killed < LEASE + 1, "the dead holder's lock did not lapse"
        time.sleep(0.02)


def test_a_lost_lease_is_logged_and_the_holder_learns_it(
    settings: object, caplog: pytest.LogCaptureFixture
) -> None:
    settings.TCM_LOCK_LEASE = 0.3  # type: ignore[attr-defined]
    name = "lease-test:stolen"
    with lock(name):
        ensure_held(name)  # held: no complaint
        # The key lapses (Redis restarted empty, the holder was stopped too long) and another
        # holder takes it.
        _redis().set(_key(name), b"someone else's token", px=5000)
        time.sleep(0.3)  # the next renewal finds the key not ours
        with pytest.raises(LockLost):
            ensure_held(name)
    assert any(
        r.levelno == logging.ERROR and name in r.getMessage() and "lost" in r.getMessage()
        for r in caplog.records
    ), caplog.text
    assert _redis().get(_key(name)) == b"someone else's token"  # not released: not ours
    _redis().delete(_key(name))


def test_a_holder_that_lost_its_lock_does_not_upload(
    fake_plex: FakePlex, plex_connection: object
) -> None:
    key = fake_plex.episodes(fake_plex.add_series("Harbour", episodes=1))[0]
    sync_library(plex_connection)
    episode = Episode.objects.get()
    key_of_lock = _key(f"episode:{episode.pk}")
    try:
        with pytest.raises(LockLost), episode_lock(episode):
            # Checked right before the upload (not only by the renewing thread): the lease
            # lapsed and someone else took the lock since the last renewal.
            _redis().set(key_of_lock, b"another task", px=5000)
            update_card(episode, plex_connection.client())
    finally:
        _redis().delete(key_of_lock)  # the next test's episode may have the same id
    assert fake_plex.count(f"/library/metadata/{key}/posters", method="POST") == 0
    assert TitleCard.objects.get().state == TitleCard.State.RENDERED  # left for the new holder
