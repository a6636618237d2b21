"""Small product pages written inline for the pattern tests: ``page`` wraps a head and a
body, ``json_ld`` a schema.org node; ``product`` extracts the page's product."""

from __future__ import annotations

import json

from merchants.extraction.product import extract_page

URL = "https://shop.test/p/item"


def page(head: str = "", body: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    )


def json_ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def read_product(html: str, **kwargs):
    products = extract_page(html, url=URL, **kwargs).products
    assert products, "no product read"
    return products[0]


def packs(extracted) -> list[tuple[int | None, str | None]]:
    """(pack size, price) of every offer, sorted."""
    return sorted(
        ((o.pack.pack_size if o.pack else None), (str(o.price.amount) if o.price else None))
        for o in extracted.offers
    )
