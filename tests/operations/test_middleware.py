"""CSRF: Django's check outside /api/, DRF's own check for cookie sessions inside it."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_unknown_api_route_answers_json_404_to_any_method(method):
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)("/api/v1/brands/not,a,route/extra/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_cookie_session_still_needs_the_csrf_token_for_api_writes(superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)

    response = client.post(
        "/api/v1/brands/", data={"name": "Forged"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_admin_forms_keep_django_csrf_protection(superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)

    response = client.post("/admin/logout/")

    assert response.status_code == 403
