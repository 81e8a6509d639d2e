"""The worker's consumer: Celery's own, reconnecting to a broker that went away every few
seconds instead of ever more slowly.

Celery waits 2, 4, 6 ... up to 30 s between its tries to reach a lost broker, so a worker whose
Redis was away for minutes went on waiting up to half a minute after Redis was back before it
took a task again, whatever the relay had queued meanwhile (cards/relay.py). A try costs a
connection attempt on loopback or the LAN: every RECONNECT_EVERY seconds at most is cheap.
Used through CELERY_WORKER_CONSUMER (tcm_site/settings.py); only a worker imports it.
"""

from __future__ import annotations

import functools

from celery.worker.consumer import Consumer as CeleryConsumer
from kombu import Connection

# The longest wait between two tries to reach a lost broker (seconds).
RECONNECT_EVERY = 2


class Consumer(CeleryConsumer):
    def ensure_connected(self, conn: Connection) -> Connection:
        # Celery's own method, with kombu's waits between tries set for this connection (it
        # passes none itself, so kombu's defaults apply).
        conn.ensure_connection = functools.partial(  # type: ignore[method-assign]
            type(conn).ensure_connection,
            conn,
            interval_start=1,
            interval_step=1,
            interval_max=RECONNECT_EVERY,
        )
        return super().ensure_connected(conn)
