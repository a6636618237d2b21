"""Permission classes every API uses (defined once; docs/api.md).

- catalogue: anyone reads, operators write — ``AnonymousReadOperatorWrite``;
- customs, matches: authenticated users read, operators write —
  ``AuthenticatedReadOperatorWrite``;
- operator-only endpoints — ``IsOperator``.

An operator is an active user with ``is_admin``, or a machine client whose API key has
the ``operator`` scope.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission


def is_operator(request) -> bool:
    user = getattr(request, "user", None)
    scope = getattr(request.auth, "api_key_scope", None)
    if scope is not None:
        # A key acts with its own scope, never with more than its owner may do.
        return scope == "operator" and bool(user and user.is_active and user.is_admin)
    return bool(user and user.is_authenticated and user.is_active and user.is_admin)


def is_authenticated(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_active)


class IsOperator(BasePermission):
    message = "This action is reserved to operators."

    def has_permission(self, request, view) -> bool:
        return is_operator(request)


class AnonymousReadOperatorWrite(BasePermission):
    message = "Only operators may change the catalogue."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return is_operator(request)


class AuthenticatedReadOperatorWrite(BasePermission):
    message = "Reading needs an account; changing needs an operator."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return is_authenticated(request)
        return is_operator(request)
