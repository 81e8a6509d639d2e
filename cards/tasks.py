"""Celery tasks: thin glue. They take IDs, load, call the pipeline, record the outcome.

Every task is idempotent (running it twice does the work once) and is dispatched only after the
transaction that created its work has committed (transaction.on_commit).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from .models import WebhookEvent

log = logging.getLogger(__name__)


@shared_task(name="cards.process_webhook_event")
def process_webhook_event(event_id: int) -> str:
    """Do the work one stored Tautulli post asked for.

    Placeholder until the pipeline lands: it marks the event done without touching Plex.
    """
    event = WebhookEvent.objects.filter(pk=event_id).first()
    if event is None:
        log.info("webhook event %s no longer exists; nothing to do", event_id)
        return "missing"
    if event.status in (WebhookEvent.Status.DONE, WebhookEvent.Status.DUPLICATE):
        return event.status
    WebhookEvent.objects.filter(pk=event_id).update(
        status=WebhookEvent.Status.DONE, finished_at=timezone.now()
    )
    return "done"
