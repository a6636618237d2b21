"""What extraction hands to the crawler and to ``scrape_url``: one product and its offers.

Every offer says which source gave it (``OfferSource``), so that a stored package can be
traced to the JSON-LD, the platform's own product data or a visible option label.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from merchants.extraction.fields import Money, Pack, clean_product_name


class OfferSource:
    """Where an offer was read (``MerchantOffer.source`` holds these values)."""

    JSON_LD = "json-ld"
    MICRODATA = "microdata"
    RDFA = "rdfa"
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"
    SHOPWARE = "shopware"
    MAGENTO = "magento"
    VISIBLE = "visible"
    META = "meta"
    SELECTORS = "selectors"

    CHOICES = (
        (JSON_LD, "JSON-LD"),
        (MICRODATA, "Microdata"),
        (RDFA, "RDFa"),
        (SHOPIFY, "Shopify product JSON"),
        (WOOCOMMERCE, "WooCommerce variations"),
        (SHOPWARE, "Shopware option list"),
        (MAGENTO, "Magento option list"),
        (VISIBLE, "Visible option label"),
        (META, "Page meta tags (og:/product:)"),
        (SELECTORS, "Per-site selectors"),
    )


class ProductKind:
    CIGAR = "cigar"
    SAMPLER = "sampler"
    ACCESSORY = "accessory"

    CHOICES = (
        (CIGAR, "Cigar"),
        (SAMPLER, "Sampler or gift set"),
        (ACCESSORY, "Accessory"),
    )


@dataclass
class ExtractedOffer:
    label: str = ""
    pack: Pack | None = None  # None: the page does not say how many cigars the price buys
    price: Money | None = None
    available: bool | None = None
    sku: str = ""
    url: str = ""
    source: str = ""
    # An AggregateOffer's lowPrice or a page-level meta price: a "from" figure, dropped
    # when the page's real offers are known.
    is_summary: bool = False
    # The option a page shows as chosen (its price is the page's one visible price).
    selected: bool = False


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
    kind: str = ProductKind.CIGAR
    kind_reason: str = ""
    # The page's own stock statement (og:availability, a visible "OUT OF STOCK"): the
    # availability of offers that state none.
    available: bool | None = None
    category: str = ""
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
