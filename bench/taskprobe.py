"""Imported at start in the worker's processes by the sitecustomize.py that
bench/profile_library.py writes: the usual probe (bench/probe/sitecustomize.py), plus

- with BENCH_PROFILE_DIR: a cProfile of each pool process's tasks, timed by thread CPU time (the
  probe's clock: waiting on Plex or the database is not counted), in <dir>/<pid>.prof every 10
  tasks and at the process's end;
- with BENCH_SPLIT_DIR: thread CPU time inside the functions in TARGETS, without cProfile's
  distortion, in <dir>/<pid>.json after every task (totals since the process started)."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

# Kept: Celery's signals hold their receivers weakly, and the usual probe's are in this namespace.
PROBE = runpy.run_path(str(Path(__file__).resolve().parent / "probe" / "sitecustomize.py"))

if os.environ.get("BENCH_PROFILE_DIR"):
    import cProfile
    import time

    from celery import signals

    state: dict[str, object] = {"n": 0}

    def _out() -> str:
        return str(Path(os.environ["BENCH_PROFILE_DIR"]) / f"{os.getpid()}.prof")

    @signals.worker_process_init.connect
    def _start(**kwargs: object) -> None:
        state["prof"] = cProfile.Profile(time.thread_time)

    @signals.task_prerun.connect
    def _on(**kwargs: object) -> None:
        prof = state.get("prof")
        if prof is not None:
            prof.enable()  # type: ignore[attr-defined]

    @signals.task_postrun.connect
    def _off(**kwargs: object) -> None:
        prof = state.get("prof")
        if prof is None:
            return
        prof.disable()  # type: ignore[attr-defined]
        state["n"] = int(state["n"]) + 1  # type: ignore[call-overload]
        if int(state["n"]) % 10 == 0:  # type: ignore[call-overload]
            prof.dump_stats(_out())  # type: ignore[attr-defined]

    @signals.worker_process_shutdown.connect
    def _end(**kwargs: object) -> None:
        prof = state.get("prof")
        if prof is not None:
            prof.dump_stats(_out())  # type: ignore[attr-defined]


if os.environ.get("BENCH_SPLIT_DIR"):
    # Thread CPU time inside chosen functions (outermost call per key only), without cProfile's
    # distortion: the absolute ms of the parts of "the rest of the task".
    import importlib
    import json
    import time
    from functools import wraps

    from celery import signals

    split: dict[str, float] = {}
    active: dict[str, int] = {}

    def _timed(fn, key):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            outer = not active.get(key)
            active[key] = active.get(key, 0) + 1
            t0 = time.thread_time() if outer else 0.0
            try:
                return fn(*args, **kwargs)
            finally:
                active[key] -= 1
                if outer:
                    split[key] = split.get(key, 0.0) + time.thread_time() - t0

        return wrapper

    TARGETS = [
        # (module, attribute path, key, modules whose imported name is patched too)
        ("django.db.models.sql.compiler", "SQLCompiler.as_sql", "orm sql compile", ()),
        ("django.db.models.sql.compiler", "SQLInsertCompiler.as_sql", "orm sql compile", ()),
        ("django.db.models.sql.compiler", "SQLUpdateCompiler.as_sql", "orm sql compile", ()),
        ("django.db.models.sql.compiler", "SQLCompiler.execute_sql", "orm select all", ()),
        ("django.db.models.base", "Model.from_db", "orm row->object", ()),
        ("django.db.models.base", "Model.save", "orm save all", ()),
        ("redis.client", "Redis.__init__", "redis client init", ()),
        ("redis.client", "Redis.execute_command", "redis command", ()),
        ("celery.app.task", "Task.apply_async", "celery send", ()),
        ("logging", "Logger._log", "logging", ()),
        ("cards.looks", "card_inputs", "card_inputs", ("cards.card",)),
        ("cards.looks", "Rules.load", "rules load", ()),
        ("cards.looks", "card_settings", "card_settings", ()),
        ("cards.sources", "ensure_source", "ensure_source (still)", ("cards.looks",)),
        ("cards.sources", "save_file", "save_file", ("cards.card",)),
        ("cards.card", "upload_bytes", "upload_bytes", ()),
        ("cards.card", "upload_card", "upload_card", ()),
        ("cards.card", "update_card", "update_card", ("cards.tasks",)),
        ("cards.models", "CardEvent.record", "CardEvent.record", ()),
        ("cards.maintenance", "render_due_cards", "job render_due_cards", ()),
        ("cards.card", "PendingLabels.take", "PENDING_LABELS.take", ()),
        ("tcm_site.locks", "ensure_held", "ensure_held", ("cards.card",)),
        ("django.db.backends.base.base", "BaseDatabaseWrapper.connect", "db connect", ()),
        ("django.db.backends.base.base", "BaseDatabaseWrapper.close", "db close", ()),
        ("django.core.files.storage", "FileSystemStorage._save", "storage write", ()),
        ("django.core.files.storage", "FileSystemStorage.exists", "storage exists", ()),
        ("cards.sources", "sha256", "sha256", ()),
        ("cards.render.spec", "CardSpec.fingerprint_data", "fingerprint_data", ()),
        ("django.core.cache.backends.redis", "RedisCache.delete", "cache.delete", ()),
        ("django.core.cache.backends.redis", "RedisCache.add", "cache.add", ()),
    ]

    @signals.worker_process_init.connect
    def _wrap(**kwargs: object) -> None:
        for modname, attr, key, also in TARGETS:
            mod = importlib.import_module(modname)
            owner: object = mod
            *parents, name = attr.split(".")
            for p in parents:
                owner = getattr(owner, p)
            raw = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
            if isinstance(raw, classmethod):
                new: object = classmethod(_timed(raw.__func__, key))
            elif isinstance(raw, staticmethod):
                new = staticmethod(_timed(raw.__func__, key))
            else:
                new = _timed(raw, key)
            setattr(owner, name, new)
            for other in also:
                om = importlib.import_module(other)
                if getattr(om, name, None) is raw:
                    setattr(om, name, new)

    @signals.task_postrun.connect
    def _write(**kwargs: object) -> None:
        path = Path(os.environ["BENCH_SPLIT_DIR"]) / f"{os.getpid()}.json"
        path.write_text(json.dumps(split))
