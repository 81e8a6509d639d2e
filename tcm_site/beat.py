"""Celery beat's scheduler: django-celery-beat's, except that a job that has never run starts
shortly after beat starts instead of one whole interval later.

django-celery-beat takes a task without a last run to have run when its row last changed (for
tcm's jobs: when the migration created them), so a fresh install would wait 6 hours for its
first library sync and an hour for its first due cards. An overdue job (its last run longer ago
than its interval, beat having been stopped) is due at once already: is_due says so.
"""

from __future__ import annotations

import datetime
from typing import Any

from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry

# A moment for the worker to come up first: a job sent before it listens waits in the queue
# anyway, but its expiry runs from the moment it was sent.
FIRST_RUN_DELAY = datetime.timedelta(seconds=10)


class FirstRunSoonEntry(ModelEntry):
    def __init__(self, model: Any, app: Any = None) -> None:
        never_ran = model.last_run_at is None
        super().__init__(model, app=app)
        interval = getattr(self.schedule, "run_every", None)
        if never_ran and model.interval_id is not None and interval is not None:
            # Due FIRST_RUN_DELAY from now: as if it had run one interval before that. Kept in
            # memory only; the first run writes the real time.
            soon = self._default_now() + FIRST_RUN_DELAY - interval
            model.last_run_at = self.last_run_at = soon


class Scheduler(DatabaseScheduler):
    Entry = FirstRunSoonEntry
