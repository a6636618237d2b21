"""The shop platforms' own product data, where the packs and their prices are when the
schema.org data holds one offer (or none):

- Shopify: the product JSON in ``<script type="application/json">`` (``ProductJson-…``,
  ``data-product-json``) — ``variants[]`` with ``title``/``option1``, ``price`` (cents
  when an integer), ``available``, ``sku``; ``vendor``, ``images``;
- WooCommerce: ``form.variations_form[data-product_variations]`` — each variation's
  ``attributes`` (slugs, shown through the form's ``<option>`` labels), ``display_price``,
  ``is_in_stock``, ``sku``;
- Magento 2: the swatch/configurable ``jsonConfig`` in ``text/x-magento-init`` —
  attribute options, the products each option selects, and ``optionPrices``;
- Shopware: the configurator's option list (radio labels or ``select[name^=group]``);
  Shopware shows one variant per page, so only the chosen option carries the price.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin

from merchants.extraction.fields import Money, parse_money, parse_pack
from merchants.extraction.offers import MAX_OFFERS
from merchants.extraction.records import ExtractedOffer, OfferSource
from merchants.extraction.select import select_nodes

logger = logging.getLogger(__name__)


def _json(text: str | None) -> Any:
    try:
        return json.loads((text or "").strip(), strict=False)
    except ValueError:
        return None


# --- Shopify ---------------------------------------------------------------------------------


def _shopify_price(value: Any, currency: str) -> Money | None:
    if isinstance(value, int) and not isinstance(value, bool):
        # The theme JSON states cents.
        return Money((Decimal(value) / 100).quantize(Decimal("0.01")), currency)
    return parse_money(value, currency_hint=currency)


def shopify_product(document) -> dict[str, Any] | None:
    for script in document.xpath("//script[contains(@type, 'json')]"):
        marker = " ".join(f"{k}={v}" for k, v in script.attrib.items())
        if "ld+json" in marker:
            continue
        data = _json(script.text)
        if isinstance(data, dict) and "product" in data and isinstance(data["product"], dict):
            data = data["product"]
        if (
            isinstance(data, dict)
            and isinstance(data.get("variants"), list)
            and ("ProductJson" in marker or "product-json" in marker or "handle" in data)
        ):
            return data
    return None


def shopify_offers(product: dict[str, Any], *, url: str, currency: str) -> list[ExtractedOffer]:
    offers = []
    option_names = [
        str(o.get("name", "") if isinstance(o, dict) else o) for o in product.get("options") or []
    ]
    for variant in product["variants"][:MAX_OFFERS]:
        if not isinstance(variant, dict):
            continue
        label = str(variant.get("public_title") or variant.get("title") or "")
        if label.casefold() == "default title":
            label = ""
        quantity_option = any(
            word in name.casefold()
            for name in option_names
            for word in ("quant", "menge", "anzahl")
        )
        offers.append(
            ExtractedOffer(
                label=label,
                pack=parse_pack(label, bare_number=quantity_option) if label else None,
                price=_shopify_price(variant.get("price"), currency),
                available=variant.get("available")
                if isinstance(variant.get("available"), bool)
                else None,
                sku=str(variant.get("sku") or ""),
                url=f"{url.split('?')[0]}?variant={variant['id']}" if variant.get("id") else "",
                source=OfferSource.SHOPIFY,
            )
        )
    return offers


def shopify_images(product: dict[str, Any], *, url: str) -> list[str]:
    images = []
    for image in product.get("images") or []:
        src = image.get("src") if isinstance(image, dict) else image
        if isinstance(src, str) and src:
            images.append(urljoin(url, src))
    return images


# --- WooCommerce --------------------------------------------------------------------------------


def woocommerce_offers(document, *, url: str, currency: str) -> list[ExtractedOffer]:
    offers: list[ExtractedOffer] = []
    for form in document.xpath("//form[@data-product_variations]"):
        variations = _json(form.get("data-product_variations"))
        if not isinstance(variations, list):
            continue
        # attribute slug → the label the shop shows ("25er-kiste" → "25er Kiste").
        labels: dict[tuple[str, str], str] = {}
        for select in form.xpath(".//select[@name]"):
            for option in select.xpath(".//option[@value]"):
                labels[(select.get("name"), option.get("value"))] = option.text_content().strip()
        for variation in variations[:MAX_OFFERS]:
            if not isinstance(variation, dict):
                continue
            parts = []
            for attribute, slug in (variation.get("attributes") or {}).items():
                parts.append(labels.get((attribute, slug)) or str(slug).replace("-", " "))
            label = " / ".join(p for p in parts if p)
            price = variation.get("display_price", variation.get("price"))
            in_stock = variation.get("is_in_stock")
            offers.append(
                ExtractedOffer(
                    label=label,
                    pack=parse_pack(label),
                    price=parse_money(price, currency_hint=currency),
                    available=in_stock if isinstance(in_stock, bool) else None,
                    sku=str(variation.get("sku") or variation.get("variation_id") or ""),
                    source=OfferSource.WOOCOMMERCE,
                )
            )
    return offers


# --- Magento 2 --------------------------------------------------------------------------------


def _find_key(value: Any, key: str, depth: int = 0) -> Any:
    if depth > 8:
        return None
    if isinstance(value, dict):
        if key in value:
            return value[key]
        for inner in value.values():
            found = _find_key(inner, key, depth + 1)
            if found is not None:
                return found
    elif isinstance(value, list):
        for inner in value:
            found = _find_key(inner, key, depth + 1)
            if found is not None:
                return found
    return None


def magento_offers(document, *, url: str, currency: str) -> list[ExtractedOffer]:
    offers: list[ExtractedOffer] = []
    for script in document.xpath("//script[@type='text/x-magento-init']"):
        config = _find_key(_json(script.text), "jsonConfig")
        if not isinstance(config, dict) or not isinstance(config.get("attributes"), dict):
            continue
        prices = config.get("optionPrices") or {}
        stock = config.get("salable") or config.get("stockStatus") or {}
        for attribute in config["attributes"].values():
            for option in (attribute or {}).get("options", [])[:MAX_OFFERS]:
                label = str(option.get("label") or "")
                product_ids = [str(p) for p in option.get("products") or []]
                amount = None
                for product_id in product_ids:
                    final = (prices.get(product_id) or {}).get("finalPrice") or {}
                    if final.get("amount") is not None:
                        amount = final["amount"]
                        break
                available = None
                if product_ids and isinstance(stock, dict) and stock:
                    available = any(str(p) in {str(k) for k in stock} for p in product_ids)
                offers.append(
                    ExtractedOffer(
                        label=label,
                        pack=parse_pack(label),
                        price=parse_money(amount, currency_hint=currency),
                        available=available,
                        sku=product_ids[0] if product_ids else "",
                        source=OfferSource.MAGENTO,
                    )
                )
        if offers:
            break
    return offers


# --- Shopware ------------------------------------------------------------------------------------

_SHOPWARE_OPTIONS = (
    "//*[contains(@class, 'product-detail-configurator-option')][.//input[@type='radio']]",
    "//select[starts-with(@name, 'group[')]//option",
)


def shopware_offers(document, *, url: str) -> list[ExtractedOffer]:
    """Shopware's configurator: the options (packs) the product is sold in; the chosen
    one is marked ``selected`` (the page's price is its price)."""
    offers: list[ExtractedOffer] = []
    for spec in _SHOPWARE_OPTIONS:
        for node in select_nodes(document, f"xpath:{spec}")[:MAX_OFFERS]:
            if node.tag == "option":
                label = node.text_content().strip()
                selected = node.get("selected") is not None
                disabled = node.get("disabled") is not None
            else:
                labels = node.xpath(".//label")
                label = (
                    (labels[0].get("title") or labels[0].text_content()).strip() if labels else ""
                )
                radio = node.xpath(".//input[@type='radio']")[0]
                selected = radio.get("checked") is not None
                disabled = "is-combinable" not in (radio.get("class") or "is-combinable") or (
                    radio.get("disabled") is not None
                )
            pack = parse_pack(label)
            if not label or pack is None:
                continue
            offers.append(
                ExtractedOffer(
                    label=label,
                    pack=pack,
                    available=False if disabled else None,
                    source=OfferSource.SHOPWARE,
                    selected=selected,
                )
            )
        if offers:
            break
    return offers


def platform_offers(document, *, url: str, currency: str) -> tuple[list[ExtractedOffer], dict]:
    """Offers from the platforms' own data, and what else it says (Shopify's vendor and
    images) as ``{"brand": …, "images": […], "platform": …}``."""
    extra: dict[str, Any] = {}
    shopify = shopify_product(document)
    if shopify is not None:
        extra = {
            "brand": str(shopify.get("vendor") or ""),
            "images": shopify_images(shopify, url=url),
            "name": str(shopify.get("title") or ""),
            "platform": "shopify",
        }
        return shopify_offers(shopify, url=url, currency=currency), extra
    for platform, offers in (
        ("woocommerce", woocommerce_offers(document, url=url, currency=currency)),
        ("magento", magento_offers(document, url=url, currency=currency)),
        ("shopware", shopware_offers(document, url=url)),
    ):
        if offers:
            return offers, {"platform": platform}
    return [], extra
