"""Offers of a schema.org product node (JSON-LD, microdata or RDFa, already as dicts).

Shops state a pack in many places, and offers often have no name:

- ``offers[].name`` / ``description`` ("Box of 25", "25er Kiste");
- ``eligibleQuantity`` on the offer or in its ``priceSpecification`` (German shops:
  ``{"value": 25}``), a ``priceSpecification`` list giving one price per quantity;
- ``itemOffered`` (a Product or IndividualProduct with its own name and sku);
- ``AggregateOffer``: its inner ``offers``, else only a ``lowPrice`` (a "from" figure);
- ``ProductGroup.hasVariant``: one Product per pack.

An offer whose pack cannot be read keeps ``pack=None``; it is never assumed to be one
cigar.
"""

from __future__ import annotations

import itertools
from typing import Any

from merchants.extraction.fields import Pack, parse_availability, parse_money, parse_pack
from merchants.extraction.records import ExtractedOffer

MAX_OFFERS = 50


def text_of(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("value") or ""
    return " ".join(str(value or "").split())


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _quantity(value: Any) -> int | None:
    """A QuantitativeValue that names one quantity: ``{"value": 25}``, ``25``, or a range
    whose ends agree. A range ("from 5 cigars") is a price tier, not a pack."""
    for item in as_list(value):
        if isinstance(item, dict):
            raw = item.get("value")
            if raw in (None, "") and item.get("minValue") == item.get("maxValue"):
                raw = item.get("minValue")
        else:
            raw = item
        try:
            number = float(str(raw).replace(",", "."))
        except (TypeError, ValueError):
            continue
        if number.is_integer() and 0 < number <= 10_000:
            return int(number)
    return None


def _raw_offers(node: dict[str, Any]) -> list[dict[str, Any]]:
    raw: list[dict[str, Any]] = []
    for offer in as_list(node.get("offers")):
        if not isinstance(offer, dict):
            continue
        inner = [o for o in as_list(offer.get("offers")) if isinstance(o, dict)]
        if inner:
            raw.extend(inner)
        else:
            raw.append(offer)
    for variant in as_list(node.get("hasVariant")):
        if isinstance(variant, dict):
            for offer in _raw_offers(variant):
                raw.append({"_variant_name": text_of(variant.get("name")), **offer})
    return raw[:MAX_OFFERS]


def _quantity_pack(quantity: int, label: str) -> Pack:
    """The pack an ``eligibleQuantity`` states; its packaging is a guess a labelled
    offer of the same size (a visible option) replaces."""
    return Pack(quantity, "single" if quantity == 1 else "box", label or f"{quantity} (quantity)")


def _drop_price_tiers(by_quantity: list[tuple[int, ExtractedOffer]]) -> None:
    """Quantities whose prices do not grow with them are price tiers ("from 10 cigars,
    8.90 each"), not packs: those offers lose the pack read from the quantity."""
    priced = sorted((q, o.price.amount) for q, o in by_quantity if o.price is not None)
    if len(priced) < 2:
        return
    if all(a[1] < b[1] for a, b in itertools.pairwise(priced)):
        return
    for _quantity_value, offer in by_quantity:
        offer.pack = None


def structured_offers(node: dict[str, Any], *, source: str, currency: str) -> list[ExtractedOffer]:
    offers: list[ExtractedOffer] = []
    by_quantity: list[tuple[int, ExtractedOffer]] = []
    for raw in _raw_offers(node):
        item = raw.get("itemOffered") if isinstance(raw.get("itemOffered"), dict) else {}
        label = (
            text_of(raw.get("name"))
            or text_of(item.get("name"))
            or raw.get("_variant_name", "")
            or text_of(raw.get("description"))
        )
        sku = text_of(raw.get("sku")) or text_of(item.get("sku"))
        available = parse_availability(raw.get("availability"))
        url = text_of(raw.get("url"))
        is_summary = "AggregateOffer" in str(raw.get("@type", "")) and "offers" not in raw
        specs = [s for s in as_list(raw.get("priceSpecification")) if isinstance(s, dict)]
        priced_specs = [s for s in specs if s.get("price") not in (None, "")]
        # A list of specifications with their own quantities: one price per pack.
        if len(priced_specs) > 1 and all(
            _quantity(s.get("eligibleQuantity")) for s in priced_specs
        ):
            for spec in priced_specs:
                quantity = _quantity(spec.get("eligibleQuantity"))
                offers.append(
                    ExtractedOffer(
                        label=label,
                        pack=_quantity_pack(quantity, label),
                        price=parse_money(
                            spec.get("price"),
                            currency_hint=text_of(spec.get("priceCurrency")) or currency,
                        ),
                        available=available,
                        sku=sku,
                        url=url,
                        source=source,
                    )
                )
                by_quantity.append((quantity, offers[-1]))
            continue
        spec = priced_specs[0] if priced_specs else (specs[0] if specs else {})
        price_value = raw.get("price")
        price_currency = raw.get("priceCurrency")
        if price_value in (None, ""):
            price_value = spec.get("price")
            price_currency = spec.get("priceCurrency") or price_currency
        if price_value in (None, ""):
            price_value = raw.get("lowPrice")
            is_summary = is_summary or price_value not in (None, "")
        quantity = _quantity(raw.get("eligibleQuantity")) or _quantity(spec.get("eligibleQuantity"))
        pack = parse_pack(label) if label else None
        from_quantity = pack is None and bool(quantity)
        if from_quantity:
            pack = _quantity_pack(quantity, label)
        if pack is None and sku:
            pack = parse_pack(sku.replace("-", " ").replace("_", " "))
            if pack is not None and pack.pack_size > 500:
                pack = None
        offers.append(
            ExtractedOffer(
                label=label,
                pack=pack,
                price=parse_money(price_value, currency_hint=text_of(price_currency) or currency),
                available=available,
                sku=sku,
                url=url,
                source=source,
                is_summary=is_summary,
            )
        )
        if from_quantity:
            by_quantity.append((quantity, offers[-1]))
    _drop_price_tiers(by_quantity)
    return offers
