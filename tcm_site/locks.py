"""Named locks with a timeout, shared by every worker process.

With Redis (production) a lock is a Redis key set with NX and an expiry, released only by its
owner. The expiry is a short lease (TCM_LOCK_LEASE) that a thread of the holder renews while the
holder lives and its `timeout` has not passed: a holder killed in the middle of its work (the
OOM killer, a SIGKILL, a pulled plug) keeps the others out for one lease, not for the whole
timeout. Without Redis (the embedded single-machine mode) it is an flock on a file in the data
dir, which the kernel releases when the holder dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from functools import lru_cache

from django.conf import settings


class LockHeld(Exception):
    """Someone else holds the lock; try again later."""


@lru_cache(maxsize=1)
def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5)


def _key(name: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "tcm")
    return f"{prefix}:lock:{name}"


@contextlib.contextmanager
def lock(name: str, timeout: float = 600, wait: float = 0) -> Iterator[None]:
    """Hold the lock `name` for the block; raise LockHeld when it cannot be had within `wait` s.

    `timeout` bounds how long the lock is held at most (Redis only): after it, others may take
    the lock even though the block still runs. A holder that died keeps others out for at most
    TCM_LOCK_LEASE seconds.
    """
    if settings.REDIS_URL:
        lease = min(timeout, settings.TCM_LOCK_LEASE)
        handle = _redis().lock(
            _key(name), timeout=lease, blocking=wait > 0, blocking_timeout=wait or None
        )
        if not handle.acquire():
            raise LockHeld(name)
        done = threading.Event()
        renewer = threading.Thread(
            target=_renew,
            args=(handle, lease, time.monotonic() + timeout, done),
            name=f"lock-lease:{name}",
            daemon=True,
        )
        renewer.start()
        try:
            yield
        finally:
            done.set()
            renewer.join()
            with contextlib.suppress(Exception):  # expired meanwhile: nothing left to release
                handle.release()
        return

    directory = settings.DATA_DIR / "locks"
    directory.mkdir(exist_ok=True)
    path = directory / (hashlib.sha1(name.encode()).hexdigest() + ".lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise LockHeld(name) from None

            deadline = time.monotonic() + wait
            while True:
                time.sleep(0.05)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LockHeld(name) from None
        yield
    finally:
        os.close(fd)


def _renew(handle: object, lease: float, until: float, done: threading.Event) -> None:
    """Extend the lock's lease every third of it, until the block ends or `until` passes."""
    while not done.wait(lease / 3):
        if time.monotonic() >= until:
            return  # the lock's timeout: let it lapse
        try:
            handle.reacquire()  # type: ignore[attr-defined]  # the expiry is a full lease again
        except Exception:  # lost it (expired meanwhile) or Redis away: nothing to keep
            return
