"""django-q2 tasks (run inline in tests) and the idempotent schedules."""

from __future__ import annotations

import ast

import pytest
from django_q.models import Schedule

from customs import tasks
from customs.models import CustomsPublication, CustomsRun, CustomsSource, PublicationStatus
from customs.schedules import SWEEP_NAME, discovery_schedule_name, schedules_register
from customs.signals import publication_ingested
from tests.customs.conftest import EDITION_2, FIXTURES
from tests.support.http_server import Reply

pytestmark = pytest.mark.django_db


def test_schedules_target_the_price_sources_and_are_idempotent():
    schedules_register()
    schedules_register()
    customs = Schedule.objects.filter(name__startswith="customs:")
    assert sorted(customs.values_list("name", flat=True)) == sorted(
        [
            discovery_schedule_name("fr-douane-opendata"),
            discovery_schedule_name("es-cmt"),
            discovery_schedule_name("es-boe"),
            SWEEP_NAME,
        ]
    )
    # The CMT list is an undated snapshot: asked weekly; the BOE summary is daily.
    assert Schedule.objects.get(name=discovery_schedule_name("es-cmt")).schedule_type == (
        Schedule.WEEKLY
    )
    assert Schedule.objects.get(name=discovery_schedule_name("es-boe")).schedule_type == (
        Schedule.DAILY
    )
    discovery = Schedule.objects.get(name=discovery_schedule_name("fr-douane-opendata"))
    assert discovery.func == "customs.tasks.discover_source"
    assert ast.literal_eval(discovery.args) == ("fr-douane-opendata",)
    assert discovery.schedule_type == Schedule.DAILY
    assert Schedule.objects.get(name=SWEEP_NAME).schedule_type == Schedule.HOURLY


def test_a_disabled_source_loses_its_schedule():
    schedules_register()
    CustomsSource.objects.filter(slug__in=["fr-douane-opendata", "es-cmt", "es-boe"]).update(
        enabled=False
    )
    schedules_register()
    assert not Schedule.objects.filter(name__startswith="customs: discover").exists()


def test_scheduled_discovery_chains_every_stage_after_commit(
    server, douane, django_capture_on_commit_callbacks
):
    """The schedule's own function and arguments: discovery → fetch → parse → ingest."""
    html = (
        '<a href="/files/Maquette%20JORF%201er%20novembre%202026.ods">ODS</a>'
        '<a href="/files/Maquette%20JORF%201er%20novembre%202026_0.ods">ODS</a>'
    )
    server.route("/index", Reply(200, html.encode(), {"Content-Type": "text/html"}))
    for path in (
        "/files/Maquette%20JORF%201er%20novembre%202026.ods",
        "/files/Maquette%20JORF%201er%20novembre%202026_0.ods",
    ):
        server.route(path, Reply(200, EDITION_2.read_bytes(), {}))
    douane.index_url = server.url("/index")
    douane.save()
    schedules_register()
    schedule = Schedule.objects.get(name=discovery_schedule_name("fr-douane-opendata"))
    announced = []

    def listener(sender, publication_id, **kwargs):
        announced.append(publication_id)

    publication_ingested.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            message = getattr(tasks, schedule.func.rsplit(".", 1)[1])(
                *ast.literal_eval(schedule.args)
            )
    finally:
        publication_ingested.disconnect(listener)

    assert message.startswith("fr-douane-opendata: ok")
    original, copy = CustomsPublication.objects.order_by("id")
    assert original.status == PublicationStatus.INGESTED
    assert original.entry_count == 13
    assert copy.duplicate_of_id == original.pk
    assert announced == [original.pk]
    assert CustomsRun.objects.get(kind="discover").trigger == "task"


def test_a_stage_task_skips_work_already_done(server, douane):
    publication = CustomsPublication.objects.create(
        source=douane, external_id="x", status=PublicationStatus.INGESTED
    )
    assert "skipped" in tasks.fetch_publication(publication.pk)


def test_a_failing_stage_task_records_the_failure(server, douane):
    server.route("/gone.ods", Reply(200, b"<html>moved</html>", {}))
    publication = CustomsPublication.objects.create(
        source=douane, external_id=server.url("/gone.ods"), url=server.url("/gone.ods")
    )
    message = tasks.fetch_publication(publication.pk)
    publication.refresh_from_db()
    assert "failed at fetch" in message
    assert publication.status == PublicationStatus.FAILED


def test_retry_task_and_sweep(server, douane):
    server.route("/r.ods", Reply(200, EDITION_2.read_bytes(), {}))
    publication = CustomsPublication.objects.create(
        source=douane,
        external_id=server.url("/r.ods"),
        url=server.url("/r.ods"),
        status=PublicationStatus.FAILED,
        failed_stage="fetch",
        error="HTTP 403",
    )
    assert "ok" in tasks.retry_publication(publication.pk)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.INGESTED
    assert "nothing to retry" in tasks.retry_publication(publication.pk)
    assert tasks.ingest_pending().startswith("ok")
    assert (FIXTURES / "douane_index.html").exists()
