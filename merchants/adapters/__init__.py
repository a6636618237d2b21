"""The merchant adapter registry: extractor classes registered by name.

A ``Merchant`` row names its adapter (``schema_org`` reads schema.org data plus the row's
per-site selectors, which covers most shops). A shop that needs code — a JSON API behind
its pages, say — gets a class in this package decorated with ``@register``; adding a
shop is adding a row (and at most an adapter), not editing the crawler.
"""

from __future__ import annotations

import importlib
import pkgutil

from merchants.adapters.base import MerchantAdapter

__all__ = ["MerchantAdapter", "adapter_for", "adapters", "register"]

_ADAPTERS: dict[str, type[MerchantAdapter]] = {}
_loaded = False


def register(cls: type[MerchantAdapter]) -> type[MerchantAdapter]:
    if not issubclass(cls, MerchantAdapter):
        raise TypeError(f"{cls!r} is not a MerchantAdapter.")
    existing = _ADAPTERS.get(cls.name)
    if existing is not None and existing is not cls:
        raise ValueError(f"Two merchant adapters are named {cls.name!r}.")
    _ADAPTERS[cls.name] = cls
    return cls


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in pkgutil.iter_modules(__path__):
            if module.name != "base":
                importlib.import_module(f"{__name__}.{module.name}")
        _loaded = True


def adapters() -> dict[str, type[MerchantAdapter]]:
    _load()
    return dict(_ADAPTERS)


def adapter_for(name: str) -> MerchantAdapter:
    registry = adapters()
    if name not in registry:
        raise KeyError(f"No merchant adapter {name!r}; known: {', '.join(sorted(registry))}.")
    return registry[name]()
