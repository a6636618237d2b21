"""What a page says outside its structured data: meta tags (``og:image``,
``og:availability``, ``product:price:amount``), its currency, stock words, specification
rows, its heading and breadcrumbs. Offers shown on the page are read by
``merchants.extraction.options``."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from merchants.extraction.dom import is_elsewhere, node_text, own_nodes
from merchants.extraction.fields import availability_in_text, parse_money
from merchants.extraction.records import ExtractedOffer, OfferSource

# --- meta tags ----------------------------------------------------------------------------------


def meta_tags(document) -> dict[str, str]:
    """``og:*``, ``product:*`` and ``twitter:*`` meta values (the first of each)."""
    found: dict[str, str] = {}
    for meta in document.xpath("//meta[@property or @name][@content]"):
        key = (meta.get("property") or meta.get("name") or "").strip().casefold()
        if key.startswith(("og:", "product:", "twitter:")) and key not in found:
            found[key] = meta.get("content", "").strip()
    return found


def meta_images(meta: dict[str, str], *, url: str) -> list[str]:
    images = [meta.get(k, "") for k in ("og:image:secure_url", "og:image", "twitter:image")]
    return list(dict.fromkeys(urljoin(url, i) for i in images if i))


# The Open Graph product vocabulary's own short values.
_META_AVAILABILITY = {"oos": False, "instock": True, "pending": None, "preorder": False}


def meta_availability(meta: dict[str, str]) -> bool | None:
    for key in ("og:availability", "product:availability"):
        value = meta.get(key, "").strip().casefold().replace(" ", "").replace("_", "")
        if value in _META_AVAILABILITY:
            return _META_AVAILABILITY[value]
        if value:
            return availability_in_text(meta[key])
    return None


def meta_offer(meta: dict[str, str], *, currency: str) -> ExtractedOffer | None:
    amount = meta.get("product:price:amount") or meta.get("og:price:amount")
    if not amount:
        return None
    hint = meta.get("product:price:currency") or meta.get("og:price:currency") or currency
    return ExtractedOffer(
        price=parse_money(amount, currency_hint=hint),
        available=meta_availability(meta),
        source=OfferSource.META,
        is_summary=True,
    )


_CURRENCY_IN_DATA = re.compile(
    r"(?:\"priceCurrency\"\s*:\s*\"|priceCurrency\"?\s+content=\"|\"currency\"\s*:\s*\")"
    r"(?P<code>[A-Z]{3})\""
)
_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}


def page_currency(html_text: str, document, meta: dict[str, str], *, default: str) -> str:
    """The currency a page prices in: its meta tags, its structured data, else the symbol
    its price elements show; the merchant's currency when the page says nothing. Platform
    data (Shopify cents, WooCommerce numbers) states amounts without a currency."""
    for key in ("product:price:currency", "og:price:currency"):
        if re.fullmatch(r"[A-Z]{3}", meta.get(key, "")):
            return meta[key]
    if match := _CURRENCY_IN_DATA.search(html_text):
        return match["code"]
    for node in document.xpath("//*[contains(@class, 'price')]"):
        if is_elsewhere(node):
            continue
        for symbol, code in _SYMBOLS.items():
            if symbol in node_text(node):
                return code
    return default


# --- stock words ---------------------------------------------------------------------------------

_STOCK_NODES = (
    "//*[contains(translate(@class, 'STOCKAVIL', 'stockavil'), 'stock') or "
    "contains(translate(@class, 'STOCKAVIL', 'stockavil'), 'availab') or "
    "contains(translate(@id, 'STOCKAVIL', 'stockavil'), 'stock') or "
    "contains(translate(@id, 'STOCKAVIL', 'stockavil'), 'availab') or "
    "contains(@class, 'lieferbar') or contains(@class, 'delivery-information')]"
)
_SHORT_NODES = (
    "//*[self::p or self::span or self::div or self::strong or self::button or self::b]"
    "[string-length(normalize-space(.)) <= 40][normalize-space(.)]"
)


def visible_availability(document) -> bool | None:
    """A page's visible stock statement: an element classed ``stock``/``availability``
    first, else a short text such as "OUT OF STOCK" or "Ausverkauft" outside the parts
    that show other products."""
    for node in document.xpath(_STOCK_NODES):
        if node.tag in ("script", "style", "body", "html") or is_elsewhere(node):
            continue
        text = node_text(node)
        if len(text) <= 80 and (state := availability_in_text(text)) is not None:
            return state
    # A buy button that says so ("Out of stock" on a disabled submit).
    for button in own_nodes(document, "//input[@type='submit' or @type='button'][@value]"):
        if availability_in_text(button.get("value")) is False:
            return False
    # Most pages say nothing of the kind: one look at the whole text spares the nodes.
    if availability_in_text(node_text(document)) is not False:
        return None
    for node in own_nodes(document, _SHORT_NODES):
        if availability_in_text(node_text(node)) is False:
            return False
    return None


# --- specification rows ------------------------------------------------------------------------

_LABELLED = re.compile(r"^\s*(?P<label>[^:]{2,40}?)\s*:\s*(?P<value>.{1,120})$")


def spec_rows(document) -> list[tuple[str, str]]:
    """(label, value) pairs of the page's specification tables: table rows, ``dl``
    lists, and "Label: value" lines; the parts showing other products are skipped."""
    rows: list[tuple[str, str]] = []
    for row in document.xpath("//tr[count(th|td) = 2]"):
        if not is_elsewhere(row):
            cells = row.xpath("th|td")
            rows.append((node_text(cells[0]), node_text(cells[1])))
    for term in document.xpath("//dt"):
        value = term.xpath("following-sibling::dd[1]")
        if value and not is_elsewhere(term):
            rows.append((node_text(term), node_text(value[0])))
    labelled = "//*[self::li or self::p or self::span[not(*)] or self::div[not(*)]]"
    for node in own_nodes(document, f"{labelled}[contains(., ':')]"):
        text = node_text(node)
        if len(text) > 160:
            continue
        # "Length: 4.02 inches / 10.21 cm"; several "a: b" in one line are split on "|".
        for part in re.split(r"\s*[|•·]\s*", text):
            if match := _LABELLED.match(part):
                rows.append((match["label"], match["value"]))
    for label, value in _split_inline(document):
        rows.append((label, value))
    return rows


def _split_inline(document) -> list[tuple[str, str]]:
    """Two-cell rows written as sibling elements ("<span>Ringmaß</span><span>48</span>")."""
    pairs = []
    for node in own_nodes(document, "//*[count(*) = 2 and not(self::tr)][not(*/*)]"):
        first, second = node.getchildren()
        label, value = node_text(first), node_text(second)
        if 1 < len(label) <= 40 and 0 < len(value) <= 80 and not label.endswith(":"):
            pairs.append((label, value))
    return pairs


# --- names and categories ------------------------------------------------------------------------


def page_title(document, meta: dict[str, str]) -> str:
    for heading in document.xpath("//h1"):
        if not is_elsewhere(heading) and (text := node_text(heading)):
            return text
    return meta.get("og:title", "")


def breadcrumbs(document, structured_crumbs: list[str]) -> str:
    if structured_crumbs:
        return " / ".join(structured_crumbs)
    for node in document.xpath(
        "//*[contains(@class, 'breadcrumb') or contains(@aria-label, 'readcrumb')]"
    ):
        if text := node_text(node):
            return text[:300]
    return ""
