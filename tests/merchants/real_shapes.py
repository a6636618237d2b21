"""The "real shapes" fixture set: product pages written in the shapes of the platforms
shops run on (JSON-LD of German shops, BigCommerce microdata, Shopify, WooCommerce,
Shopware, Magento, RDFa, a review site without structured data), with what a reader of
each page finds on it. Written for this project; no shop's page is copied.

``score_crawl`` compares what a crawl stored (and what extraction reads) with these
expectations, field by field; ``tests/merchants/test_real_shapes.py`` asserts every
field and ``bench/merchants_crawl.py`` prints the table. Only models and functions that
existed before the offer model are required, so the same scorer measures older code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps

SHOP = "real_shapes"

# (pack size or None, price, currency, available or None): every offer a page sells.
Offer = tuple[int | None, str | None, str, bool | None]


@dataclass(frozen=True)
class Page:
    path: str
    name: str
    brand: str
    resolution: str  # a catalogue cigar's full name, "created", or "not a cigar"
    offers: tuple[Offer, ...] = ()
    line: str = ""
    image: str = ""
    length_mm: str | None = None
    ring_gauge: int | None = None
    kind: str = "cigar"
    images_served: tuple[str, ...] = field(default_factory=tuple)


PAGES: tuple[Page, ...] = (
    Page(
        "/de-tabak/cohiba-robustos.html",
        name="Cohiba Robustos",
        brand="Cohiba",
        resolution="Cohiba Robustos",
        offers=(
            (1, "28.50", "EUR", True),
            (3, "84.00", "EUR", True),
            (10, "275.00", "EUR", True),
            (25, "680.00", "EUR", False),
        ),
        image="/media/cohiba-robustos-1.jpg",
        length_mm="124.0",
        ring_gauge=50,
    ),
    Page(
        "/de-kontor/montecristo-no-2.html",
        name="Montecristo No. 2",
        brand="Montecristo",
        resolution="Montecristo No.2",
        offers=(
            (1, "23.90", "EUR", True),
            (10, "229.00", "EUR", True),
            (25, "560.00", "EUR", True),
        ),
        image="/bilder/montecristo-no2-gross.jpg",
        length_mm="156.0",
        ring_gauge=52,
    ),
    Page(
        "/us-bigcommerce/romeo-y-julieta-churchill.html",
        name="Romeo y Julieta Churchill",
        brand="Romeo y Julieta",
        resolution="Romeo y Julieta Churchills",
        # The page shows one price, for the chosen option (Single); the others' prices
        # load on click.
        offers=((1, "29.95", "USD", True), (5, None, "USD", True), (25, None, "USD", True)),
        image="/product_images/ryj-churchill__0.jpg",
        length_mm="177.8",
        ring_gauge=47,
    ),
    Page(
        "/us-bigcommerce/montecristo-sampler.html",
        name="Montecristo Sampler Gift Set",
        brand="Montecristo",
        resolution="not a cigar",
        kind="sampler",
        offers=((5, "84.50", "USD", False),),
    ),
    Page(
        "/us-shopify/h-upmann-magnum-50.html",
        name="H. Upmann Magnum 50",
        brand="H. Upmann",
        line="Magnum",
        resolution="H. Upmann Magnum 50",
        offers=((1, "19.00", "USD", True), (5, "90.00", "USD", True), (25, "425.00", "USD", False)),
        image="/cdn/shop/products/magnum50.jpg",
        length_mm="160.3",
        ring_gauge=50,
    ),
    Page(
        "/us-shopify/fuente-opus-x-double-robusto.html",
        name="Fuente Fuente OpusX Double Robusto",
        brand="Arturo Fuente",
        line="OpusX",
        resolution="created",
        offers=((1, "38.00", "USD", True), (29, "1059.00", "USD", True)),
        image="/cdn/shop/products/opusx-double-robusto.jpg",
        length_mm="133.4",
        ring_gauge=56,
    ),
    Page(
        "/uk-woo/partagas-serie-d-no-4.html",
        name="Partagás Serie D No.4",
        brand="Partagás",
        resolution="Partagás Serie D No.4",
        offers=(
            (1, "24.50", "GBP", True),
            (5, "118.00", "GBP", True),
            (25, "575.00", "GBP", False),
        ),
        image="/wp-content/uploads/2024/03/partagas-serie-d-4.jpg",
        length_mm="124.0",
        ring_gauge=50,
    ),
    Page(
        "/de-shopware/bolivar-royal-coronas.html",
        name="Bolívar Royal Coronas",
        brand="Bolívar",
        resolution="Bolívar Royal Coronas",
        offers=((1, None, "EUR", True), (5, None, "EUR", True), (25, "287.50", "EUR", True)),
        image="/media/a1/b2/bolivar-royal-coronas.jpg",
        length_mm="124.0",
        ring_gauge=50,
    ),
    Page(
        "/it-magento/montecristo-edmundo.html",
        name="Montecristo Edmundo",
        brand="Montecristo",
        resolution="Montecristo Edmundos",
        offers=(
            (1, "16.50", "EUR", True),
            (3, "49.00", "EUR", True),
            (10, "162.00", "EUR", True),
            (25, "400.00", "EUR", True),
        ),
        image="/media/catalog/product/cache/1/image/m/o/montecristo-edmundo.jpg",
        length_mm="135.0",
        ring_gauge=52,
    ),
    Page(
        "/es-rdfa/hoyo-epicure-no-2.html",
        name="Hoyo de Monterrey Epicure No. 2",
        brand="Hoyo de Monterrey",
        line="Epicure",
        resolution="Hoyo de Monterrey Epicure No.2",
        offers=((10, "109.00", "EUR", False), (25, "265.00", "EUR", False)),
        image="/img/p/hoyo-epicure-2.jpg",
        length_mm="124.0",
        ring_gauge=50,
    ),
    Page(
        "/review/cohiba-siglo-iv-review.html",
        name="Cohiba Siglo IV",
        brand="Cohiba",
        resolution="Cohiba Siglo IV",
        image="/wp-content/uploads/cohiba-siglo-iv-review.jpg",
        length_mm="142.9",
        ring_gauge=46,
    ),
    Page(
        "/fr-coffrets/coffret-degustation-habanos.html",
        name="Coffret Dégustation Habanos Sélection Robustos",
        brand="Habanos",
        resolution="not a cigar",
        kind="sampler",
        offers=((5, "119.00", "EUR", True),),
    ),
    Page(
        "/fr-coffrets/coupe-cigare-double-lame.html",
        name="Coupe-cigare double lame Xikar Xi2",
        brand="Xikar",
        resolution="not a cigar",
        kind="accessory",
        offers=((None, "89.00", "EUR", True),),
    ),
)

FIELDS = (
    "product name",
    "price and currency",
    "pack size of each stored price",
    "every pack the page sells",
    "availability",
    "image",
    "dimensions",
    "brand",
    "resolution",
)


def serve_real_shapes(server, jpeg) -> None:
    """The images the pages show, and a sitemap of the pages."""
    for page in PAGES:
        if page.image:
            server.image(page.image, jpeg)
    sitemap = "".join(f"<url><loc>{{{{BASE}}}}{page.path}</loc></url>" for page in PAGES)
    server.serve(
        "/sitemap.xml",
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{sitemap}</urlset>'.encode(),
        "application/xml",
    )


def real_shapes_catalogue() -> None:
    """A non-Cuban brand with an alias, beside the Habanos: "Fuente" names it too."""
    from catalogue.models import Brand

    Brand.objects.create(
        name="Arturo Fuente", slug="arturo-fuente", country="Dominican Republic", aliases=["Fuente"]
    )


# --- scoring --------------------------------------------------------------------------------


@dataclass
class Tally:
    right: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool | None, where: str, detail: str = "") -> None:
        if ok is None:  # not applicable to this page
            return
        self.total += 1
        self.right += int(ok)
        if not ok:
            self.misses.append(f"{where}: {detail}")

    @property
    def percent(self) -> float:
        return 100.0 * self.right / self.total if self.total else 100.0


def _norm(text: str) -> str:
    return " ".join((text or "").casefold().split())


def _stored_offers(product, url: str, merchant_name: str) -> list[Offer]:
    """What the crawl stored for a page: the catalogue packages it priced (cigars), plus
    the offers kept without a catalogue package (samplers, accessories, unknown packs)."""
    from catalogue.models import CigarPackage

    stored: list[Offer] = []
    if product is not None and product.cigar_id is not None:
        for package in CigarPackage.objects.filter(merchant=merchant_name, source_url=url):
            price = str(package.price) if package.price is not None else None
            stored.append((package.pack_size, price, package.currency or "", package.is_available))
    try:
        offer_model = apps.get_model("merchants", "MerchantOffer")
    except LookupError:
        return stored
    if product is None:
        return stored
    for offer in offer_model.objects.filter(product=product):
        if product.cigar_id is not None and offer.pack_size is not None:
            continue  # already counted as a catalogue package
        price = str(offer.price) if offer.price is not None else None
        stored.append((offer.pack_size, price, offer.currency, offer.is_available))
    return stored


def score_crawl(*, merchant, base_url: str, extract) -> dict[str, Tally]:
    """Per-field tallies of what a crawl of ``PAGES`` stored. ``extract(url)`` returns the
    extracted product of a page (for the dimensions, which a matched cigar's catalogue
    row would hide)."""
    from catalogue.models import MediaAsset
    from merchants.models import MerchantProduct

    tallies = {name: Tally() for name in FIELDS}
    for page in PAGES:
        url = f"{base_url}{page.path}"
        where = page.path
        product = MerchantProduct.objects.filter(merchant=merchant, url=url).first()
        tallies["product name"].add(
            product is not None and _norm(product.name) == _norm(page.name),
            where,
            f"stored {product.name if product else None!r}, expected {page.name!r}",
        )
        stored = _stored_offers(product, url, merchant.name)
        expected_priced = [o for o in page.offers if o[1] is not None]
        stored_priced = [o for o in stored if o[1] is not None]

        def _price(value: str | None) -> Decimal | None:
            return Decimal(value) if value is not None else None

        found = [
            any(
                _price(s[1]) == _price(e[1]) and s[2] == e[2] and s[0] == e[0]
                for s in stored_priced
            )
            for e in expected_priced
        ]
        tallies["price and currency"].add(
            all(found) if expected_priced else None,
            where,
            f"stored {stored_priced}, expected {expected_priced}",
        )
        expected_pairs = {(o[0], _price(o[1])) for o in expected_priced}
        tallies["pack size of each stored price"].add(
            all((s[0], _price(s[1])) in expected_pairs for s in stored_priced)
            if (stored_priced or expected_priced)
            else None,
            where,
            f"stored {[(s[0], s[1]) for s in stored_priced]}",
        )
        expected_packs = {o[0] for o in page.offers if o[0] is not None}
        stored_packs = {o[0] for o in stored if o[0] is not None}
        tallies["every pack the page sells"].add(
            stored_packs == expected_packs,
            where,
            f"stored {sorted(stored_packs)}, expected {sorted(expected_packs)}",
        )
        if page.offers:
            by_pack = {(s[0], _price(s[1])): s[3] for s in stored}
            by_size = {s[0]: s[3] for s in stored}
            states = [
                by_pack.get((e[0], _price(e[1])), by_size.get(e[0], "missing")) == e[3]
                for e in page.offers
            ]
            tallies["availability"].add(
                all(states), where, f"stored {[(s[0], s[3]) for s in stored]}"
            )
        if page.kind == "cigar":
            cigar = product.cigar if product is not None else None
            images = (
                set(MediaAsset.objects.filter(cigar=cigar).values_list("original_url", flat=True))
                if cigar is not None
                else set()
            )
            tallies["image"].add(
                f"{base_url}{page.image}" in images, where, f"stored {sorted(images)}"
            )
        extracted = extract(url)
        length = getattr(extracted, "length_mm", None)
        ring = getattr(extracted, "ring_gauge", None)
        expected_length = Decimal(page.length_mm) if page.length_mm else None
        length_ok = (
            length is None
            if expected_length is None
            else length is not None and abs(Decimal(length) - expected_length) <= Decimal("0.5")
        )
        tallies["dimensions"].add(
            length_ok and ring == page.ring_gauge,
            where,
            f"read {length} x {ring}, expected {page.length_mm} x {page.ring_gauge}",
        )
        line = getattr(product, "line", "") if product is not None else ""
        tallies["brand"].add(
            product is not None
            and _norm(product.brand) == _norm(page.brand)
            and _norm(line) == _norm(page.line),
            where,
            f"stored {product.brand if product else None!r} / {line!r}, "
            f"expected {page.brand!r} / {page.line!r}",
        )
        tallies["resolution"].add(
            _resolution_ok(product, page),
            where,
            f"stored {product.cigar.full_name if product and product.cigar else None!r}",
        )
    return tallies


def _resolution_ok(product, page: Page) -> bool:
    if product is None:
        return False
    cigar = product.cigar if product.cigar_id is not None else None
    if page.resolution == "not a cigar":
        return cigar is None
    if page.resolution == "created":
        return cigar is not None and cigar.needs_review
    return cigar is not None and cigar.full_name == page.resolution and not cigar.needs_review


def format_table(tallies: dict[str, Any], *, title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"{'field':<34} {'right':>9} {'%':>7}")
    for name in FIELDS:
        tally = tallies[name]
        lines.append(f"{name:<34} {tally.right:>3} of {tally.total:<3} {tally.percent:>6.1f}")
    return "\n".join(lines)
