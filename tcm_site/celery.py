"""The Celery app, configured from Django settings (the CELERY_* names in settings.py)."""

from __future__ import annotations

import os

from celery import Celery, bootsteps
from celery.signals import setup_logging, worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tcm_site.settings")

app = Celery("tcm_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _use_django_logging(**kwargs: object) -> None:
    # Workers log through Django's LOGGING (with its secret-redacting filter) instead of
    # Celery's own handlers.
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@worker_init.connect
@worker_process_init.connect
def _prepare_for_rendering(**kwargs: object) -> None:
    # Before the first card imports numpy: one OpenBLAS thread, and glibc's malloc keeping the
    # big picture buffers for reuse (about a third of a sharp card's CPU otherwise goes to
    # faulting them in afresh). In the main process before it forks its pool, and in each child.
    from cards.render import process

    process.prepare()


@worker_process_init.connect
def _render_at_low_priority(**kwargs: object) -> None:
    # Only in the pool's processes, which render: the web server keeps answering webhooks at
    # once while they have both cores (settings.TCM_WORKER_NICE).
    from django.conf import settings

    from cards.render import process

    process.lower_priority(settings.TCM_WORKER_NICE)


class EventRelay(bootsteps.StartStopStep):
    """Every worker runs the relay that queues stored webhook events (cards/relay.py); the
    step starts and stops it with the worker."""

    # After the pool: a prefork pool's children must not inherit the relay's database
    # connection, which the relay opens at once.
    requires = ("celery.worker.components:Pool",)

    def create(self, worker: object) -> object:
        from cards.relay import Relay  # needs Django's apps, ready once a worker is built

        return Relay()


app.steps["worker"].add(EventRelay)


@app.task(name="tcm.ping")
def ping() -> str:
    """A task that only answers: used by the test suite and health diagnostics."""
    return "pong"
