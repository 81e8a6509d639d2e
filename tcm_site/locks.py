"""Named locks with a timeout, shared by every worker process.

With Redis (production) a lock is a Redis key set with NX and an expiry, released only by its
owner. The expiry is a short lease (TCM_LOCK_LEASE) that a thread of the holder renews every third
of a lease while the holder lives and its `timeout` has not passed: a holder killed in the middle
of its work (the OOM killer, a SIGKILL, a pulled plug) takes the renewing thread with it and keeps
the others out for one lease, not for the whole timeout. Without Redis (the embedded
single-machine mode) it is an flock on a file in the data dir, which the kernel releases when the
holder dies.

A lease can still lapse under a living holder: Redis away for longer than a lease, a process
stopped (SIGSTOP, a frozen VM) past its lease, the timeout reached. The renewing thread logs it,
naming the lock, and marks the lease lost; `ensure_held` raises LockLost in the holder, so that it
stops before it does what the lock guards (an upload) while someone else may hold the lock.
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from functools import lru_cache

from django.conf import settings

log = logging.getLogger(__name__)


class LockHeld(Exception):
    """Someone else holds the lock; try again later."""


class LockLost(LockHeld):
    """The lock lapsed while its holder still worked: someone else may hold it now. A LockHeld,
    so that callers treat it alike: leave the work for later (or for the new holder)."""


@lru_cache(maxsize=1)
def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5)


def _key(name: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "tcm")
    return f"{prefix}:lock:{name}"


class Lease:
    """A lock held in Redis: the redis-py lock, and what the renewing thread found out."""

    def __init__(self, name: str, handle: object, seconds: float, taken_at: float) -> None:
        self.name = name
        self.handle = handle
        self.seconds = seconds
        # When the expiry was last set to a full lease (monotonic; taken before the request, so
        # the lease is at least as long as this says).
        self.renewed_at = taken_at
        self.lost = False

    def lose(self, why: str) -> None:
        self.lost = True
        log.error("lock %s lost while its holder still works: %s", self.name, why)

    def check(self) -> None:
        """Raise LockLost unless the lock is still this holder's."""
        if not self.lost:
            try:
                owned = self.handle.owned()  # type: ignore[attr-defined]
            except Exception:  # Redis away: the key cannot have expired before the lease
                owned = time.monotonic() - self.renewed_at < self.seconds
            if not owned:
                self.lose("its key in Redis is gone or another holder's")
        if self.lost:
            raise LockLost(self.name)


# The leases this thread (context) holds, innermost last.
_held: contextvars.ContextVar[tuple[Lease, ...]] = contextvars.ContextVar("tcm_leases", default=())


def ensure_held(name: str) -> None:
    """Raise LockLost when the lock `name`, held by this thread, has lapsed. Call it right before
    doing what the lock guards and cannot be undone. Nothing to check when this thread does not
    hold it in Redis (an flock in embedded mode cannot lapse)."""
    for lease in _held.get():
        if lease.name == name:
            lease.check()


@contextlib.contextmanager
def lock(name: str, timeout: float = 600, wait: float = 0) -> Iterator[None]:
    """Hold the lock `name` for the block; raise LockHeld when it cannot be had within `wait` s.

    `timeout` bounds how long the lock is held at most (Redis only): after it, others may take
    the lock even though the block still runs. A holder that died keeps others out for at most
    TCM_LOCK_LEASE seconds.
    """
    if settings.REDIS_URL:
        seconds = min(timeout, settings.TCM_LOCK_LEASE)
        # thread_local=False: the token must be readable from the renewing thread (redis-py keeps
        # it in a threading.local by default, where that thread finds none).
        handle = _redis().lock(
            _key(name),
            timeout=seconds,
            blocking=wait > 0,
            blocking_timeout=wait or None,
            thread_local=False,
        )
        taken_at = time.monotonic()
        if not handle.acquire():
            raise LockHeld(name)
        lease = Lease(name, handle, seconds, taken_at)
        done = threading.Event()
        renewer = threading.Thread(
            target=_renew,
            args=(lease, time.monotonic() + timeout, done),
            name=f"lock-lease:{name}",
            daemon=True,  # dies with its holder's process: the lease then lapses
        )
        renewer.start()
        token = _held.set((*_held.get(), lease))
        try:
            yield
        finally:
            _held.reset(token)
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


def _renew(lease: Lease, until: float, done: threading.Event) -> None:
    """Extend the lease every third of it, until the block ends or `until` (the timeout) passes.
    A failed renewal is tried again at the next third; once the lease has run out unrenewed, or
    Redis says the key is not ours, the lease is lost."""
    from redis.exceptions import LockNotOwnedError

    while not done.wait(lease.seconds / 3):
        started = time.monotonic()
        if started >= until:
            log.warning(
                "lock %s: its holder is still at work after the lock's timeout; the lock is no "
                "longer renewed and lapses within %.0f s",
                lease.name,
                lease.seconds,
            )
            return
        try:
            lease.handle.reacquire()  # type: ignore[attr-defined]  # a full lease again
        except LockNotOwnedError:
            lease.lose("its lease ran out before it was renewed")
            return
        except Exception as exc:  # Redis away: maybe back before the lease runs out
            if started - lease.renewed_at >= lease.seconds:
                lease.lose(f"not renewed for a whole lease ({lease.seconds:g} s): {exc}")
                return
            log.warning("lock %s: renewing its lease failed, trying again: %s", lease.name, exc)
        else:
            lease.renewed_at = started
