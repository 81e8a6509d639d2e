from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db(transaction=True)
def test_it_reports_healthy_when_a_worker_answers(celery_worker: object) -> None:
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["ok"] is True
    assert {"database", "broker", "worker"} <= set(body["checks"])
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_it_answers_503_when_no_worker_is_running() -> None:
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is False


@pytest.mark.django_db
def test_it_answers_503_when_the_broker_is_down(settings: object) -> None:
    from tcm_site.celery import app

    # Nothing listens on port 1: the broker check must fail fast, not hang.
    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = Client().get("/healthz")
    finally:
        app.conf.broker_url = previous
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["worker"]["ok"] is False
