"""One product from a page: schema.org data first, per-site selectors on top.

The result (``ExtractedProduct``) is what the crawler upserts and what ``scrape_url``
prints. Structured data gives name, brand, sku/gtin, description, images and offers;
selectors fill in (and override) what a shop writes elsewhere: a size line such as
"50 x 124 mm", a specification table in French, variant rows "Boîte de 10 — 1 234,50 €".
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin

from catalogue.naming import fold
from merchants.extraction.fields import (
    Money,
    Pack,
    clean_product_name,
    parse_availability,
    parse_money,
    parse_pack,
    parse_size,
)
from merchants.extraction.select import (
    SelectorError,
    decode_page,
    parse_html,
    select_all,
    select_first,
)
from merchants.extraction.select import select_nodes as _nodes
from merchants.extraction.structured import structured_products

MAX_OFFERS = 50
MAX_IMAGES = 20

# Labels of specification rows, folded (no accents, lower case), by field.
SPEC_LABELS: dict[str, tuple[str, ...]] = {
    "dimensions": ("dimension", "format", "size", "taille", "vitola"),
    "length": ("length", "longueur", "largo"),
    "ring_gauge": ("ring", "cepo", "diametre", "module", "gauge"),
    "binder": ("binder", "sous-cape", "sous cape", "capote"),
    "wrapper": ("wrapper", "cape", "capa"),
    "filler": ("filler", "tripe", "tripa"),
    "country": ("country", "pays", "origine", "origin", "provenance"),
    "brand": ("brand", "marque", "marca"),
}
# "sous-cape" contains "cape": binder words are tested before wrapper words.
SPEC_ORDER = ("dimensions", "length", "ring_gauge", "binder", "wrapper", "filler", "country")


@dataclass
class ExtractedOffer:
    label: str = ""
    pack: Pack | None = None
    price: Money | None = None
    available: bool | None = None
    sku: str = ""


@dataclass
class ExtractedProduct:
    name: str
    brand: str = ""
    sku: str = ""
    gtin: str = ""
    description: str = ""
    images: list[str] = field(default_factory=list)
    offers: list[ExtractedOffer] = field(default_factory=list)
    length_mm: Decimal | None = None
    ring_gauge: int | None = None
    wrapper: str = ""
    binder: str = ""
    filler: str = ""
    country: str = ""
    sources: list[str] = field(default_factory=list)

    @property
    def clean_name(self) -> str:
        return clean_product_name(self.name)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["clean_name"] = self.clean_name
        return data


@dataclass
class PageExtraction:
    products: list[ExtractedProduct] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- structured data -------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    return " ".join(str(value or "").split())


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _image_urls(value: Any, base_url: str) -> list[str]:
    urls = []
    for item in _as_list(value):
        if isinstance(item, dict):
            item = item.get("contentUrl") or item.get("url") or item.get("@id") or ""
        if isinstance(item, str) and item.strip():
            urls.append(urljoin(base_url, item.strip()))
    return urls


def _offers_of(node: dict[str, Any]) -> list[dict[str, Any]]:
    offers: list[dict[str, Any]] = []
    for offer in _as_list(node.get("offers")):
        if not isinstance(offer, dict):
            continue
        inner = [o for o in _as_list(offer.get("offers")) if isinstance(o, dict)]
        offers.extend(inner or [offer])
    # ProductGroup: each variant is a Product with its own offers and name ("Boîte de 10").
    for variant in _as_list(node.get("hasVariant")):
        if isinstance(variant, dict):
            for offer in _offers_of(variant):
                offers.append({"name": _text(variant.get("name")), **offer})
    return offers[:MAX_OFFERS]


def _offer(raw: dict[str, Any], *, product_name: str, currency: str) -> ExtractedOffer:
    spec = raw.get("priceSpecification")
    spec = spec[0] if isinstance(spec, list) and spec else spec
    price_value = raw.get("price", raw.get("lowPrice"))
    price_currency = raw.get("priceCurrency")
    if price_value in (None, "") and isinstance(spec, dict):
        price_value, price_currency = spec.get("price"), spec.get("priceCurrency")
    label = _text(raw.get("name")) or _text(raw.get("description"))
    quantity = raw.get("eligibleQuantity")
    pack = parse_pack(label) or parse_pack(_text(raw.get("sku")))
    if pack is None and isinstance(quantity, dict) and str(quantity.get("value", "")).isdigit():
        pack = parse_pack(f"x{quantity['value']}")
    if pack is None:
        pack = parse_pack(product_name)
    return ExtractedOffer(
        label=label,
        pack=pack,
        price=parse_money(price_value, currency_hint=_text(price_currency) or currency),
        available=parse_availability(raw.get("availability")),
        sku=_text(raw.get("sku")),
    )


def _apply_specs(product: ExtractedProduct, specs: dict[str, str]) -> None:
    """Fill sizes and blend from labelled values ("Longueur" → "124 mm")."""
    for raw_label, value in specs.items():
        label = fold(raw_label)
        for key in SPEC_ORDER:
            if any(word in label for word in SPEC_LABELS[key]):
                _set_spec(product, key, value)
                break


def _set_spec(product: ExtractedProduct, key: str, value: str) -> None:
    value = " ".join(str(value).split())
    if not value:
        return
    if key == "dimensions":
        size = parse_size(value)
        product.length_mm = size.length_mm or product.length_mm
        product.ring_gauge = size.ring_gauge or product.ring_gauge
    elif key == "length":
        size = parse_size(f"length {value}")
        product.length_mm = size.length_mm or product.length_mm
    elif key == "ring_gauge":
        size = parse_size(f"ring {value}")
        product.ring_gauge = size.ring_gauge or product.ring_gauge
    elif key in ("wrapper", "binder", "filler", "country", "brand"):
        setattr(product, key, value[:160])


def _from_node(node: dict[str, Any], syntax: str, *, url: str, currency: str) -> ExtractedProduct:
    name = _text(node.get("name"))
    product = ExtractedProduct(
        name=name,
        brand=_text(node.get("brand")) or _text(node.get("manufacturer")),
        sku=_text(node.get("sku") or node.get("mpn")),
        gtin=_text(
            node.get("gtin13") or node.get("gtin") or node.get("gtin14") or node.get("gtin12")
        ),
        description=_text(node.get("description"))[:2000],
        images=_image_urls(node.get("image"), url),
        sources=[syntax],
    )
    product.offers = [_offer(o, product_name=name, currency=currency) for o in _offers_of(node)]
    specs = {}
    for prop in _as_list(node.get("additionalProperty")):
        if isinstance(prop, dict) and prop.get("name"):
            specs[_text(prop["name"])] = _text(prop.get("value"))
    for key, label in (("width", "ring"), ("depth", "length")):
        if node.get(key):
            specs[label] = _text(node[key])
    _apply_specs(product, specs)
    if product.length_mm is None or product.ring_gauge is None:
        size = parse_size(f"{name} {product.description}")
        product.length_mm = product.length_mm or size.length_mm
        product.ring_gauge = product.ring_gauge or size.ring_gauge
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


# --- per-site selectors ----------------------------------------------------------------


def _apply_selectors(
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
    for key in ("dimensions", "length", "ring_gauge"):
        if selectors.get(key) and (value := select_first(document, selectors[key])):
            _set_spec(product, key, value)
    if spec := selectors.get("specs"):
        rows = _nodes(document, spec["row"])
        specs = {select_first(row, spec["label"]): select_first(row, spec["value"]) for row in rows}
        _apply_specs(product, {k: v for k, v in specs.items() if k})
    if selectors.get("images"):
        for image in select_all(document, selectors["images"]):
            absolute = urljoin(url, image)
            if absolute not in product.images:
                product.images.append(absolute)
    if variants := selectors.get("variants"):
        offers = []
        for row in _nodes(document, variants["row"])[:MAX_OFFERS]:
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
                    available=parse_availability(stock) if stock else None,
                )
            )
        if offers:
            product.offers = offers
    elif selectors.get("price") and (price := select_first(document, selectors["price"])):
        pack_label = select_first(document, selectors["pack"]) if selectors.get("pack") else ""
        product.offers = [
            ExtractedOffer(
                label=pack_label,
                pack=parse_pack(pack_label) or parse_pack(product.name),
                price=parse_money(price, currency_hint=currency),
            )
        ]
    return product


# --- entry point -------------------------------------------------------------------------


def extract_page(
    content: bytes | str,
    *,
    url: str,
    currency: str = "EUR",
    selectors: dict[str, Any] | None = None,
) -> PageExtraction:
    """The product of a page (``products`` is empty for pages that hold none).

    The page's main product is the first schema.org ``Product``; other product nodes
    with the same name (variants written as separate products) are merged into it, and
    products of another name (related products, carousels) are ignored.
    """
    html_text = decode_page(content)
    document = parse_html(html_text, base_url=url)
    data = structured_products(html_text, document, url=url)
    result = PageExtraction(warnings=list(data.warnings))
    main: ExtractedProduct | None = None
    for syntax, node in data.products:
        product = _from_node(node, syntax, url=url, currency=currency)
        if not product.name:
            continue
        if main is None:
            main = product
        elif fold(product.clean_name) == fold(main.clean_name):
            _merge(main, product)
    try:
        main = _apply_selectors(document, main, selectors or {}, url=url, currency=currency)
    except (SelectorError, KeyError) as exc:
        result.warnings.append(f"per-site selectors failed: {exc}")
    if main is not None:
        main.images = list(dict.fromkeys(main.images))[:MAX_IMAGES]
        main.offers = _dedupe_offers(main.offers)
        result.products.append(main)
    return result


def _dedupe_offers(offers: list[ExtractedOffer]) -> list[ExtractedOffer]:
    """One offer per pack (the same pack seen in JSON-LD and microdata is one offer)."""
    seen: dict[tuple, ExtractedOffer] = {}
    for offer in offers:
        key = (offer.pack.packaging, offer.pack.pack_size) if offer.pack else ("?", offer.label)
        if key not in seen or (seen[key].price is None and offer.price is not None):
            seen[key] = offer
    return list(seen.values())


def looks_like_product_url(url: str) -> bool:
    return bool(re.search(r"/(?:products?|produits?|cigars?|cigares?|p)/", url))
