"""A product page's offers and the catalogue packages they price.

``merchant_offers_replace`` keeps every offer of the page as read (``MerchantOffer``,
with its source; an offer without a pack keeps ``pack_size`` NULL).
``merchant_packages_upsert`` is a per-variant upsert of one merchant's priced packages
(the catalogue's ``cigar_set_packages`` replaces a merchant's whole set, which would drop
packages seen on other pages of the same shop); only offers with a known pack price a
package: a box price is never filed as one cigar's. Both are thin functions over
catalogue models because the catalogue services do not offer them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from catalogue.models import Cigar, CigarPackage, Packaging
from merchants.extraction.records import ExtractedOffer
from merchants.models import Merchant, MerchantOffer, MerchantProduct


def _offer_fields(offer: ExtractedOffer, merchant: Merchant) -> tuple[Decimal | None, str | None]:
    if offer.price is None:
        return None, None
    return offer.price.amount, offer.price.currency or merchant.currency


@transaction.atomic
def merchant_offers_replace(
    *,
    product: MerchantProduct,
    offers: list[ExtractedOffer],
    packages: dict[int, CigarPackage],
    observed_at: datetime,
) -> bool:
    """The page's offers as they are now (the previous ones replaced). True when they
    differ from what was stored."""
    merchant = product.merchant
    rows = []
    for position, offer in enumerate(offers):
        price, currency = _offer_fields(offer, merchant)
        rows.append(
            MerchantOffer(
                product=product,
                position=position,
                label=(offer.label or ("" if offer.pack else "pack not stated on the page"))[:255],
                pack_size=offer.pack.pack_size if offer.pack else None,
                packaging=offer.pack.packaging if offer.pack else "",
                price=price,
                currency=currency or "",
                is_available=offer.available,
                sku=offer.sku[:120],
                url=offer.url[:1000],
                source=offer.source or MerchantOffer.Source.JSON_LD,
                package=packages.get(position),
                observed_at=observed_at,
            )
        )
    compared = ("pack_size", "packaging", "price", "currency", "is_available", "sku", "source")
    before = list(product.offers.order_by("position").values_list(*compared))
    after = [tuple(getattr(row, key) for key in compared) for row in rows]
    product.offers.all().delete()
    MerchantOffer.objects.bulk_create(rows)
    return before != after


def _offer_package(offer: ExtractedOffer) -> tuple[int, str, str] | None:
    """The catalogue package an offer prices; None when the page states no pack (a box
    price is never filed as one cigar's)."""
    if offer.pack is None:
        return None
    packaging = offer.pack.packaging if offer.pack.packaging in Packaging.values else "other"
    return offer.pack.pack_size, packaging, (offer.pack.label or offer.label)[:255]


def merchant_packages_upsert(
    *,
    cigar: Cigar,
    merchant: Merchant,
    url: str,
    offers: list[ExtractedOffer],
    observed_at: datetime,
) -> bool:
    """Upsert this page's packages (one per pack) and mark the page's packages that are
    no longer offered unavailable. True when a price, availability or pack changed;
    ``observed_at`` is refreshed either way (the price was seen again). Offers without a
    pack price no package."""
    changed, _packages = packages_upsert(
        cigar=cigar, merchant=merchant, url=url, offers=offers, observed_at=observed_at
    )
    return changed


@transaction.atomic
def packages_upsert(
    *,
    cigar: Cigar,
    merchant: Merchant,
    url: str,
    offers: list[ExtractedOffer],
    observed_at: datetime,
) -> tuple[bool, dict[int, CigarPackage]]:
    changed = False
    seen: set[int] = set()
    by_position: dict[int, CigarPackage] = {}
    for position, offer in enumerate(offers):
        package_key = _offer_package(offer)
        if package_key is None:
            continue
        pack_size, packaging, description = package_key
        price, currency = _offer_fields(offer, merchant)
        available = True if offer.available is None else offer.available
        values = {
            "price": price,
            "currency": currency,
            "description": description,
            "source_url": url[:1000],
            "is_available": available,
        }
        try:
            with transaction.atomic():
                package, created = CigarPackage.objects.select_for_update().get_or_create(
                    cigar=cigar,
                    merchant=merchant.name,
                    packaging=packaging,
                    pack_size=pack_size,
                    defaults={**values, "observed_at": observed_at},
                )
        except IntegrityError:  # a concurrent insert of the same package
            package = CigarPackage.objects.get(
                cigar=cigar, merchant=merchant.name, packaging=packaging, pack_size=pack_size
            )
            created = False
        seen.add(package.pk)
        by_position[position] = package
        if created:
            changed = True
            continue
        differs = any(getattr(package, k) != v for k, v in values.items())
        for key, value in values.items():
            setattr(package, key, value)
        package.observed_at = observed_at
        package.full_clean(exclude=["cigar"], validate_unique=False)
        package.save()
        changed = changed or differs
    dropped = CigarPackage.objects.filter(
        merchant=merchant.name, source_url=url, is_available=True
    ).exclude(pk__in=seen)
    if dropped.update(is_available=False):
        changed = True
    return changed, by_position


@transaction.atomic
def merchant_packages_mark_unavailable(*, merchant: Merchant, url: str) -> int:
    """A page that disappeared (404/410): its packages stay, marked unavailable."""
    now = timezone.now()
    MerchantProduct.objects.filter(merchant=merchant, url=url, gone_at__isnull=True).update(
        gone_at=now
    )
    return CigarPackage.objects.filter(
        Q(merchant=merchant.name) & Q(source_url=url) & Q(is_available=True)
    ).update(is_available=False, observed_at=now)
