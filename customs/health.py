"""customs' part of ``GET /health`` (registered from ``CustomsConfig.ready()``).

``sources``: per customs source, its last run and its last failure. Informational: a
government site answering 403 for a day must not take the web nodes out of a load
balancer, so the kernel never turns this entry into a 503 (monitors alert on the field).
"""

from __future__ import annotations

from typing import Any

from cigarspace.health import short_message
from customs.models import CustomsRun, CustomsSource, PublicationStatus, RunOutcome


def sources_health() -> dict[str, Any]:
    report: dict[str, Any] = {}
    for source in CustomsSource.objects.order_by("slug"):
        runs = CustomsRun.objects.filter(source=source).order_by("-started_at")
        last = runs.first()
        failure = runs.filter(outcome=RunOutcome.FAILED).first()
        report[source.slug] = {
            "enabled": source.enabled,
            "last_run": None
            if last is None
            else {
                "kind": last.kind,
                "outcome": last.outcome,
                "started_at": last.started_at.isoformat(),
            },
            "last_failure": None
            if failure is None
            else {
                "kind": failure.kind,
                "at": failure.started_at.isoformat(),
                "message": short_message(failure.message),
            },
            "failed_publications": source.publications.filter(
                status=PublicationStatus.FAILED
            ).count(),
        }
    return report
