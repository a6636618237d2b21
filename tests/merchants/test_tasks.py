"""The scheduled task and the schedules registered after migrate."""

from __future__ import annotations

import pytest
from django_q.models import Schedule

from merchants import tasks
from merchants.models import CrawlRun, RunStatus
from merchants.schedules import schedules_register
from merchants.services import merchant_update

pytestmark = pytest.mark.django_db


def test_task_crawls_and_reports(habanos, maison, maison_server):
    message = tasks.crawl_merchant("maison")
    run = CrawlRun.objects.get()
    assert (run.trigger, run.status) == ("task", RunStatus.FINISHED)
    assert message.startswith(f"maison: run {run.pk} finished")


def test_task_resumes_an_unfinished_run(habanos, maison, maison_server):
    from merchants.crawler import merchant_crawl

    first = merchant_crawl(merchant=maison, limit=1)
    tasks.crawl_merchant("maison")
    first.refresh_from_db()
    assert first.status == RunStatus.FINISHED
    assert CrawlRun.objects.count() == 1


def test_admin_task_starts_a_new_run(habanos, maison, maison_server):
    from merchants.crawler import merchant_crawl

    merchant_crawl(merchant=maison, limit=1)
    tasks.crawl_merchant_new("maison")
    assert CrawlRun.objects.count() == 2
    assert CrawlRun.objects.filter(trigger="admin", status=RunStatus.FINISHED).exists()


def test_disabled_merchant_is_not_crawled(maison, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        merchant_update(merchant=maison, enabled=False)
    assert tasks.crawl_merchant("maison") == "maison: disabled; not crawled"
    assert not CrawlRun.objects.exists()


def test_schedules_register_one_per_enabled_merchant(casa, cave, maison):
    merchant_update(merchant=cave, enabled=False)
    names = schedules_register()
    assert names == ["merchants: crawl casa", "merchants: crawl maison"]
    assert set(
        Schedule.objects.filter(name__startswith="merchants: ").values_list("name", flat=True)
    ) == set(names)


def test_one_crawl_per_merchant_at_a_time(maison):
    """While another worker (another connection) holds the merchant, a scheduled crawl
    steps aside instead of working the same frontier. The lock needs only the merchant's
    id, so the other worker's connection need not see the test's uncommitted rows."""
    import threading

    from django.db import connection

    from merchants.crawler import CrawlAlreadyRunning, merchant_crawl
    from merchants.crawler.run import _merchant_lock

    holding, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with _merchant_lock(maison):
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert holding.wait(10)
        with pytest.raises(CrawlAlreadyRunning):
            merchant_crawl(merchant=maison)
        assert tasks.crawl_merchant("maison").startswith("maison: skipped")
        assert not CrawlRun.objects.exists()
    finally:
        release.set()
        thread.join()
