"""Priced packages of a seller (a merchant crawl, or any caller that observes prices).

A ``CigarPackage`` is the catalogue's row; who observed it is the caller's business. The
caller keeps the ids of the packages it priced (merchants links them from its offers) and
hands them back: the rows of one page are found by id, never by the seller's name, so a
renamed shop keeps its packages. ``seller`` is only the label the row carries (and part of
its natural key, used when the caller knows no id for that pack yet).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from catalogue.models import Cigar, CigarPackage, Packaging


@dataclass(frozen=True)
class PackagePrice:
    """One pack as a seller offers it."""

    pack_size: int
    packaging: str  # a ``Packaging`` value; anything else is filed as "other"
    description: str
    price: Decimal | None
    currency: str | None
    source_url: str
    is_available: bool


@dataclass(frozen=True)
class PackageUpsert:
    package: CigarPackage
    created: bool
    changed: bool  # created, or a price, availability, description or source changed


def _packaging(value: str) -> str:
    return value if value in Packaging.values else Packaging.OTHER


@transaction.atomic
def package_price_upsert(
    *,
    cigar: Cigar,
    seller: str,
    offer: PackagePrice,
    observed_at: datetime,
    known_ids: Collection[int] = (),
) -> PackageUpsert:
    """Create or update the seller's package of this pack for the cigar.

    ``known_ids``: the packages the caller priced before; one of them with the same cigar,
    packaging and pack size is this package. ``observed_at`` is refreshed either way (the
    price was seen again)."""
    packaging = _packaging(offer.packaging)
    values = {
        "price": offer.price,
        "currency": offer.currency,
        "description": offer.description[:255],
        "source_url": offer.source_url[:1000],
        "is_available": offer.is_available,
    }
    natural_key = {"cigar": cigar, "packaging": packaging, "pack_size": offer.pack_size}
    package = None
    if known_ids:
        package = (
            CigarPackage.objects.select_for_update()
            .filter(pk__in=list(known_ids), **natural_key)
            .first()
        )
    created = False
    if package is None:
        try:
            with transaction.atomic():
                package, created = CigarPackage.objects.select_for_update().get_or_create(
                    merchant=seller, **natural_key, defaults={**values, "observed_at": observed_at}
                )
        except IntegrityError:  # a concurrent insert of the same package
            package = CigarPackage.objects.get(merchant=seller, **natural_key)
    if created:
        return PackageUpsert(package, created=True, changed=True)
    differs = any(getattr(package, key) != value for key, value in values.items())
    for key, value in values.items():
        setattr(package, key, value)
    package.observed_at = observed_at
    package.full_clean(exclude=["cigar"], validate_unique=False)
    package.save()
    return PackageUpsert(package, created=False, changed=differs)


def packages_withdraw(
    *,
    package_ids: Collection[int],
    source_url: str,
    keep: Collection[int] = (),
    observed_at: datetime | None = None,
) -> int:
    """The given packages last priced at ``source_url`` (except ``keep``) are no longer
    offered there: marked unavailable, never deleted (prices seen stay). Returns how many
    changed."""
    withdrawn = CigarPackage.objects.filter(
        pk__in=list(package_ids), source_url=source_url, is_available=True
    ).exclude(pk__in=list(keep))
    if observed_at is None:
        return withdrawn.update(is_available=False)
    return withdrawn.update(is_available=False, observed_at=observed_at)


def packages_seen(*, package_ids: Collection[int], source_url: str, observed_at: datetime) -> int:
    """The page that priced these packages was seen again unchanged (an HTTP 304)."""
    return CigarPackage.objects.filter(pk__in=list(package_ids), source_url=source_url).update(
        observed_at=observed_at
    )


def packages_relabel(*, package_ids: Collection[int], seller: str) -> int:
    """The seller's label of these packages (a shop renamed: its rows follow)."""
    return CigarPackage.objects.filter(pk__in=list(package_ids)).update(merchant=seller)
