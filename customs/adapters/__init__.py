"""The adapter registry: channel classes registered by name.

``discovery_adapter_for(source)`` / ``extractor_adapter_for(source)`` build the adapters a
``CustomsSource`` row names. Every module of this package is imported on first use, so a
new channel only has to exist here and decorate its classes with ``@register``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, TypeVar

from customs.adapters.base import (
    AdapterError,
    DiscoveredDocument,
    DiscoveryAdapter,
    DocumentRejected,
    Extraction,
    ExtractorAdapter,
    SourceNotConfigured,
)

if TYPE_CHECKING:
    from cigarspace.http import HttpClient
    from customs.models import CustomsSource

__all__ = [
    "AdapterError",
    "DiscoveredDocument",
    "DiscoveryAdapter",
    "DocumentRejected",
    "Extraction",
    "ExtractorAdapter",
    "SourceNotConfigured",
    "discovery_adapter_for",
    "discovery_adapters",
    "extractor_adapter_for",
    "extractor_adapters",
    "register",
]

_DISCOVERY: dict[str, type[DiscoveryAdapter]] = {}
_EXTRACTORS: dict[str, type[ExtractorAdapter]] = {}
_loaded = False

A = TypeVar("A", bound=type)


def register(cls: A) -> A:
    """Class decorator: file a discovery or extractor adapter under its ``name``."""
    registry = _DISCOVERY if issubclass(cls, DiscoveryAdapter) else _EXTRACTORS
    if not issubclass(cls, DiscoveryAdapter | ExtractorAdapter):
        raise TypeError(f"{cls!r} is not an adapter class.")
    existing = registry.get(cls.name)
    if existing is not None and existing is not cls:
        raise ValueError(f"Two adapters are named {cls.name!r}: {existing!r} and {cls!r}.")
    registry[cls.name] = cls
    return cls


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")
    _loaded = True


def discovery_adapters() -> dict[str, type[DiscoveryAdapter]]:
    _load()
    return dict(_DISCOVERY)


def extractor_adapters() -> dict[str, type[ExtractorAdapter]]:
    _load()
    return dict(_EXTRACTORS)


def discovery_adapter_for(source: CustomsSource, *, client: HttpClient) -> DiscoveryAdapter:
    cls = discovery_adapters().get(source.discovery_adapter)
    if cls is None:
        raise AdapterError(
            f"Source {source.slug}: no discovery adapter named {source.discovery_adapter!r}."
        )
    return cls(source=source, client=client)


def extractor_adapter_for(
    source: CustomsSource, *, client: HttpClient | None = None
) -> ExtractorAdapter:
    cls = extractor_adapters().get(source.extractor_adapter)
    if cls is None:
        raise AdapterError(
            f"Source {source.slug}: no extractor adapter named {source.extractor_adapter!r}."
        )
    return cls(source=source, client=client)
