"""One product from a page: every source of the page read, then reconciled.

1. schema.org data (JSON-LD, microdata, RDFa): name, brand, sku/gtin, images, offers;
2. the shop platform's own product data (Shopify, WooCommerce, Magento, Shopware);
3. what the page shows: option labels that are packs, specification tables (EN, DE, FR,
   ES, IT), stock words, ``og:`` / ``product:`` meta tags (image, availability, price);
4. the merchant's per-site selectors, on top of everything.

Offers from the sources are reconciled (``reconcile_offers``): a structured offer without
a pack takes the pack of a labelled offer with the same sku or price, "from" prices are
dropped once real offers are known, and an offer whose pack stays unknown is kept as
such (never assumed to be one cigar). Samplers and accessories are recognised
(``merchants.extraction.kinds``) so that the catalogue never files them as cigars.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from catalogue.naming import fold
from cigarspace.text.dimensions import spec_field
from merchants.extraction import page as visible
from merchants.extraction.fields import (
    parse_size,
    title_pack,
)
from merchants.extraction.kinds import product_kind
from merchants.extraction.offers import MAX_OFFERS, as_list, structured_offers, text_of
from merchants.extraction.options import visible_options, visible_rows
from merchants.extraction.platforms import platform_offers
from merchants.extraction.records import (
    ExtractedOffer,
    ExtractedProduct,
    PageExtraction,
    ProductKind,
)
from merchants.extraction.select import SelectorError, decode_page, parse_html
from merchants.extraction.site_selectors import apply_site_selectors
from merchants.extraction.specs import apply_specs, content_pack
from merchants.extraction.structured import structured_products

__all__ = [
    "ExtractedOffer",
    "ExtractedProduct",
    "PageExtraction",
    "extract_page",
    "looks_like_product_url",
    "reconcile_offers",
]

MAX_IMAGES = 20

# --- structured data -------------------------------------------------------------------------


def _image_urls(value: Any, base_url: str) -> list[str]:
    urls = []
    for item in as_list(value):
        if isinstance(item, dict):
            item = item.get("contentUrl") or item.get("url") or item.get("@id") or ""
        if isinstance(item, str) and item.strip():
            urls.append(urljoin(base_url, item.strip()))
    return urls


def _from_node(node: dict[str, Any], syntax: str, *, url: str, currency: str) -> ExtractedProduct:
    brand = node.get("brand") or node.get("manufacturer")
    product = ExtractedProduct(
        name=text_of(node.get("name")),
        brand=text_of(brand),
        sku=text_of(node.get("sku") or node.get("mpn")),
        gtin=text_of(
            node.get("gtin13") or node.get("gtin") or node.get("gtin14") or node.get("gtin12")
        ),
        description=text_of(node.get("description"))[:2000],
        images=_image_urls(node.get("image"), url),
        category=text_of(node.get("category")),
        sources=[syntax],
    )
    product.offers = structured_offers(node, source=syntax, currency=currency)
    specs = [
        (text_of(prop.get("name")), text_of(prop.get("value")))
        for prop in as_list(node.get("additionalProperty"))
        if isinstance(prop, dict) and prop.get("name")
    ]
    for key, label in (("width", "ring"), ("depth", "length")):
        if node.get(key):
            specs.append((label, text_of(node[key])))
    apply_specs(product, specs, fill=False)
    return product


def _merge(into: ExtractedProduct, other: ExtractedProduct) -> None:
    for key in ("brand", "sku", "gtin", "description", "wrapper", "binder", "filler", "country"):
        if not getattr(into, key):
            setattr(into, key, getattr(other, key))
    into.length_mm = into.length_mm or other.length_mm
    into.ring_gauge = into.ring_gauge or other.ring_gauge
    into.images.extend(u for u in other.images if u not in into.images)
    into.offers.extend(other.offers)
    into.sources.extend(s for s in other.sources if s not in into.sources)


def _structured_crumbs(document) -> list[str]:
    crumbs = []
    for script in document.xpath("//script[contains(@type, 'ld+json')]"):
        text = script.text or ""
        if "BreadcrumbList" not in text:
            continue
        for name in re.findall(r'"name"\s*:\s*"([^"]{1,80})"', text):
            crumbs.append(name)
    return crumbs


def _main_product(candidates: list[ExtractedProduct], title: str) -> ExtractedProduct | None:
    """The page's own product: the one its heading names (a list of related products may
    come first in the data), else the first."""
    if not candidates:
        return None
    folded_title = fold(title)
    for product in candidates:
        name = fold(product.clean_name)
        if name and folded_title and (name in folded_title or folded_title in name):
            return product
    return candidates[0]


# --- offers ------------------------------------------------------------------------------------


def _same_price(a: ExtractedOffer, b: ExtractedOffer) -> bool:
    return (
        a.price is not None
        and b.price is not None
        and a.price.amount == b.price.amount
        and (a.price.currency == b.price.currency or None in (a.price.currency, b.price.currency))
    )


def reconcile_offers(offers: list[ExtractedOffer]) -> list[ExtractedOffer]:
    """One offer per pack, each with the best facts any source gave about it."""
    real = [o for o in offers if not o.is_summary]
    if real:
        offers = real
    packed = [o for o in offers if o.pack is not None]
    unpacked = [o for o in offers if o.pack is None]
    leftovers = []
    for offer in unpacked:
        # A structured offer without a pack and a labelled one with the same sku, or the
        # same price, are one offer: the label gives the pack.
        twin = next((p for p in packed if offer.sku and p.sku == offer.sku), None)
        if twin is None:
            same_price = [p for p in packed if _same_price(p, offer)]
            twin = same_price[0] if len(same_price) == 1 else None
        if twin is None:
            selected = [p for p in packed if p.selected and p.price is None]
            twin = selected[0] if len(selected) == 1 and offer.price is not None else None
        if twin is not None:
            twin.price = twin.price or offer.price
            twin.sku = twin.sku or offer.sku
            twin.url = twin.url or offer.url
            if twin.available is None:
                twin.available = offer.available
            continue
        leftovers.append(offer)
    merged: dict[tuple[int, str], ExtractedOffer] = {}
    for offer in packed:
        size = offer.pack.pack_size
        same = [k for k in merged if k[0] == size]
        key = next((k for k in same if _compatible(merged[k], offer)), None)
        if key is None:
            # Another price for the same pack: the earlier source (structured data first)
            # stands; the same size in another packaging is another offer.
            merged.setdefault((size, offer.pack.packaging), offer)
            continue
        kept = merged[key]
        kept.price = kept.price or offer.price
        kept.sku = kept.sku or offer.sku
        kept.url = kept.url or offer.url
        if kept.available is None:
            kept.available = offer.available
        # A quantity alone ("25") says less than a label ("25er Kiste").
        if not kept.label and offer.label:
            kept.pack, kept.label = offer.pack, offer.label
    result = list(merged.values())
    seen_unpacked: set[tuple] = set()
    for offer in leftovers:
        key = (offer.price.amount if offer.price else None, offer.sku, offer.label)
        if offer.price is None or key in seen_unpacked:
            continue
        seen_unpacked.add(key)
        result.append(offer)
    return result[:MAX_OFFERS]


def _compatible(a: ExtractedOffer, b: ExtractedOffer) -> bool:
    """Two offers of the same pack size are one unless both are priced differently."""
    return a.price is None or b.price is None or _same_price(a, b)


# --- entry point -------------------------------------------------------------------------------


def _looks_like_a_product(meta: dict[str, str], specs: list, offers: list) -> bool:
    """A page without structured data is read as a product when it says so (``og:type``
    product, a price meta tag), sells packs, or describes a cigar's size."""
    if meta.get("og:type", "").startswith("product") or meta.get("product:price:amount"):
        return True
    if offers:
        return True
    return any(spec_field(label) for label, _value in specs)


def extract_page(
    content: bytes | str,
    *,
    url: str,
    currency: str = "EUR",
    selectors: dict[str, Any] | None = None,
) -> PageExtraction:
    """The product of a page (``products`` is empty for pages that hold none).

    The page's main product is the schema.org ``Product`` its heading names (else the
    first); other product nodes with the same name (variants written as separate
    products) are merged into it, and products of another name (related products,
    carousels) are ignored. A page without structured data gives a product when it looks
    like one (``_looks_like_a_product``). ``currency`` is the merchant's, used when the
    page states none.
    """
    html_text = decode_page(content)
    document = parse_html(html_text, base_url=url)
    meta = visible.meta_tags(document)
    currency = visible.page_currency(html_text, document, meta, default=currency)
    data = structured_products(html_text, document, url=url)
    result = PageExtraction(warnings=list(data.warnings))
    candidates = [
        product
        for syntax, node in data.products
        if (product := _from_node(node, syntax, url=url, currency=currency)).name
    ]
    main = _main_product(candidates, visible.page_title(document, meta))
    for product in candidates:
        if product is not main and fold(product.clean_name) == fold(main.clean_name):
            _merge(main, product)

    platform, extra = platform_offers(document, url=url, currency=currency)
    specs = visible.spec_rows(document)
    options = []
    if not platform:
        options = visible_options(document, currency=currency)
        # Variant rows ("25er Kiste | 280,00 €") when nothing else states the packs: a
        # table of structured offers is read once, from its markup.
        stated = options or (main is not None and any(o.pack for o in main.offers))
        if not stated:
            options = visible_rows(document, currency=currency)
    if main is None and _looks_like_a_product(meta, specs, platform or options):
        name = extra.get("name") or visible.page_title(document, meta)
        if name:
            main = ExtractedProduct(name=name, sources=["page"])
    if main is not None:
        _complete(main, document, meta, platform, options, specs, extra, url=url, currency=currency)
    try:
        main = apply_site_selectors(document, main, selectors or {}, url=url, currency=currency)
    except (SelectorError, KeyError) as exc:
        result.warnings.append(f"per-site selectors failed: {exc}")
    if main is not None:
        main.images = list(dict.fromkeys(main.images))[:MAX_IMAGES]
        main.offers = reconcile_offers(main.offers)
        # One price, no pack anywhere: the title ("… (Box of 10)") or a content row
        # ("Inhalt: 25 Stück") may name the one pack sold.
        if len(main.offers) == 1 and main.offers[0].pack is None:
            main.offers[0].pack = title_pack(main.name) or content_pack(specs)
        for offer in main.offers:
            if offer.available is None:
                offer.available = main.available
        if main.kind != ProductKind.CIGAR:
            main.length_mm = main.ring_gauge = None  # not one cigar's size
        result.products.append(main)
    return result


def _complete(
    main: ExtractedProduct,
    document,
    meta: dict[str, str],
    platform: list[ExtractedOffer],
    options: list[ExtractedOffer],
    specs: list[tuple[str, str]],
    extra: dict[str, Any],
    *,
    url: str,
    currency: str,
) -> None:
    """Fill the main product from everything outside its structured data."""
    if extra.get("platform"):
        main.sources.append(extra["platform"])
    if options:
        main.sources.append("visible options")
    main.offers.extend(platform)
    main.offers.extend(options)
    if (summary := visible.meta_offer(meta, currency=currency)) is not None:
        main.offers.append(summary)
    main.brand = main.brand or extra.get("brand", "") or meta.get("product:brand", "")
    main.images.extend(extra.get("images", []))
    if not main.images:
        main.images.extend(visible.meta_images(meta, url=url))
    main.available = visible.meta_availability(meta)
    if main.available is None:
        main.available = visible.visible_availability(document)
    apply_specs(main, specs, fill=True)
    if main.length_mm is None or main.ring_gauge is None:
        # Rows with several labels in one line ("Length: 5 5/8 in Ring Gauge: 46").
        rows_text = " · ".join(f"{label} {value}" for label, value in specs)
        for text in (main.name, main.description, rows_text):
            size = parse_size(text)
            main.length_mm = main.length_mm or size.length_mm
            main.ring_gauge = main.ring_gauge or size.ring_gauge
    main.category = main.category or visible.breadcrumbs(document, _structured_crumbs(document))
    main.kind, main.kind_reason = product_kind(main.name, category=main.category)


def looks_like_product_url(url: str) -> bool:
    return bool(re.search(r"/(?:products?|produits?|cigars?|cigares?|p)/", url))
