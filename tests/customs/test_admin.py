"""The customs admin: run outcomes visible, bulk actions queue the pipeline tasks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customs.models import CustomsPublication, PublicationStatus
from customs.services.runs import source_discover_run
from tests.customs.conftest import EDITION_2, FIXTURES
from tests.support.http_server import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_runs_and_fetches_are_visible(admin_client, server, douane, http_client):
    server.route("/index", Reply(500, b"down"))
    douane.index_url = server.url("/index")
    douane.save()
    run, _ = source_discover_run(source=douane, client=http_client)
    assert run.outcome == "failed"

    page = admin_client.get(reverse("admin:customs_customsrun_changelist"))
    assert page.status_code == 200
    assert b"Failed" in page.content
    page = admin_client.get(reverse("admin:customs_customsfetch_changelist"))
    assert page.status_code == 200
    assert b"/index" in page.content
    page = admin_client.get(reverse("admin:customs_customssource_changelist"))
    assert b"discover failed" in page.content
    # Logs are read-only.
    assert admin_client.get(reverse("admin:customs_customsrun_add")).status_code == 403


def test_publication_page_shows_its_fetches(admin_client, ingested_pair):
    _, november = ingested_pair
    page = admin_client.get(reverse("admin:customs_customspublication_change", args=[november.pk]))
    assert page.status_code == 200
    assert b"document" in page.content


def test_discover_action_queues_discovery(
    admin_client, server, douane, django_capture_on_commit_callbacks
):
    server.route(
        "/index",
        Reply(200, (FIXTURES / "douane_index.html").read_bytes(), {"Content-Type": "text/html"}),
    )
    douane.index_url = server.url("/index")
    douane.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(
            reverse("admin:customs_customssource_changelist"),
            {"action": "discover_now", "_selected_action": [douane.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert b"Discovery queued for 1 source" in response.content
    assert len(callbacks) == 1
    # The queued task (inline in tests) discovers; its own follow-ups are not run here.
    callbacks[0]()
    assert CustomsPublication.objects.filter(source=douane).count() == 3


def test_retry_action_only_touches_failed_publications(
    superuser, server, douane, django_capture_on_commit_callbacks
):
    # The action of customs' own admin class (the review console may extend or rename it).
    from django.contrib import admin
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    from customs.admin import CustomsPublicationAdmin

    server.route("/x.ods", Reply(200, EDITION_2.read_bytes(), {}))
    failed = CustomsPublication.objects.create(
        source=douane,
        external_id=server.url("/x.ods"),
        url=server.url("/x.ods"),
        status=PublicationStatus.FAILED,
        failed_stage="fetch",
        error="HTTP 403",
    )
    fine = CustomsPublication.objects.create(source=douane, external_id="y")
    request = RequestFactory().post("/")
    request.user = superuser
    request._messages = CookieStorage(request)
    model_admin = CustomsPublicationAdmin(CustomsPublication, admin.site)
    with django_capture_on_commit_callbacks(execute=True):
        model_admin.retry_failed(
            request, CustomsPublication.objects.filter(pk__in=[failed.pk, fine.pk])
        )
    (message,) = [str(m) for m in get_messages(request)]
    assert message == "Retry queued for 1 publication(s); 1 not failed, left alone."
    failed.refresh_from_db()
    fine.refresh_from_db()
    assert failed.status == PublicationStatus.INGESTED
    assert fine.status == PublicationStatus.DISCOVERED


def test_log_pages_open_with_factory_rows(admin_client):
    from tests import factories as f

    fetch = f.CustomsFetchFactory(error="", http_status=200)
    run = f.CustomsRunFactory(outcome="not_configured", message="set LEGIFRANCE_CLIENT_ID")
    page = admin_client.get(reverse("admin:customs_customsfetch_change", args=[fetch.pk]))
    assert page.status_code == 200
    page = admin_client.get(reverse("admin:customs_customsrun_changelist"), {"q": "LEGIFRANCE"})
    assert b"Not configured" in page.content
    assert run.pk
