"""The merchant's per-site selectors on top of what the page's data gave: a shop whose
pages hold no structured data, or hold it wrong, is read through CSS/XPath selectors
set on the merchant (``Merchant.selectors``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from merchants.extraction.fields import availability_in_text, parse_money, parse_pack, title_pack
from merchants.extraction.offers import MAX_OFFERS
from merchants.extraction.records import ExtractedOffer, ExtractedProduct, OfferSource
from merchants.extraction.select import select_all, select_first, select_nodes
from merchants.extraction.specs import apply_specs


def apply_site_selectors(
    document,
    product: ExtractedProduct | None,
    selectors: dict[str, Any],
    *,
    url: str,
    currency: str,
) -> ExtractedProduct | None:
    if not selectors:
        return product
    name = select_first(document, selectors["name"]) if selectors.get("name") else ""
    if product is None:
        if not name:
            return None
        product = ExtractedProduct(name=name, sources=["selectors"])
    elif name:
        product.name = name
    if "selectors" not in product.sources:
        product.sources.append("selectors")
    for key in ("brand", "sku", "description", "wrapper", "binder", "filler", "country"):
        if selectors.get(key) and (value := select_first(document, selectors[key])):
            setattr(product, key, value[:2000])
    for key, label in (("dimensions", "size"), ("length", "length"), ("ring_gauge", "ring")):
        if selectors.get(key) and (value := select_first(document, selectors[key])):
            apply_specs(product, [(label, value)], fill=False)
    if spec := selectors.get("specs"):
        rows = select_nodes(document, spec["row"])
        specs = [
            (select_first(row, spec["label"]), select_first(row, spec["value"])) for row in rows
        ]
        apply_specs(product, [(k, v) for k, v in specs if k], fill=False)
    if selectors.get("images"):
        for image in select_all(document, selectors["images"]):
            absolute = urljoin(url, image)
            if absolute not in product.images:
                product.images.append(absolute)
    if variants := selectors.get("variants"):
        offers = []
        for row in select_nodes(document, variants["row"])[:MAX_OFFERS]:
            label = select_first(row, variants["label"]) if variants.get("label") else ""
            price = select_first(row, variants["price"]) if variants.get("price") else ""
            stock = (
                select_first(row, variants["availability"]) if variants.get("availability") else ""
            )
            if not label and not price:
                continue
            offers.append(
                ExtractedOffer(
                    label=label,
                    pack=parse_pack(label),
                    price=parse_money(price, currency_hint=currency),
                    available=availability_in_text(stock) if stock else None,
                    source=OfferSource.SELECTORS,
                )
            )
        if offers:
            product.offers = offers
    elif selectors.get("price") and (price := select_first(document, selectors["price"])):
        pack_label = select_first(document, selectors["pack"]) if selectors.get("pack") else ""
        product.offers = [
            ExtractedOffer(
                label=pack_label,
                pack=parse_pack(pack_label) or title_pack(product.name),
                price=parse_money(price, currency_hint=currency),
                source=OfferSource.SELECTORS,
            )
        ]
    return product
