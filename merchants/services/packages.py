"""A product page's offers and the catalogue packages they price.

``merchant_offers_replace`` keeps every offer of the page as read (``MerchantOffer``,
with its source; an offer without a pack keeps ``pack_size`` NULL).
``merchant_packages_upsert`` is a per-variant upsert of one merchant's priced packages
(the catalogue's ``cigar_set_packages`` replaces a merchant's whole set, which would drop
packages seen on other pages of the same shop); only offers with a known pack price a
package: a box price is never filed as one cigar's. The package rows themselves are
written by ``catalogue.services`` (``package_price_upsert``, ``packages_withdraw``,
``packages_seen``); merchants finds a page's packages by the ids its offers link
(``MerchantOffer.package``), never by the shop's name.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from catalogue import services as catalogue_services
from catalogue.models import Cigar, CigarPackage
from merchants.extraction.records import ExtractedOffer
from merchants.models import Merchant, MerchantOffer, MerchantPackage, MerchantProduct


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


def merchant_package_ids(*, merchant: Merchant) -> list[int]:
    """Every catalogue package this merchant prices (or priced)."""
    return list(merchant.packages.values_list("package_id", flat=True))


def page_package_ids(*, merchant: Merchant, url: str) -> list[int]:
    """The catalogue packages this page priced at its last reading (its offers' links)."""
    return list(
        MerchantOffer.objects.filter(
            product__merchant=merchant, product__url=url, package__isnull=False
        ).values_list("package_id", flat=True)
    )


def _offer_package(
    offer: ExtractedOffer, merchant: Merchant, url: str
) -> catalogue_services.PackagePrice | None:
    """The catalogue package an offer prices; None when the page states no pack (a box
    price is never filed as one cigar's)."""
    if offer.pack is None:
        return None
    price, currency = _offer_fields(offer, merchant)
    return catalogue_services.PackagePrice(
        pack_size=offer.pack.pack_size,
        packaging=offer.pack.packaging,
        description=(offer.pack.label or offer.label)[:255],
        price=price,
        currency=currency,
        source_url=url[:1000],
        is_available=True if offer.available is None else offer.available,
    )


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
    known = merchant_package_ids(merchant=merchant)
    on_page = page_package_ids(merchant=merchant, url=url)
    seen: set[int] = set()
    by_position: dict[int, CigarPackage] = {}
    for position, offer in enumerate(offers):
        package_price = _offer_package(offer, merchant, url)
        if package_price is None:
            continue
        upsert = catalogue_services.package_price_upsert(
            cigar=cigar,
            seller=merchant.name,
            offer=package_price,
            observed_at=observed_at,
            known_ids=known,
        )
        if upsert.package.pk not in known:
            MerchantPackage.objects.get_or_create(
                package=upsert.package, defaults={"merchant": merchant}
            )
        seen.add(upsert.package.pk)
        by_position[position] = upsert.package
        changed = changed or upsert.changed
    if catalogue_services.packages_withdraw(package_ids=on_page, source_url=url[:1000], keep=seen):
        changed = True
    return changed, by_position


@transaction.atomic
def merchant_packages_mark_unavailable(*, merchant: Merchant, url: str) -> int:
    """A page that disappeared (404/410): its packages stay, marked unavailable."""
    now = timezone.now()
    MerchantProduct.objects.filter(merchant=merchant, url=url, gone_at__isnull=True).update(
        gone_at=now
    )
    return catalogue_services.packages_withdraw(
        package_ids=page_package_ids(merchant=merchant, url=url),
        source_url=url[:1000],
        observed_at=now,
    )
