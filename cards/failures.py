"""What a Plex failure does to the work that met it: the one policy every task follows.

By what trying again can do (connections/plex.py's exception classes say which):
- Plex rejected the token: permanent. The connection is flagged (auth_failed_at) and every task
  for it stops before sending a request, so a revoked token cannot cause a retry storm.
- Plex unavailable (timeouts, refused connections, 5xx; `PlexError.transient`): tried again
  after an exponential backoff with jitter, until TCM_RETRY_LIMIT attempts were made.
- Anything else (an unknown rating key, a request Plex refused): permanent.

The work records what went wrong on its own object (the event, the card, the job run); the task
asks `plex_failure` whether and when to try again. Attempts are counted by tcm on the object
(an event's and a card's `attempts`, a job's Celery retries + 1), never by Celery's own limit.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from connections.models import PlexConnection
from connections.plex import PlexAuthError, PlexError

log = logging.getLogger(__name__)


def retry_delay(attempt: int) -> float:
    """Seconds to wait before attempt `attempt` + 1 after a transient failure: exponential
    backoff with jitter (so that many cards failing together do not come back together)."""
    delay = settings.TCM_RETRY_BASE_DELAY * 2 ** max(0, attempt - 1)
    return min(settings.TCM_RETRY_MAX_DELAY, delay) * random.uniform(0.5, 1.0)


def retry_in(exc: PlexError, attempt: int) -> timedelta | None:
    """When trying again after the `attempt`th failure can help, for the failed object's record
    (a card's retry_at, which render_card and the schedule go by); None for a permanent error.
    TCM_RETRY_LIMIT is not applied here: whoever retries checks it (`plex_failure`)."""
    return timedelta(seconds=retry_delay(attempt)) if exc.transient else None


@dataclass(frozen=True)
class Verdict:
    """What to do about a failure: try again in `retry_in` seconds, or (None) give up."""

    retry_in: float | None
    reason: str  # the error for the record; says so when tcm gave up after its attempts
    blocked: bool = False  # the connection's token was rejected: no more work for it


def plex_failure(
    connection: PlexConnection,
    exc: PlexError,
    attempts: int | None,
    *,
    due: datetime | None = None,
) -> Verdict:
    """The verdict on a Plex error met by work for `connection` after `attempts` tries (None:
    work that is not retried, such as a sweep the schedule runs again anyway). A rejected token
    is recorded on the connection here. `due`: when the work's own record already says the next
    try is due (a card records it as it fails), the countdown runs to that time."""
    if isinstance(exc, PlexAuthError):
        log.error("Plex connection %s: %s", connection, exc)
        connection.record_auth_failure(str(exc))
        return Verdict(None, str(exc), blocked=True)
    if not exc.transient or attempts is None:
        return Verdict(None, str(exc))
    if attempts >= settings.TCM_RETRY_LIMIT:
        return Verdict(None, f"Gave up after {attempts} attempts. {exc}")
    if due is not None:
        return Verdict(max(0.0, (due - timezone.now()).total_seconds()), str(exc))
    return Verdict(retry_delay(attempts), str(exc))
