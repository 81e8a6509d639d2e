"""docker-compose.yml is the production path; Docker cannot run here, so check its shape."""

from __future__ import annotations

import yaml

from tests.support import ROOT


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_it_defines_the_five_services_with_healthchecks() -> None:
    services = _compose()["services"]
    assert set(services) == {"web", "worker", "beat", "redis", "postgres"}
    for name, service in services.items():
        assert "healthcheck" in service, name


def test_the_app_services_share_the_data_volume_and_run_in_production_mode() -> None:
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert "tcm-data:/data" in service["volumes"], name
        env = service["environment"]
        assert env["DEBUG"] == "false"
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert env["DATABASE_URL"].startswith("postgres://")
        assert "TCM_PUBLIC_URL" in env
    assert "celery -A tcm_site worker" in services["worker"]["command"]
    assert "celery -A tcm_site beat" in services["beat"]["command"]
    assert "python -m tcm_site.webserver" in services["web"]["command"]


def test_the_compose_file_documents_the_public_url() -> None:
    assert "# TCM_PUBLIC_URL: http://" in (ROOT / "docker-compose.yml").read_text()


def test_worker_and_beat_start_without_waiting_for_web_health() -> None:
    # web's health check is /healthz, which needs a worker to answer a ping: a worker that waits
    # for web to be healthy would never start. They wait for the migrations instead.
    services = _compose()["services"]
    for name in ("worker", "beat"):
        service = services[name]
        assert "web" not in service.get("depends_on", {}), name
        assert set(service["depends_on"]) == {"postgres", "redis"}, name
        assert "manage.py migrate --check" in service["command"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
