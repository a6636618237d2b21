"""Admin bases defined once, for every app's admin."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

_ModelT = TypeVar("_ModelT", bound=Model)


class ReadOnlyMixin:
    """Rows shown, never added or edited here: the services write them (the pipeline, a
    crawl, a decision), which record who and why. Set ``deletable = False`` where deleting
    would erase a record (audit rows, official data, decisions) and say why beside it.

    For model admins and inlines alike (``obj`` is optional in both signatures).
    """

    deletable: bool = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.deletable and super().has_delete_permission(request, obj)  # type: ignore[misc]


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin[_ModelT]):
    """A model admin of rows only services write (see ``ReadOnlyMixin``)."""
