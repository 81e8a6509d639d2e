"""Named locks with a timeout, shared by every worker process.

With Redis (production) a lock is a Redis key set with NX and an expiry, released only by its
owner, so a crashed holder cannot block the work for longer than the timeout. Without Redis
(the embedded single-machine mode) it is an flock on a file in the data dir, which the kernel
releases when the holder dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
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

    `timeout` bounds how long a holder that died keeps others out (Redis only).
    """
    if settings.REDIS_URL:
        handle = _redis().lock(
            _key(name), timeout=timeout, blocking=wait > 0, blocking_timeout=wait or None
        )
        if not handle.acquire():
            raise LockHeld(name)
        try:
            yield
        finally:
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
            import time

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
