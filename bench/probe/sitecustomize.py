"""Loaded by Python at start in the benchmark's worker processes (bench/library.py puts this
folder first on PYTHONPATH, with TCM_BENCH_PROBE=1): where a pool process's CPU goes.

In each pool process it adds up thread CPU time (time.thread_time) spent rendering
(cards.card.render), talking to Plex (connections.plex.PlexClient._call) and in the database (a
Django execute wrapper), and in tasks as a whole; after each task it writes the sums to a Redis
hash (field: the pid) that the benchmark reads. Nothing in tcm changes: the functions are
wrapped, not replaced."""

from __future__ import annotations

import os

if os.environ.get("TCM_BENCH_PROBE") == "1":
    import json
    import time
    from functools import wraps

    from celery import signals

    totals = {"render": 0.0, "plex": 0.0, "db": 0.0, "task": 0.0, "tasks": 0}
    depth = {"plex": 0}
    started: dict[str, float] = {}

    def timed(fn, key):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            outer = depth.get(key, 0) == 0
            depth[key] = depth.get(key, 0) + 1
            t0 = time.thread_time() if outer else 0.0
            try:
                return fn(*args, **kwargs)
            finally:
                depth[key] -= 1
                if outer:
                    totals[key] += time.thread_time() - t0

        return wrapper

    def db_wrapper(execute, sql, params, many, context):
        t0 = time.thread_time()
        try:
            return execute(sql, params, many, context)
        finally:
            totals["db"] += time.thread_time() - t0

    @signals.worker_process_init.connect
    def _install(**kwargs):
        from django.db.backends.signals import connection_created

        import cards.card
        from connections.plex import PlexClient

        cards.card.render = timed(cards.card.render, "render")
        PlexClient._call = timed(PlexClient._call, "plex")  # type: ignore[method-assign]

        def add_wrapper(sender, connection, **kw):
            if db_wrapper not in connection.execute_wrappers:
                connection.execute_wrappers.append(db_wrapper)

        connection_created.connect(add_wrapper, weak=False)
        import redis

        _install.redis = redis.Redis.from_url(os.environ["REDIS_URL"])

    @signals.task_prerun.connect
    def _before(task_id=None, **kwargs):
        started[task_id] = time.thread_time()

    @signals.task_postrun.connect
    def _after(task_id=None, **kwargs):
        t0 = started.pop(task_id, None)
        if t0 is not None:
            totals["task"] += time.thread_time() - t0
            totals["tasks"] += 1
        client = getattr(_install, "redis", None)
        if client is not None:
            key = os.environ.get("TCM_REDIS_PREFIX", "") + "bench-probe"
            client.hset(key, str(os.getpid()), json.dumps(totals))
