"""An admin that other apps extend without replacing it.

An app owns its models' admins. A higher app that needs to show more on one of them (the
review console adds the official price history to the cigar page, match counts to the
publication page) registers an ``AdminExtension`` for that model instead of unregistering
the owner's admin and registering a subclass: the admin you read in the owning app is the
admin that runs, and what others add is listed here, by model.

The owner's admin subclasses ``ExtensibleAdmin``; it then adds, for every extension of its
model (in registration order):

- ``columns_before`` / ``columns_after``: changelist columns around the owner's;
- ``panels``: read-only fields grouped in fieldsets, before or after the owner's fields;
- ``inlines`` after the owner's, ``actions`` after the owner's (``hides_actions`` names
  owner's actions an extension's own action stands in for);
- ``methods``: the displays, panels and permission checks named above, called as methods
  of the admin (``(admin, obj)``, ``(admin, request)``…);
- ``queryset``: annotations the extension's columns read (one query for the whole page);
- ``viewer``: who may also view the admin (e.g. reviewers without the model permission);
- ``css``: style sheets the extension's panels need.

Extensions are registered when the extending app's admin module is imported (Django's
admin autodiscovery, like ``@admin.register``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MethodType
from typing import Any, TypeVar

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR, InlineModelAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    """A fieldset of read-only fields (names of ``methods``) on the change page."""

    title: str | None
    fields: tuple[str, ...]
    first: bool = False  # before the owner's fields (else after)


@dataclass(frozen=True)
class AdminExtension:
    name: str  # unique per model: registering the same name again replaces it
    columns_before: tuple[str, ...] = ()
    columns_after: tuple[str, ...] = ()
    panels: tuple[Panel, ...] = ()
    inlines: tuple[type[InlineModelAdmin], ...] = ()
    actions: tuple[Callable[..., Any], ...] = ()
    hides_actions: tuple[str, ...] = ()
    methods: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    queryset: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None
    viewer: Callable[[Any], bool] | None = None
    css: tuple[str, ...] = ()


_EXTENSIONS: dict[str, dict[str, AdminExtension]] = {}
_ModelT = TypeVar("_ModelT", bound=Model)


def _key(model: type[Model] | str) -> str:
    return model.lower() if isinstance(model, str) else model._meta.label_lower


def admin_extension_register(model: type[Model] | str, extension: AdminExtension) -> None:
    """Add ``extension`` to the admin of ``model`` (a class or ``"app_label.Model"``)."""
    _EXTENSIONS.setdefault(_key(model), {})[extension.name] = extension


def admin_extensions(model: type[Model] | str) -> list[AdminExtension]:
    return list(_EXTENSIONS.get(_key(model), {}).values())


class ExtensibleAdmin(admin.ModelAdmin[_ModelT]):
    """A model admin that applies the ``AdminExtension``s registered for its model."""

    def _extensions(self) -> list[AdminExtension]:
        model = vars(self).get("model")
        return admin_extensions(model) if model is not None else []

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: an extension's display or check, bound.
        for extension in self._extensions():
            if name in extension.methods:
                return MethodType(extension.methods[name], self)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def get_list_display(self, request: HttpRequest) -> Any:
        before: list[str] = []
        after: list[str] = []
        for extension in self._extensions():
            before.extend(extension.columns_before)
            after.extend(extension.columns_after)
        return (*before, *super().get_list_display(request), *after)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        extra = [f for e in self._extensions() for panel in e.panels for f in panel.fields]
        return (*super().get_readonly_fields(request, obj), *extra)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        panels = [panel for e in self._extensions() for panel in e.panels]
        fieldsets = super().get_fieldsets(request, obj)
        if not panels:
            return fieldsets
        in_panels = {name for panel in panels for name in panel.fields}
        owned = [
            (title, {**options, "fields": [f for f in options["fields"] if f not in in_panels]})
            for title, options in fieldsets
        ]
        first = [(p.title, {"fields": list(p.fields)}) for p in panels if p.first]
        last = [(p.title, {"fields": list(p.fields)}) for p in panels if not p.first]
        return [*first, *owned, *last]

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        extra = [inline for extension in self._extensions() for inline in extension.inlines]
        return (*super().get_inlines(request, obj), *extra)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        hidden = {name for extension in self._extensions() for name in extension.hides_actions}
        extra = [self.get_action(f) for e in self._extensions() for f in e.actions]
        allowed = self._filter_actions_by_permissions(request, [a for a in extra if a])
        merged = {name: action for name, action in actions.items() if name not in hidden}
        merged.update({name: (func, name, desc) for func, name, desc in allowed})
        return merged

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        for extension in self._extensions():
            if extension.queryset is not None:
                queryset = extension.queryset(queryset)
        return queryset

    def _viewer(self, request: HttpRequest) -> bool:
        return any(e.viewer(request.user) for e in self._extensions() if e.viewer is not None)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._viewer(request) or super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._viewer(request) or super().has_module_permission(request)

    @property
    def media(self) -> forms.Media:
        media = super().media
        for extension in self._extensions():
            if extension.css:
                media += forms.Media(css={"all": extension.css})
        return media
