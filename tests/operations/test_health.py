"""GET /health: 200 with every check when healthy, 503 naming what is wrong; the details
to staff and monitors only."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from django.utils import timezone
from django_q.models import OrmQ

from customs.models import CustomsSource, RunKind, RunOutcome
from tests.factories import CustomsPublicationFactory, CustomsRunFactory, OperatorFactory

pytestmark = pytest.mark.django_db

MONITORING_TOKEN = "health-monitoring-token-of-the-tests-0123456789"


@pytest.fixture
def client(settings):
    """A monitor: the configured token in its Authorization header (it sees the details)."""
    settings.HEALTH_MONITORING_TOKEN = MONITORING_TOKEN
    return Client(HTTP_AUTHORIZATION=f"Monitoring-Token {MONITORING_TOKEN}")


@pytest.fixture
def failing_source():
    source = CustomsSource.objects.get(slug="fr-douane-opendata")
    CustomsRunFactory(
        source=source,
        kind=RunKind.DISCOVER,
        outcome=RunOutcome.FAILED,
        message="HttpError: 403 Forbidden from https://internal.example/secret-path",
        started_at=timezone.now(),
    )
    return source


def test_anonymous_callers_get_the_status_only(settings, failing_source):
    settings.HEALTH_MONITORING_TOKEN = MONITORING_TOKEN
    for headers in ({}, {"HTTP_AUTHORIZATION": "Monitoring-Token wrong-token"}):
        response = Client(**headers).get("/health")
        assert response.status_code == 200
        assert response.json() == {"status": "healthy"}
        assert b"secret-path" not in response.content


def test_unhealthy_anonymous_answer_is_503_with_the_status_only():
    with mock.patch("cigarspace.health._queue", side_effect=RuntimeError("broker gone")):
        response = Client().get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unhealthy"}


def test_without_a_configured_token_no_token_opens_the_details(settings, failing_source):
    settings.HEALTH_MONITORING_TOKEN = None
    response = Client(HTTP_AUTHORIZATION="Monitoring-Token ").get("/health")
    assert response.json() == {"status": "healthy"}


def test_staff_and_monitors_see_the_details(client, failing_source):
    staff = Client()
    staff.force_login(OperatorFactory())
    for caller in (staff, client):
        body = caller.get("/health").json()
        failure = body["sources"]["fr-douane-opendata"]["last_failure"]
        assert "secret-path" in failure["message"]
        assert body["database"]["ok"] is True


def test_healthy_deployment_answers_200_with_every_check(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "healthy"
    assert body["database"]["ok"] is True
    assert set(body["extensions"]["installed"]) == {"vector", "pg_trgm"}
    assert body["migrations"] == {"ok": True, "unapplied": []}
    assert body["queue"]["waiting"] == 0
    assert body["queue"]["lag_seconds"] == 0.0
    # Every seeded source is reported, even one that never ran.
    assert set(body["sources"]) == set(CustomsSource.objects.values_list("slug", flat=True))
    assert body["sources"]["fr-douane-opendata"]["last_run"] is None


def test_queue_lag_beyond_the_limit_is_unhealthy(client, settings):
    settings.HEALTH_MAX_QUEUE_LAG_SECONDS = 60
    OrmQ.objects.create(
        key="cigarspace", payload="x", lock=timezone.now() - dt.timedelta(minutes=5)
    )
    # A task locked by a worker (lock in the future) is being worked on, not waiting.
    OrmQ.objects.create(key="cigarspace", payload="y", lock=timezone.now() + dt.timedelta(hours=1))

    response = client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["queue"]["ok"] is False
    assert body["queue"]["waiting"] == 1
    assert body["queue"]["lag_seconds"] >= 300


def test_a_recent_queue_stays_healthy(client, settings):
    settings.HEALTH_MAX_QUEUE_LAG_SECONDS = 600
    OrmQ.objects.create(
        key="cigarspace", payload="x", lock=timezone.now() - dt.timedelta(seconds=5)
    )

    body = client.get("/health").json()

    assert body["queue"]["ok"] is True
    assert body["queue"]["waiting"] == 1


def test_unapplied_migrations_are_named_and_unhealthy(client):
    class FakeMigration:
        app_label, name = "catalogue", "9999_future"

    with mock.patch(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        return_value=[(FakeMigration(), False)],
    ):
        response = client.get("/health")

    assert response.status_code == 503
    assert response.json()["migrations"] == {"ok": False, "unapplied": ["catalogue.9999_future"]}


def test_missing_extension_is_unhealthy(client):
    real_cursor = connection.cursor

    def cursor_hiding_vector():
        cursor = real_cursor()
        real_execute = cursor.execute

        def execute(sql, params=None):
            if "pg_extension" in sql:
                params = [["pg_trgm"]]
            return real_execute(sql, params)

        cursor.execute = execute
        return cursor

    with mock.patch.object(connection, "cursor", side_effect=cursor_hiding_vector):
        response = client.get("/health")

    assert response.status_code == 503
    assert response.json()["extensions"]["missing"] == ["vector"]


def test_unreachable_database_is_503_json_not_a_crash(client):
    with mock.patch("cigarspace.health._database", side_effect=DatabaseError("connection refused")):
        response = client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == {"ok": False, "error": "connection refused"}
    assert "queue" not in body


def test_a_check_that_raises_fails_alone(client):
    with mock.patch("cigarspace.health._queue", side_effect=RuntimeError("broker gone")):
        response = client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["queue"] == {"ok": False, "error": "RuntimeError: broker gone"}
    assert body["migrations"]["ok"] is True


def test_last_failure_per_source_is_reported_without_failing_health(client):
    source = CustomsSource.objects.get(slug="fr-douane-opendata")
    now = timezone.now()
    CustomsRunFactory(
        source=source,
        kind=RunKind.DISCOVER,
        outcome=RunOutcome.FAILED,
        message="HttpError: 403 Forbidden " + "x" * 500,
        started_at=now - dt.timedelta(hours=2),
    )
    CustomsRunFactory(source=source, kind=RunKind.DISCOVER, outcome=RunOutcome.OK, started_at=now)
    CustomsPublicationFactory(
        source=source, status="failed", failed_stage="fetch", error="403", failed_at=now
    )

    response = client.get("/health")

    # A government site refusing us must not take the web nodes out of the balancer.
    assert response.status_code == 200
    report = response.json()["sources"]["fr-douane-opendata"]
    assert report["last_run"]["outcome"] == "ok"
    assert report["last_failure"]["message"].startswith("HttpError: 403 Forbidden")
    assert len(report["last_failure"]["message"]) == 200
    assert report["failed_publications"] == 1


def test_only_get(client):
    assert client.post("/health").status_code == 405


# --- the registry apps fill from AppConfig.ready() ------------------------------------------


def test_customs_fills_the_sources_check_from_its_app_config():
    from cigarspace.health import registered_checks

    (sources,) = [check for check in registered_checks() if check.name == "sources"]
    assert sources.gating is False
    assert sources.run.__module__ == "customs.health"


def test_a_gating_app_check_that_fails_makes_the_answer_503(client, monkeypatch):
    from cigarspace import health

    monkeypatch.setattr(health, "_REGISTRY", dict(health._REGISTRY))
    health.health_check_register("probe", lambda: {"ok": False, "why": "disk full"})
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["probe"] == {"ok": False, "why": "disk full"}


def test_an_informational_check_that_raises_is_reported_not_fatal(client, monkeypatch):
    from cigarspace import health

    def broken():
        raise RuntimeError("no such table")

    monkeypatch.setattr(health, "_REGISTRY", dict(health._REGISTRY))
    health.health_check_register("probe", broken, gating=False)
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["probe"] == {"error": "RuntimeError: no such table"}


def test_an_app_check_may_not_take_a_kernel_checks_name():
    from cigarspace.health import health_check_register

    with pytest.raises(ValueError, match="kernel"):
        health_check_register("queue", dict)
