"""Products into the catalogue: resolve or create the cigar, upsert its packages, record
provenance. Two writes here are thin functions over catalogue models because the
catalogue services do not offer them: ``merchant_packages_upsert`` (a per-variant upsert
of one merchant's priced packages; ``cigar_set_packages`` replaces a merchant's whole
set, which would drop packages seen on other pages of the same shop) and
``merchant_packages_mark_unavailable``. Everything else goes through
``catalogue.services``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from catalogue import services as catalogue_services
from catalogue.models import Cigar, CigarPackage, Packaging
from merchants.extraction.product import ExtractedOffer, ExtractedProduct
from merchants.models import Merchant, MerchantProduct
from merchants.resolve import brand_for, cigar_resolve

# --- products ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductOutcome:
    outcome: str  # "created" | "updated" | "unchanged"
    product: MerchantProduct
    cigar_created: bool
    resolution: str


def _vitola_name(extracted: ExtractedProduct, brand_name: str) -> str:
    """The product title without brand, pack and size: the new cigar's commercial name."""
    name = extracted.clean_name or extracted.name
    words = name.split()
    brand_words = brand_name.split()
    if [w.casefold() for w in words[: len(brand_words)]] == [w.casefold() for w in brand_words]:
        name = " ".join(words[len(brand_words) :])
    return (name.strip(" -,\u2013\u2014") or extracted.name)[:160]


def _cigar_for_new_product(extracted: ExtractedProduct) -> tuple[Cigar, bool, str]:
    """A cigar created from a product page nothing in the catalogue fits: flagged
    ``needs_review``. A product without a brand cannot be filed and is refused."""
    brand = brand_for(extracted.clean_name, extracted.brand)
    if brand is None:
        if not extracted.brand:
            raise ValidationError(f"{extracted.name!r} names no brand; cannot file it.")
        brand, _ = catalogue_services.brand_get_or_create(name=extracted.brand[:120])
    line = catalogue_services.line_default(brand=brand)
    vitola = _vitola_name(extracted, brand.name)
    existing = line.cigars.filter(vitola_name__iexact=vitola).first()
    if existing is not None:
        # Created by an earlier page (or run) with a size the search did not accept.
        return existing, False, "same name in the brand's default line"
    fields: dict[str, Any] = {"needs_review": True}
    if extracted.length_mm is not None and Decimal(40) <= extracted.length_mm <= Decimal(600):
        fields["length_mm"] = extracted.length_mm
    if extracted.ring_gauge is not None and 20 <= extracted.ring_gauge <= 100:
        fields["ring_gauge"] = extracted.ring_gauge
    for source, target in (
        ("wrapper", "wrapper_origin"),
        ("binder", "binder_origin"),
        ("filler", "filler_origin"),
        ("country", "country"),
    ):
        value = getattr(extracted, source)
        if value:
            fields[target] = value[: 160 if target == "filler_origin" else 64]
    cigar = catalogue_services.cigar_create(line=line, vitola_name=vitola, **fields)
    return cigar, True, "created"


@transaction.atomic
def merchant_product_upsert(
    *,
    merchant: Merchant,
    url: str,
    extracted: ExtractedProduct,
    content_hash: str,
    observed_at: datetime | None = None,
) -> ProductOutcome:
    """File one product page: resolve (or create) its cigar, then upsert its packages.

    A page seen before keeps its cigar (an operator may have re-pointed it in the admin);
    the search only runs for new pages.
    """
    observed_at = observed_at or timezone.now()
    product = (
        MerchantProduct.objects.select_for_update()
        .select_related("cigar")
        .filter(merchant=merchant, url=url)
        .first()
    )
    cigar_created = False
    resolution = "known page"
    if product is None:
        found = cigar_resolve(
            name=extracted.clean_name or extracted.name,
            brand=extracted.brand,
            length_mm=extracted.length_mm,
            ring_gauge=extracted.ring_gauge,
        )
        if found.cigar is not None:
            cigar, resolution = found.cigar, found.reason
        else:
            cigar, cigar_created, how = _cigar_for_new_product(extracted)
            resolution = f"{how}: {found.reason}"
        product = MerchantProduct.objects.create(
            merchant=merchant,
            url=url[:1000],
            cigar=cigar,
            name=extracted.name[:400],
            brand=extracted.brand[:120],
            sku=extracted.sku[:120],
            gtin=extracted.gtin[:32],
            content_hash=content_hash,
            resolution="created" if cigar_created else "matched",
            last_seen_at=observed_at,
        )
        outcome = "created"
    else:
        changed = product.content_hash != content_hash or product.gone_at is not None
        product.name = extracted.name[:400]
        product.brand, product.sku = extracted.brand[:120], extracted.sku[:120]
        product.gtin = extracted.gtin[:32]
        product.content_hash = content_hash
        product.last_seen_at = observed_at
        product.gone_at = None
        product.save()
        outcome = "updated" if changed else "unchanged"
    packages_changed = merchant_packages_upsert(
        cigar=product.cigar,
        merchant=merchant,
        url=url,
        offers=extracted.offers,
        observed_at=observed_at,
    )
    if outcome == "unchanged" and packages_changed:
        outcome = "updated"
    return ProductOutcome(outcome, product, cigar_created, resolution)


def _offer_package(offer: ExtractedOffer) -> tuple[int, str, str]:
    if offer.pack is not None:
        return offer.pack.pack_size, offer.pack.packaging, offer.pack.label[:255]
    # A price with no pack stated is a price per cigar (what shops show by default).
    return 1, str(Packaging.SINGLE), (offer.label or "no pack stated")[:255]


@transaction.atomic
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
    ``observed_at`` is refreshed either way (the price was seen again)."""
    changed = False
    seen: set[int] = set()
    for offer in offers:
        pack_size, packaging, description = _offer_package(offer)
        price = offer.price.amount if offer.price else None
        currency = (offer.price.currency or merchant.currency) if offer.price else None
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
    return changed


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


def provenance_record(
    *,
    url: str,
    parser: str,
    parser_version: str,
    http_status: int | None,
    content_hash: str = "",
    cigar: Cigar | None = None,
    notes: str = "",
    stats: dict[str, Any] | None = None,
):
    """Every fetch and parse leaves a ``source_record`` (the catalogue's provenance)."""
    return catalogue_services.source_record_create(
        url=url,
        parser=parser,
        parser_version=parser_version,
        content_hash=content_hash,
        http_status=http_status,
        cigar=cigar,
        notes=notes,
        stats=stats or {},
    )


@transaction.atomic
def merchant_product_touch(*, merchant: Merchant, url: str) -> MerchantProduct | None:
    """A page answered 304 Not Modified: the product and its prices were seen again."""
    now = timezone.now()
    product = MerchantProduct.objects.filter(merchant=merchant, url=url).first()
    if product is None:
        return None
    product.last_seen_at = now
    product.gone_at = None
    product.save(update_fields=["last_seen_at", "gone_at", "updated_at"])
    CigarPackage.objects.filter(merchant=merchant.name, source_url=url).update(observed_at=now)
    return product
