from __future__ import annotations

from django.conf import settings

from tcm_site.celery import app, ping


def test_it_uses_the_redis_broker() -> None:
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_a_real_worker_runs_a_task_through_redis(celery_worker: object) -> None:
    result = ping.delay()
    assert result.get(timeout=20) == "pong"
