"""``scrape_url URL``: fetch one page politely and print what would be extracted."""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from cigarspace.http import HttpError
from merchants.adapters import adapter_for
from merchants.crawler import HTML_TYPES, crawl_client
from merchants.models import Merchant
from merchants.politeness import robots_fetch
from merchants.resolve import cigar_resolve
from merchants.selectors import merchant_for_url, merchant_get


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


class Command(BaseCommand):
    help = (
        "Fetch one product page (robots.txt and the crawl delay honoured) and print the "
        "extracted product and the cigar it resolves to. Writes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("url")
        parser.add_argument(
            "--merchant",
            help="Merchant slug whose selectors apply (default: the one on the URL's host).",
        )

    def handle(self, *args, **options) -> None:
        url = options["url"]
        if not url.startswith(("http://", "https://")):
            raise CommandError(f"Not an http(s) URL: {url}")
        if options["merchant"]:
            try:
                merchant = merchant_get(reference=options["merchant"])
            except Merchant.DoesNotExist as exc:
                raise CommandError(str(exc)) from None
        else:
            merchant = merchant_for_url(url=url) or Merchant(
                name="(ad hoc)", slug="ad-hoc", base_url=url
            )
        client = crawl_client(merchant=merchant)
        robots, _result, _error = robots_fetch(
            client=client, base_url=url, user_agent=client.user_agent
        )
        if not robots.allowed(url):
            raise CommandError(f"robots.txt disallows {url} ({robots.note or 'rules'}).")
        try:
            result = client.get(url, max_bytes=merchant.max_page_bytes, accept_types=HTML_TYPES)
        except HttpError as exc:
            raise CommandError(f"Could not fetch {url}: {exc}") from None
        adapter = adapter_for(merchant.adapter)
        extraction = adapter.extract(
            result.content or b"",
            url=result.url,
            currency=merchant.currency,
            selectors=merchant.selectors or {},
        )
        self.stdout.write(f"{result.url}: HTTP {result.status}, {result.size} bytes")
        for warning in extraction.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))
        if not extraction.products:
            self.stdout.write("No product on this page.")
            return
        product = extraction.products[0]
        self.stdout.write(
            json.dumps(product.as_dict(), indent=2, ensure_ascii=False, default=_default)
        )
        resolution = cigar_resolve(
            name=product.clean_name,
            brand=product.brand,
            length_mm=product.length_mm,
            ring_gauge=product.ring_gauge,
        )
        if resolution.cigar is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Resolves to: {resolution.cigar.full_name} (id {resolution.cigar.pk})"
                )
            )
        else:
            self.stdout.write(
                f"No catalogue cigar fits ({resolution.reason}); "
                "a crawl would create one for review."
            )
