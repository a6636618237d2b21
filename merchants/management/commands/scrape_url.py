"""``scrape_url URL [--store]``: fetch one page politely and show what a crawl would store.

Without ``--store`` nothing is written: the command prints the product, its kind, brand
and line, how the cigar resolves (or that it would be created for review, or kept out of
the catalogue as a sampler/accessory), every offer with its pack, price and source, and
the images a crawl would download. With ``--store`` it stores exactly that. For a page
without structured data it lists the elements per-site selectors could point at.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from cigarspace.http import HttpError
from merchants import services
from merchants.adapters import adapter_for
from merchants.crawler import HTML_TYPES, crawl_client
from merchants.crawler.pages import product_images_store
from merchants.extraction.candidates import candidate_selectors
from merchants.extraction.records import ExtractedProduct, ProductKind
from merchants.extraction.select import parse_html
from merchants.models import Merchant
from merchants.politeness import robots_fetch
from merchants.selectors import merchant_for_url, merchant_get


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


class Command(BaseCommand):
    help = (
        "Fetch one product page (robots.txt and the crawl delay honoured) and print what a "
        "crawl would store: offers, cigar resolution, images. --store stores it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("url")
        parser.add_argument(
            "--merchant",
            help="Merchant slug whose selectors apply (default: the one on the URL's host).",
        )
        parser.add_argument(
            "--store",
            action="store_true",
            help="Store the product, its offers and images (the merchant must be registered).",
        )
        parser.add_argument(
            "--json", action="store_true", help="Also print the extraction as JSON."
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
        if options["store"] and merchant.pk is None:
            raise CommandError(
                f"No merchant is registered for {url}: add it in the admin (or pass "
                "--merchant) before --store."
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
        product = extraction.products[0] if extraction.products else None
        structured = product is not None and set(product.sources) - {"page"}
        if product is None or not structured:
            self._suggest_selectors(result.content or b"", merchant)
        if product is None:
            self.stdout.write("No product on this page.")
            return
        if options["json"]:
            self.stdout.write(
                json.dumps(product.as_dict(), indent=2, ensure_ascii=False, default=_default)
            )
        self._print_plan(product, merchant)
        if options["store"]:
            self._store(product, merchant, result, client, robots)

    def _print_plan(self, product: ExtractedProduct, merchant: Merchant) -> None:
        write = self.stdout.write
        write(f"Product: {product.clean_name}  (read from: {', '.join(product.sources)})")
        if product.clean_name != product.name:
            write(f"  title on the page: {product.name}")
        plan = services.cigar_plan(product)
        write(
            f"Kind: {product.kind}" + (f" ({product.kind_reason})" if product.kind_reason else "")
        )
        write(
            f"Brand: {plan.brand_name or '(none)'}"
            + (f"  Line: {plan.line_name}" if plan.line_name else "")
        )
        size = f"{product.length_mm or '?'} mm x {product.ring_gauge or '?'}"
        if product.kind == ProductKind.CIGAR:
            write(f"Size: {size}")
        if product.kind != ProductKind.CIGAR:
            write(
                "Cigar: none - kept out of the catalogue (stored as a merchant product of kind "
                f"{product.kind}; its offers price no catalogue package)."
            )
        elif plan.cigar is not None:
            write(
                self.style.SUCCESS(
                    f"Resolves to: {plan.cigar.full_name} (id {plan.cigar.pk}; {plan.reason})"
                )
            )
        else:
            write(
                f"No catalogue cigar fits ({plan.reason}); a crawl would create it for review "
                f"in {plan.brand_name or '(no brand)'}"
                f"{' / ' + plan.line_name if plan.line_name else ''}."
            )
        write(f"Offers ({len(product.offers)}):")
        for offer in product.offers:
            pack = (
                f"{offer.pack.packaging} of {offer.pack.pack_size}"
                if offer.pack
                else "pack not stated on the page (kept as unknown, no catalogue package)"
            )
            price = (
                f"{offer.price.amount} {offer.price.currency or merchant.currency}"
                if offer.price
                else "no price shown"
            )
            stock = {True: "available", False: "unavailable", None: "availability unknown"}
            details = [pack, price, stock[offer.available]]
            if offer.sku:
                details.append(f"sku {offer.sku}")
            label = offer.label or (offer.pack.label if offer.pack else "") or "(no label)"
            write(f"  - {label}: {'; '.join(details)} [{offer.source}]")
        images = product.images[: merchant.max_images_per_product]
        write(f"Images ({len(images)} of {len(product.images)} would be downloaded):")
        for image in images:
            write(f"  - {image}")

    def _suggest_selectors(self, content: bytes, merchant: Merchant) -> None:
        found = candidate_selectors(parse_html(content))
        write = self.stdout.write
        write("No structured product data (JSON-LD, microdata, RDFa, platform JSON) here.")
        write("Candidate selectors found on the page:")
        write(f"  title: {', '.join(found.name) or '(no h1)'}")
        for selector, text in found.price:
            write(f"  price-like: {selector}   ({text})")
        for selector in found.images:
            write(f"  image: {selector}")
        for spec in found.specs:
            write(f"  spec rows: {spec}")
        suggestion = {
            key: value
            for key, value in (
                ("name", found.name[0] if found.name else ""),
                ("price", found.price[0][0] if found.price else ""),
                ("images", found.images[0] if found.images else ""),
            )
            if value
        }
        where = (
            f"the admin: Merchants > {merchant.name} > Selectors"
            if merchant.pk
            else "the admin when you register the merchant (Merchants > Add > Selectors)"
        )
        write(f"Set them on the merchant in {where}, e.g.:")
        write("  " + json.dumps(suggestion, ensure_ascii=False))
        write(
            '  (add "variants": {"row": …, "label": …, "price": …} for one row per pack; '
            "then run scrape_url again to check)"
        )

    def _store(self, product, merchant, result, client, robots) -> None:
        outcome = services.merchant_product_upsert(
            merchant=merchant, url=result.url, extracted=product, content_hash=result.digest
        )
        added, warnings = 0, []
        if outcome.product.cigar is not None:
            added, warnings = product_images_store(
                merchant=merchant,
                client=client,
                robots=robots,
                cigar=outcome.product.cigar,
                urls=product.images,
            )
        services.provenance_record(
            url=result.url,
            parser=f"merchants.{merchant.adapter}",
            parser_version="scrape_url",
            http_status=result.status,
            content_hash=result.digest,
            cigar=outcome.product.cigar,
            notes=outcome.resolution,
            stats={"outcome": outcome.outcome, "offers": outcome.offers},
        )
        for warning in warnings:
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored: product {outcome.outcome} (id {outcome.product.pk}), "
                f"{outcome.offers} offers ({outcome.unknown_packs} without a pack), "
                f"{added} images added; {outcome.resolution}."
            )
        )
