"""Alias edits are decisions: every change of the label memory from the admin is audited
(who, when, why, before and after)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalogue.models import AliasAction, CigarAlias, CigarAliasEvent
from tests.factories import CigarFactory

pytestmark = pytest.mark.django_db


def form(**values) -> dict:
    return {
        "source_slug": "fr-douane-opendata",
        "normalised_label": "cohiba robustos",
        "kind": "accepted",
        "note": "",
        **values,
    }


def test_alias_edits_in_the_admin_need_a_reason_and_leave_an_audit_row(
    admin_client_logged_in, superuser
):
    first, second = CigarFactory(), CigarFactory()
    add = reverse("admin:catalogue_cigaralias_add")
    refused = admin_client_logged_in.post(add, form(cigar=first.pk))
    assert refused.status_code == 200  # the form again: the reason is required
    assert not CigarAlias.objects.exists()

    created = admin_client_logged_in.post(add, form(cigar=first.pk, reason="seen on the box"))
    assert created.status_code == 302
    alias = CigarAlias.objects.get()
    assert alias.created_by == superuser
    event = CigarAliasEvent.objects.get()
    assert (event.action, event.actor, event.reason, event.before) == (
        AliasAction.CREATED,
        superuser,
        "seen on the box",
        None,
    )
    assert event.after["cigar_id"] == first.pk

    change = reverse("admin:catalogue_cigaralias_change", args=[alias.pk])
    changed = admin_client_logged_in.post(change, form(cigar=second.pk, reason="wrong size"))
    assert changed.status_code == 302
    event = CigarAliasEvent.objects.order_by("-id").first()
    assert event.action == AliasAction.CHANGED
    assert (event.before["cigar_id"], event.after["cigar_id"]) == (first.pk, second.pk)

    delete = reverse("admin:catalogue_cigaralias_delete", args=[alias.pk])
    assert admin_client_logged_in.post(delete, {"post": "yes"}).status_code == 302
    assert not CigarAlias.objects.exists()
    event = CigarAliasEvent.objects.order_by("-id").first()
    assert (event.action, event.alias_id, event.before["cigar_id"], event.after) == (
        AliasAction.DELETED,
        alias.pk,
        second.pk,
        None,
    )
    # The audit itself is read-only.
    audit = reverse("admin:catalogue_cigaraliasevent_change", args=[event.pk])
    assert admin_client_logged_in.post(audit, {"reason": "rewritten"}).status_code == 403


def test_audit_rows_are_append_only():
    event = CigarAliasEvent.objects.create(
        action="created", source_slug="s", normalised_label="l", reason="r"
    )
    event.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
