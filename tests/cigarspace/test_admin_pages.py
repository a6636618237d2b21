"""Every admin changelist and add page answers 200 for a superuser."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.fixture
def some_data():
    match = f.CigarCustomsMatchFactory()
    f.MatchEventFactory(match=match)
    f.BlendComponentFactory(cigar=match.cigar)
    f.CigarPackageFactory(cigar=match.cigar)
    f.TastingNoteFactory(cigar=match.cigar)
    f.MediaAssetFactory(cigar=match.cigar)
    f.CigarAliasFactory(cigar=match.cigar)
    f.SourceRecordFactory(cigar=match.cigar)
    f.RefreshTokenFactory()
    return match


def test_every_domain_model_is_registered():
    expected = {
        ("catalogue", m)
        for m in (
            "brand",
            "cigarline",
            "cigar",
            "blendcomponent",
            "cigarpackage",
            "tastingnote",
            "sourcerecord",
            "cigaralias",
            "mediaasset",
        )
    } | {
        ("media", "mediablob"),
        ("customs", "customssource"),
        ("customs", "customspublication"),
        ("customs", "customspriceentry"),
        ("matching", "cigarcustomsmatch"),
        ("matching", "matchevent"),
        ("accounts", "user"),
        ("accounts", "refreshtoken"),
    }
    assert expected <= set(REGISTERED)


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_changelist_answers_200_with_data(admin_client_logged_in, some_data, app_label, model_name):
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    response = admin_client_logged_in.get(url)
    assert response.status_code == 200
    response = admin_client_logged_in.get(url, {"q": "cohiba"})
    assert response.status_code == 200


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_add_page_answers_200_or_is_deliberately_closed(
    admin_client_logged_in, app_label, model_name
):
    model_admin = next(
        ma
        for m, ma in admin.site._registry.items()
        if (m._meta.app_label, m._meta.model_name) == (app_label, model_name)
    )
    response = admin_client_logged_in.get(reverse(f"admin:{app_label}_{model_name}_add"))
    # Read-only registries (blobs, tokens, the audit trail) refuse additions on purpose.
    expected = 200 if model_admin.has_add_permission(response.wsgi_request) else 403
    assert response.status_code == expected


def test_change_page_of_a_cigar_answers_200(admin_client_logged_in, some_data):
    url = reverse("admin:catalogue_cigar_change", args=[some_data.cigar.pk])
    assert admin_client_logged_in.get(url).status_code == 200


def test_footer_carries_the_habanos_acknowledgement(admin_client_logged_in):
    response = admin_client_logged_in.get(reverse("admin:index"))
    assert b"cubancigarwebsite.com" in response.content


def test_non_operator_cannot_enter_the_admin(client):
    user = f.UserFactory(is_admin=False)
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
