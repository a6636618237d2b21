"""The default adapter: schema.org (JSON-LD, microdata, RDFa) plus per-site selectors."""

from __future__ import annotations

from typing import Any

from merchants.adapters import register
from merchants.adapters.base import MerchantAdapter
from merchants.extraction.product import PageExtraction, extract_page


@register
class SchemaOrgAdapter(MerchantAdapter):
    name = "schema_org"
    parser_version = "1.0"

    def extract(
        self, content: bytes, *, url: str, currency: str, selectors: dict[str, Any]
    ) -> PageExtraction:
        return extract_page(content, url=url, currency=currency, selectors=selectors)
