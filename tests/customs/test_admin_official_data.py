"""Official data is read-only in the admin: publications and entries are corrected through
services that record who and why, never typed over."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from customs.models import CustomsPriceEntry, CustomsPublication, PublicationStatus
from tests.factories import CustomsPriceEntryFactory, CustomsPublicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(douane) -> CustomsPriceEntry:
    publication = CustomsPublicationFactory(
        source=douane, status=PublicationStatus.INGESTED, entry_count=1
    )
    return CustomsPriceEntryFactory(publication=publication, pack_price=Decimal("2050.00"))


def test_a_publication_cannot_be_edited_added_or_deleted(admin_client_logged_in, entry):
    publication = entry.publication
    url = reverse("admin:customs_customspublication_change", args=[publication.pk])
    page = admin_client_logged_in.get(url)
    assert page.status_code == 200
    assert b'name="status"' not in page.content
    assert b'name="error"' not in page.content
    changed = admin_client_logged_in.post(
        url, {"status": PublicationStatus.FAILED, "failed_stage": "parse", "error": "typed"}
    )
    assert changed.status_code == 403
    publication.refresh_from_db()
    assert (publication.status, publication.error) == (PublicationStatus.INGESTED, "")
    add = reverse("admin:customs_customspublication_add")
    assert admin_client_logged_in.get(add).status_code == 403
    delete = reverse("admin:customs_customspublication_delete", args=[publication.pk])
    assert admin_client_logged_in.post(delete, {"post": "yes"}).status_code == 403
    assert CustomsPublication.objects.filter(pk=publication.pk).exists()


def test_an_entry_price_and_label_cannot_be_edited(admin_client_logged_in, entry):
    url = reverse("admin:customs_customspriceentry_change", args=[entry.pk])
    page = admin_client_logged_in.get(url)
    assert page.status_code == 200
    assert b'name="pack_price"' not in page.content
    assert b'name="normalised_label"' not in page.content
    changed = admin_client_logged_in.post(
        url, {"pack_price": "1.00", "normalised_label": "something else"}
    )
    assert changed.status_code == 403
    entry.refresh_from_db()
    assert (entry.pack_price, entry.normalised_label) == (Decimal("2050.00"), "cohiba robustos")
    delete = reverse("admin:customs_customspriceentry_delete", args=[entry.pk])
    assert admin_client_logged_in.post(delete, {"post": "yes"}).status_code == 403
    assert CustomsPriceEntry.objects.filter(pk=entry.pk).exists()


def test_a_count_drop_is_accepted_with_a_reason_from_the_admin(
    admin_client_logged_in, douane, superuser, django_capture_on_commit_callbacks
):
    failed = CustomsPublicationFactory(
        source=douane,
        status=PublicationStatus.FAILED,
        failed_stage="parse",
        error="Suspected truncation: 60 cigar entries against 100",
    )
    changelist = reverse("admin:customs_customspublication_changelist")
    ask = admin_client_logged_in.post(
        changelist, {"action": "accept_count_drop", "_selected_action": [failed.pk]}
    )
    assert ask.status_code == 200
    assert b"Suspected truncation" in ask.content
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = admin_client_logged_in.post(
            changelist,
            {
                "action": "accept_count_drop",
                "_selected_action": [failed.pk],
                "confirm": "yes",
                "reason": "the January list is short, checked the PDF",
            },
        )
    assert done.status_code == 302
    failed.refresh_from_db()
    accepted = failed.metadata["count_drop_accepted"]
    assert accepted["reason"] == "the January list is short, checked the PDF"
    assert accepted["by_id"] == superuser.pk
    assert len(callbacks) == 1  # the retry is queued
