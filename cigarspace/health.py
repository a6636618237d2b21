"""``GET /health``: is this deployment able to serve and to work? JSON for monitors.

Checks, each cheap (a handful of indexed queries, no table scan):

- ``database``: a round trip to PostgreSQL;
- ``extensions``: ``vector`` and ``pg_trgm`` installed (search and matching need them);
- ``migrations``: no migration left unapplied (a web node ahead of its schema answers
  500s on the first new column);
- ``queue``: tasks waiting in the django-q2 queue and the age of the oldest (its lag);
  a lag above ``HEALTH_MAX_QUEUE_LAG_SECONDS`` means no worker is draining the queue —
  every scheduled discovery, ingestion and matching job is dead;
- and every check an app registered (``health_check_register``, called from its
  ``AppConfig.ready()``): the kernel names no app. customs registers ``sources`` (per
  customs source, its last run and its last failure), an *informational* check: a
  government site answering 403 for a day must not take the web nodes out of a load
  balancer, so it never turns the answer into a 503 (monitors alert on the field).

200 when the first four and every gating app check pass, 503 otherwise. No authentication
is needed (load balancers call it), but anonymous callers get the status only: the checks'
details (error texts, each source's failure messages, the queue) go to staff (an admin
session) and to monitors sending ``Authorization: Monitoring-Token <HEALTH_MONITORING_TOKEN>``.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cigarspace.env import Env

logger = logging.getLogger(__name__)

REQUIRED_EXTENSIONS = ("vector", "pg_trgm")
# Above this, nothing drains the queue (no worker, or all stuck). Settings may override it.
DEFAULT_MAX_QUEUE_LAG_SECONDS = Env().int(
    "HEALTH_MAX_QUEUE_LAG_SECONDS", default=900, minimum=1, maximum=7 * 24 * 3600
)
MESSAGE_CHARS = 200
MONITORING_TOKEN_SCHEME = "Monitoring-Token"  # noqa: S105 (a header scheme, not a secret)


def _database() -> dict[str, Any]:
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "latency_ms": round((time.monotonic() - started) * 1000, 1)}


def _extensions() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extname, extversion FROM pg_extension WHERE extname = ANY(%s)",
            [list(REQUIRED_EXTENSIONS)],
        )
        found = dict(cursor.fetchall())
    missing = [name for name in REQUIRED_EXTENSIONS if name not in found]
    return {"ok": not missing, "installed": found, "missing": missing}


def _migrations() -> dict[str, Any]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    unapplied = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    return {"ok": not unapplied, "unapplied": unapplied}


def _queue() -> dict[str, Any]:
    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.models import OrmQ

    max_lag = getattr(settings, "HEALTH_MAX_QUEUE_LAG_SECONDS", DEFAULT_MAX_QUEUE_LAG_SECONDS)
    if Conf.ORM is None:
        # Redis broker: the queue length is known, the age of its head is not.
        broker = get_broker()
        return {"ok": True, "broker": "redis", "waiting": broker.queue_size(), "lag_seconds": None}
    now = timezone.now()
    waiting = OrmQ.objects.using(Conf.ORM).filter(lock__lte=now)
    oldest = waiting.order_by("lock").values_list("lock", flat=True).first()
    lag = round((now - oldest).total_seconds(), 1) if oldest else 0.0
    return {
        "ok": lag <= max_lag,
        "broker": "orm",
        "waiting": waiting.count(),
        "lag_seconds": lag,
        "max_lag_seconds": max_lag,
    }


def short_message(text: str) -> str:
    """One line of at most ``MESSAGE_CHARS`` characters: what a report may quote."""
    text = " ".join((text or "").split())
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 1] + "…"


@dataclass(frozen=True)
class HealthCheck:
    """A check an app adds to the report under ``name``.

    ``gating``: its ``{"ok": False}`` (or an exception) makes the answer a 503. An
    informational check (``gating=False``) returns any JSON-able value and never does;
    when it raises, its entry says ``{"error": …}``.
    """

    name: str
    run: Callable[[], Any]
    gating: bool = True


_REGISTRY: dict[str, HealthCheck] = {}
KERNEL_CHECKS = ("time", "database", "extensions", "migrations", "queue", "status")


def health_check_register(name: str, run: Callable[[], Any], *, gating: bool = True) -> None:
    """Add (or replace, so that a repeated ``ready()`` is harmless) an app's check."""
    if name in KERNEL_CHECKS:
        raise ValueError(f"{name!r} is a kernel check's name")
    _REGISTRY[name] = HealthCheck(name=name, run=run, gating=gating)


def registered_checks() -> list[HealthCheck]:
    return sorted(_REGISTRY.values(), key=lambda check: check.name)


def health_report() -> tuple[bool, dict[str, Any]]:
    """(healthy, report). A check that raises is reported as failed, never as a 500."""
    report: dict[str, Any] = {"time": timezone.now().isoformat()}
    try:
        report["database"] = _database()
    except DatabaseError as exc:
        logger.error("health: database unreachable: %s", exc)
        report["database"] = {"ok": False, "error": short_message(str(exc))}
        report["status"] = "unhealthy"
        return False, report
    healthy = True
    checks = (("extensions", _extensions), ("migrations", _migrations), ("queue", _queue))
    for name, check in checks:
        try:
            report[name] = check()
        except Exception as exc:  # a broken check is a failed check, not a crash
            logger.exception("health: check %s failed", name)
            report[name] = {"ok": False, "error": short_message(f"{type(exc).__name__}: {exc}")}
        healthy = healthy and report[name]["ok"]
    for app_check in registered_checks():
        try:
            report[app_check.name] = app_check.run()
        except Exception as exc:  # a broken check is a failed check, not a crash
            logger.exception("health: check %s failed", app_check.name)
            error = short_message(f"{type(exc).__name__}: {exc}")
            if isinstance(exc, DatabaseError):
                error = short_message(str(exc))
            report[app_check.name] = (
                {"ok": False, "error": error} if app_check.gating else {"error": error}
            )
        if app_check.gating:
            healthy = healthy and bool(report[app_check.name].get("ok"))
    report["status"] = "healthy" if healthy else "unhealthy"
    return healthy, report


def may_see_details(request: HttpRequest) -> bool:
    """Staff, or a monitor presenting the configured token (compared in constant time)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    expected = getattr(settings, "HEALTH_MONITORING_TOKEN", None)
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme != MONITORING_TOKEN_SCHEME:
        return False
    return hmac.compare_digest(
        presented.strip().encode("utf-8", "surrogatepass"), expected.encode("utf-8")
    )


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    healthy, report = health_report()
    if not healthy:
        logger.warning("health: unhealthy", extra={"health": report})
    body = report if may_see_details(request) else {"status": report["status"]}
    return JsonResponse(body, status=200 if healthy else 503)
