"""The shared permission classes, per kind of caller and HTTP method."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIRequestFactory

from accounts.permissions import (
    AnonymousReadOperatorWrite,
    AuthenticatedReadOperatorWrite,
    IsOperator,
)
from accounts.services import api_key_create
from tests import factories as f

pytestmark = pytest.mark.django_db


def _request(method: str, user, auth=None):
    request = getattr(APIRequestFactory(), method)("/x")
    request.user = user
    request.auth = auth
    return request


def _caller(kind: str):
    if kind == "anonymous":
        return AnonymousUser(), None
    if kind == "reader":
        return f.UserFactory(), None
    if kind == "operator":
        return f.OperatorFactory(), None
    if kind == "inactive operator":
        return f.OperatorFactory(is_active=False), None
    owner = f.OperatorFactory()
    key, _ = api_key_create(owner=owner, name=kind, scope=kind.split()[0])
    return owner, key  # "read key" / "operator key" of an operator


CALLERS = ["anonymous", "reader", "operator", "inactive operator", "read key", "operator key"]

EXPECTED = {
    # class: {caller: (may read, may write)}
    AnonymousReadOperatorWrite: {
        "anonymous": (True, False),
        "reader": (True, False),
        "operator": (True, True),
        "inactive operator": (True, False),
        "read key": (True, False),
        "operator key": (True, True),
    },
    AuthenticatedReadOperatorWrite: {
        "anonymous": (False, False),
        "reader": (True, False),
        "operator": (True, True),
        "inactive operator": (False, False),
        "read key": (True, False),
        "operator key": (True, True),
    },
    IsOperator: {
        "anonymous": (False, False),
        "reader": (False, False),
        "operator": (True, True),
        "inactive operator": (False, False),
        "read key": (False, False),
        "operator key": (True, True),
    },
}


@pytest.mark.parametrize("permission", list(EXPECTED), ids=lambda p: p.__name__)
@pytest.mark.parametrize("caller", CALLERS)
def test_permission_matrix(permission, caller):
    user, auth = _caller(caller)
    may_read = permission().has_permission(_request("get", user, auth), view=None)
    may_write = permission().has_permission(_request("patch", user, auth), view=None)
    assert (may_read, may_write) == EXPECTED[permission][caller]
