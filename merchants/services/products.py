"""Products into the catalogue: resolve or create the cigar (or keep a sampler or an
accessory out of it), then hand the page's offers to ``merchants.services.packages``, and
record provenance. Everything that writes catalogue rows goes through
``catalogue.services``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalogue import services as catalogue_services
from catalogue.models import Brand, Cigar, CigarPackage
from catalogue.naming import fold, search_key
from merchants.extraction.records import ExtractedProduct, ProductKind
from merchants.models import Merchant, MerchantProduct
from merchants.resolve import brand_and_line, cigar_resolve
from merchants.services.packages import (
    merchant_offers_replace,
    packages_upsert,
    page_package_ids,
)

# --- products ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductOutcome:
    outcome: str  # "created" | "updated" | "unchanged"
    product: MerchantProduct
    cigar_created: bool
    resolution: str
    offers: int = 0
    unknown_packs: int = 0  # offers kept without a pack (the page states none)


@dataclass(frozen=True)
class CigarPlan:
    """How a product page would be filed: what ``scrape_url`` prints, what the upsert
    writes. ``cigar`` is None for samplers and accessories, and for a cigar to create."""

    kind: str
    brand: Brand | None
    brand_name: str
    line_name: str
    search_name: str
    cigar: Cigar | None
    reason: str


def _vitola_name(extracted: ExtractedProduct, brand_name: str, line_name: str) -> str:
    """The product title without brand, line, pack and size: the new cigar's name."""
    name = extracted.clean_name or extracted.name
    for prefix in (brand_name, line_name):
        words, prefix_words = name.split(), prefix.split()
        if prefix_words and [w.casefold() for w in words[: len(prefix_words)]] == [
            w.casefold() for w in prefix_words
        ]:
            name = " ".join(words[len(prefix_words) :])
    return (name.strip(" -,\u2013\u2014") or extracted.clean_name or extracted.name)[:160]


def cigar_plan(extracted: ExtractedProduct) -> CigarPlan:
    """Brand, line and cigar of a product page, read against the catalogue (no writes)."""
    if extracted.kind != ProductKind.CIGAR:
        return CigarPlan(extracted.kind, None, extracted.brand, "", "", None, extracted.kind_reason)
    brand, line_name = brand_and_line(extracted.brand, extracted.clean_name)
    brand_name = brand.name if brand is not None else extracted.brand
    name = extracted.clean_name or extracted.name
    # "Robusto" from a shop whose brand field says "Montecristo Open": the search needs the
    # line too.
    if line_name and fold(line_name) not in fold(name):
        name = f"{line_name} {name}"
    found = cigar_resolve(
        name=name,
        brand=brand_name,
        length_mm=extracted.length_mm,
        ring_gauge=extracted.ring_gauge,
    )
    cigar, reason = found.cigar, found.reason
    # A line the shop names must be the cigar's: "Montecristo Open Regata" is not the
    # Montecristo Regata of the brand's default line.
    if cigar is not None and line_name and search_key(line_name) not in search_key(cigar.full_name):
        reason = f"{cigar.full_name} is not in the line {line_name!r}"
        cigar = None
    return CigarPlan(ProductKind.CIGAR, brand, brand_name, line_name, name, cigar, reason)


def _cigar_for_new_product(extracted: ExtractedProduct, plan: CigarPlan) -> tuple[Cigar, bool, str]:
    """A cigar created from a product page nothing in the catalogue fits: flagged
    ``needs_review``, filed under the line the shop named (else the brand's default line).
    A product without a brand cannot be filed and is refused."""
    brand = plan.brand
    if brand is None:
        if not extracted.brand:
            raise ValidationError(f"{extracted.name!r} names no brand; cannot file it.")
        brand, _ = catalogue_services.brand_get_or_create(name=extracted.brand[:120])
    if plan.line_name:
        line, _created = catalogue_services.line_get_or_create(
            brand=brand, name=plan.line_name[:120]
        )
    else:
        line = catalogue_services.line_default(brand=brand)
    vitola = _vitola_name(extracted, brand.name, plan.line_name)
    existing = line.cigars.filter(vitola_name__iexact=vitola).first()
    if existing is not None:
        # Created by an earlier page (or run) with a size the search did not accept.
        return existing, False, "same name in the line"
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
    """File one product page: resolve (or create) its cigar, upsert its packages, and
    keep every offer of the page (``MerchantOffer``).

    A page seen before keeps its cigar (an operator may have re-pointed it in the admin);
    the search only runs for new pages, or for a page that becomes a cigar. Samplers and
    accessories are stored without a cigar and price no catalogue package.
    """
    observed_at = observed_at or timezone.now()
    product = (
        MerchantProduct.objects.select_for_update(of=("self",))
        .select_related("cigar")
        .filter(merchant=merchant, url=url)
        .first()
    )
    cigar_created = False
    resolution = "known page"
    is_cigar = extracted.kind == ProductKind.CIGAR
    cigar: Cigar | None = product.cigar if product is not None else None
    plan = None
    if is_cigar and cigar is None:
        plan = cigar_plan(extracted)
        if plan.cigar is not None:
            cigar, resolution = plan.cigar, plan.reason
        else:
            cigar, cigar_created, how = _cigar_for_new_product(extracted, plan)
            resolution = f"{how}: {plan.reason}"
    elif not is_cigar:
        cigar, resolution = None, f"not a cigar ({extracted.kind}: {extracted.kind_reason})"
    if plan is None and is_cigar:
        brand, line_name = brand_and_line(extracted.brand, extracted.clean_name)
        brand_name = brand.name if brand is not None else extracted.brand
    else:
        brand_name = plan.brand_name if plan else extracted.brand
        line_name = plan.line_name if plan else ""
    values = {
        "kind": extracted.kind,
        "cigar": cigar,
        "name": (extracted.clean_name or extracted.name)[:400],
        "brand": brand_name[:120],
        "line": line_name[:120],
        "sku": extracted.sku[:120],
        "gtin": extracted.gtin[:32],
        "content_hash": content_hash,
        "last_seen_at": observed_at,
        "gone_at": None,
    }
    if product is None:
        product = MerchantProduct.objects.create(
            merchant=merchant,
            url=url[:1000],
            resolution=(
                "not_a_cigar" if not is_cigar else "created" if cigar_created else "matched"
            ),
            resolution_note=resolution[:500],
            **values,
        )
        outcome = "created"
    else:
        changed = product.content_hash != content_hash or product.gone_at is not None
        changed = changed or product.kind != extracted.kind
        if not is_cigar:
            product.resolution, product.resolution_note = "not_a_cigar", resolution[:500]
        elif product.resolution == "not_a_cigar":
            product.resolution = "created" if cigar_created else "matched"
            product.resolution_note = resolution[:500]
        for key, value in values.items():
            setattr(product, key, value)
        product.save()
        outcome = "updated" if changed else "unchanged"
    packages: dict[int, CigarPackage] = {}
    packages_changed = False
    if cigar is not None:
        packages_changed, packages = packages_upsert(
            cigar=cigar,
            merchant=merchant,
            url=url,
            offers=extracted.offers,
            observed_at=observed_at,
        )
    offers_changed = merchant_offers_replace(
        product=product, offers=extracted.offers, packages=packages, observed_at=observed_at
    )
    if outcome == "unchanged" and (packages_changed or offers_changed):
        outcome = "updated"
    unknown = sum(1 for offer in extracted.offers if offer.pack is None)
    return ProductOutcome(
        outcome, product, cigar_created, resolution, len(extracted.offers), unknown
    )


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
    catalogue_services.packages_seen(
        package_ids=page_package_ids(merchant=merchant, url=url),
        source_url=url[:1000],
        observed_at=now,
    )
    return product
