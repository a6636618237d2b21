"""Watchlists and what they watch: created, changed and deleted by their owner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models, transaction

from catalogue.models import Brand, Cigar, CigarLine
from customs.models import CustomsSource
from watch.models import WatchItem, Watchlist, WatchScope

#: The model each scope's target id refers to (keyed by the scope's stored value).
TARGET_MODELS: dict[str, type[models.Model]] = {
    WatchScope.CIGAR: Cigar,
    WatchScope.LINE: CigarLine,
    WatchScope.BRAND: Brand,
    WatchScope.SOURCE: CustomsSource,
}
MAX_ITEMS = 5000


class WatchItemInvalid(ValueError):
    def __init__(self, message: str, *, missing: list[dict] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


@dataclass(frozen=True)
class ItemSpec:
    scope: str
    target_id: int


def _items(watchlist: Watchlist, specs: Iterable[ItemSpec]) -> list[WatchItem]:
    specs = list(dict.fromkeys(specs))
    if len(specs) > MAX_ITEMS:
        raise WatchItemInvalid(f"A watchlist holds at most {MAX_ITEMS} items.")
    missing: list[dict] = []
    items = []
    for scope in WatchScope.values:
        wanted = {s.target_id for s in specs if s.scope == scope}
        if not wanted:
            continue
        model = TARGET_MODELS[scope]
        found = set(model._default_manager.filter(pk__in=wanted).values_list("pk", flat=True))
        missing += [{"scope": scope, "id": pk} for pk in sorted(wanted - found)]
        items += [
            WatchItem(watchlist=watchlist, scope=scope, **{f"{scope}_id": pk}) for pk in found
        ]
    if missing:
        raise WatchItemInvalid("Some watched items do not exist.", missing=missing)
    return items


@transaction.atomic
def watchlist_create(
    *,
    owner,
    name: str,
    items: Iterable[ItemSpec] = (),
    country: str = "",
    language: str = "en",
    email_digest: bool = True,
) -> Watchlist:
    watchlist = Watchlist.objects.create(
        owner=owner,
        name=name,
        country=country.upper(),
        language=language,
        email_digest=email_digest,
    )
    WatchItem.objects.bulk_create(_items(watchlist, items))
    return watchlist


@transaction.atomic
def watchlist_update(
    *, watchlist: Watchlist, items: Iterable[ItemSpec] | None = None, **fields
) -> Watchlist:
    """Change the given fields; ``items`` (when given) replaces what is watched."""
    allowed = {"name", "country", "language", "email_digest"}
    for key, value in fields.items():
        if key not in allowed:
            raise TypeError(f"Not a watchlist field: {key}")
        setattr(watchlist, key, value.upper() if key == "country" else value)
    watchlist.save()
    if items is not None:
        new_items = _items(watchlist, items)
        watchlist.items.all().delete()
        WatchItem.objects.bulk_create(new_items)
    return watchlist


def watchlist_delete(*, watchlist: Watchlist) -> None:
    # Its events and their deliveries go with it: they were its owner's, nobody else's.
    watchlist.delete()
