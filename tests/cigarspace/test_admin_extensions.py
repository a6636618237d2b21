"""The admin you read is the admin that runs: owners' admins take extensions, nothing
replaces another app's admin."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory

from catalogue.admin import CigarAdmin
from catalogue.models import Cigar
from cigarspace.admin_extensions import (
    AdminExtension,
    ExtensibleAdmin,
    Panel,
    admin_extension_register,
    admin_extensions,
)
from customs.admin import CustomsPublicationAdmin
from customs.models import CustomsPublication
from tests.factories import OperatorFactory, UserFactory

ROOT = Path(settings.BASE_DIR)
APPS = ("accounts", "catalogue", "customs", "demo", "matching", "media", "merchants")


def test_no_app_unregisters_an_admin():
    calls = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Attribute) and node.attr == "unregister":
                    calls.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert calls == []


def test_the_owners_admins_run_with_the_review_console_registered_as_extensions():
    assert type(admin.site._registry[Cigar]) is CigarAdmin
    assert type(admin.site._registry[CustomsPublication]) is CustomsPublicationAdmin
    assert [e.name for e in admin_extensions(Cigar)] == ["matching.review_console"]
    assert [e.name for e in admin_extensions(CustomsPublication)] == ["matching.review_console"]


@pytest.mark.django_db
def test_an_extension_adds_columns_panels_actions_and_methods(monkeypatch):
    monkeypatch.setattr("cigarspace.admin_extensions._EXTENSIONS", {})

    @admin.action(description="Shout")
    def shout(model_admin, request, queryset):
        return None

    admin_extension_register(
        "catalogue.Cigar",
        AdminExtension(
            name="probe",
            columns_before=("first",),
            columns_after=("last",),
            panels=(Panel("Up top", ("badge",), first=True), Panel("Below", ("note",))),
            actions=(shout,),
            methods={"badge": lambda self, obj: "B", "note": lambda self, obj: "N"},
            viewer=lambda user: user.email == "viewer@example.test",
        ),
    )
    model_admin = CigarAdmin(Cigar, admin.site)
    request = RequestFactory().get("/")
    request.user = OperatorFactory()
    assert isinstance(model_admin, ExtensibleAdmin)
    columns = model_admin.get_list_display(request)
    assert (columns[0], columns[-1]) == ("first", "last")
    assert columns[1:-1] == CigarAdmin.list_display
    fieldsets = model_admin.get_fieldsets(request)
    assert fieldsets[0] == ("Up top", {"fields": ["badge"]})
    assert fieldsets[-1] == ("Below", {"fields": ["note"]})
    assert "badge" not in fieldsets[1][1]["fields"]
    assert model_admin.badge(None) == "B"
    assert "shout" in model_admin.get_actions(request)
    viewer = UserFactory(email="viewer@example.test")
    request.user = viewer
    assert model_admin.has_view_permission(request)
    with pytest.raises(AttributeError):
        model_admin.no_such_display  # noqa: B018
