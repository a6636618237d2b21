"""What a page says outside its structured data: meta tags (``og:image``,
``og:availability``, ``product:price:amount``), visible option labels, specification
tables, stock words, breadcrumbs — and, for a page with nothing else, the elements an
operator could point per-site selectors at (``candidate_selectors``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from merchants.extraction.fields import availability_in_text, parse_money, parse_pack
from merchants.extraction.offers import MAX_OFFERS
from merchants.extraction.records import ExtractedOffer, OfferSource

# Parts of a page that describe other products: their words are not this product's.
_ELSEWHERE = (
    "related",
    "upsell",
    "up-sell",
    "cross-sell",
    "crosssell",
    "recommend",
    "also-bought",
    "carousel",
    "recently",
    "footer",
    "header",
    "nav",
    "menu",
    "cart",
    "minicart",
)
_QUANTITY_INPUT = re.compile(r"qty|quantity|menge|anzahl|quantite|cantidad|quantita", re.I)
_PRICE_WITH_CURRENCY = re.compile(r"(?:[€$£]|\b(?:EUR|USD|GBP|CHF|CAD)\b)")
_SURCHARGE = re.compile(r"\(\s*\+|\+\s*(?:[€$£]|\d)")


def _classes(node) -> str:
    return f"{node.get('class') or ''} {node.get('id') or ''}".casefold()


def _hidden(node) -> bool:
    """Hidden by the page itself (a template message shown only for some variant)."""
    style = (node.get("style") or "").replace(" ", "").casefold()
    classes = f" {(node.get('class') or '').casefold()} "
    return (
        node.get("hidden") is not None
        or node.get("aria-hidden") == "true"
        or "display:none" in style
        or any(f" {word} " in classes for word in ("hidden", "d-none", "is-hidden", "u-hidden"))
    )


# Set once per parsed page on the roots of the parts that are not this product's (see
# ``_elsewhere``), so that XPath can skip them in C (``NOT_ELSEWHERE``).
_MARK = "data-cigarspace-elsewhere"
_MARKED = "data-cigarspace-marked"
NOT_ELSEWHERE = f"not(ancestor-or-self::*[@{_MARK}])"


def _mark_elsewhere(root) -> None:
    if root.get(_MARKED) is not None:
        return
    root.set(_MARKED, "1")
    for node in root.iter(tag=etree.Element):
        if node.tag in ("footer", "header", "nav", "aside") or _hidden(node):
            node.set(_MARK, "1")
            continue
        classes = _classes(node)
        if classes.strip() and any(word in classes for word in _ELSEWHERE):
            node.set(_MARK, "1")


def _elsewhere(node) -> bool:
    """Describes another product (related, carousels), belongs to the page's frame
    (header, footer, navigation, cart), or is hidden."""
    _mark_elsewhere(node.getroottree().getroot())
    if node.get(_MARK) is not None:
        return True
    return any(ancestor.get(_MARK) is not None for ancestor in node.iterancestors())


def _own(document, xpath: str) -> list:
    """The nodes ``xpath`` selects outside the parts that are not this product's."""
    _mark_elsewhere(document.getroottree().getroot())
    return document.xpath(f"{xpath}[{NOT_ELSEWHERE}]")


def _text(node) -> str:
    return " ".join(node.text_content().split()) if hasattr(node, "text_content") else ""


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
        if _elsewhere(node):
            continue
        for symbol, code in _SYMBOLS.items():
            if symbol in _text(node):
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
        if node.tag in ("script", "style", "body", "html") or _elsewhere(node):
            continue
        text = _text(node)
        if len(text) <= 80 and (state := availability_in_text(text)) is not None:
            return state
    # A buy button that says so ("Out of stock" on a disabled submit).
    for button in _own(document, "//input[@type='submit' or @type='button'][@value]"):
        if availability_in_text(button.get("value")) is False:
            return False
    # Most pages say nothing of the kind: one look at the whole text spares the nodes.
    if availability_in_text(_text(document)) is not False:
        return None
    for node in _own(document, _SHORT_NODES):
        if availability_in_text(_text(node)) is False:
            return False
    return None


# --- visible option labels ------------------------------------------------------------------------


_MONEY_IN_LABEL = re.compile(
    r"(?:[€$£]|\b(?:EUR|USD|GBP|CHF|CAD)\b)\s?\d[\d.,\s]*\d|\d(?:[\d.,\s]*\d)?\s?(?:[€$£]|\b(?:EUR|USD|GBP|CHF|CAD)\b)"
)


def _option_price(label: str, currency: str, data_price: str | None):
    """The price an option label states ("Kiste à 10 - 229,00 €"): the last amount written
    with a currency; none for a surcharge ("+ $5")."""
    if data_price:
        return parse_money(data_price, currency_hint=currency)
    if _SURCHARGE.search(label):
        return None
    amounts = _MONEY_IN_LABEL.findall(label)
    return parse_money(amounts[-1], currency_hint=currency) if amounts else None


def _strip_price(label: str) -> str:
    amounts = _MONEY_IN_LABEL.findall(label)
    if amounts:
        label = label[: label.rfind(amounts[-1])]
    return label.strip(" -\u2013\u2014:(")


def _radio_label(radio) -> str:
    radio_id = radio.get("id")
    if radio_id:
        labels = radio.getroottree().xpath("//label[@for=$id]", id=radio_id)
        if labels:
            return labels[0].get("title") or _text(labels[0])
    for ancestor in radio.iterancestors():
        if ancestor.tag == "label":
            return _text(ancestor)
    return radio.get("title") or radio.get("aria-label") or ""


def visible_options(document, *, currency: str) -> list[ExtractedOffer]:
    """Option lists on the page whose labels are packs ("Einzeln", "25er", "Kiste à 40",
    "Box of 20 - $250.00"): selects, radio buttons, swatches. A list counts when its
    options read as packs; prices written in a label (not "+ $5" surcharges) are kept."""
    groups: list[list[tuple[str, bool, str | None, bool]]] = []
    for select in document.xpath("//select"):
        if _QUANTITY_INPUT.search(f"{select.get('name', '')} {select.get('id', '')}"):
            continue
        if _elsewhere(select):
            continue
        group = []
        for option in select.xpath(".//option"):
            label = _text(option)
            if not label or option.get("value", "x") == "":
                continue
            group.append(
                (
                    label,
                    option.get("selected") is not None,
                    option.get("data-price"),
                    option.get("disabled") is not None,
                )
            )
        groups.append(group)
    radios_by_name: dict[str, list] = {}
    for radio in document.xpath("//input[@type='radio']"):
        if _elsewhere(radio):
            continue
        radios_by_name.setdefault(radio.get("name") or "", []).append(radio)
    for radios in radios_by_name.values():
        groups.append(
            [
                (
                    _radio_label(r),
                    r.get("checked") is not None,
                    r.get("data-price"),
                    r.get("disabled") is not None,
                )
                for r in radios
            ]
        )
    swatches = document.xpath(
        "//*[contains(@class, 'swatch') or contains(@class, 'variant-option') or "
        "contains(@class, 'option-value')][@data-value or @data-price]"
    )
    if swatches:
        groups.append(
            [
                (
                    s.get("data-value") or _text(s),
                    "selected" in _classes(s) or "active" in _classes(s),
                    s.get("data-price"),
                    "disabled" in _classes(s) or "unavailable" in _classes(s),
                )
                for s in swatches
                if not _elsewhere(s)
            ]
        )
    offers: list[ExtractedOffer] = []
    for group in groups:
        packs = [(entry, parse_pack(_strip_price(entry[0]))) for entry in group]
        if not packs or sum(1 for _e, p in packs if p) < max(1, len(packs) // 2 + 1):
            continue  # a list of colours or sizes, not of packs
        for (label, selected, data_price, disabled), pack in packs[:MAX_OFFERS]:
            if pack is None:
                continue
            offers.append(
                ExtractedOffer(
                    label=_strip_price(label),
                    pack=pack,
                    price=_option_price(label, currency, data_price),
                    available=False if disabled or availability_in_text(label) is False else None,
                    source=OfferSource.VISIBLE,
                    selected=selected,
                )
            )
    return offers


# Amounts that are a unit price ("2,50 € / Stück", "$9.50 each"), not what the row sells.
_PER_UNIT_AFTER = re.compile(
    r"^\s*(?:/|pro\b|per\b|each\b|je\b|par\b|por\b|cad\.|l['\u2019]unit)", re.I
)
_NOT_THE_PRICE_CLASSES = ("old", "strike", "regular", "was", "unit", "base", "grund", "uvp")


def _row_price(row, label_cell, currency: str):
    """The price a variant row sells at: its marked-up price (``itemprop=price``), its
    price element (not a struck-out or unit price), else the first amount outside the
    pack's own cell that is not per unit."""
    for node in row.xpath(".//*[@itemprop='price' or @property='price'][@content]"):
        return parse_money(node.get("content"), currency_hint=currency)
    for node in row.xpath(".//*[contains(translate(@class, 'PRICE', 'price'), 'price')]"):
        classes = _classes(node)
        if any(word in classes for word in _NOT_THE_PRICE_CLASSES) or node.tag in ("del", "s"):
            continue
        amounts = _MONEY_IN_LABEL.findall(_text(node))
        if len(amounts) == 1:
            return parse_money(amounts[0], currency_hint=currency)
    cells = [c for c in (row.xpath("./th|./td") or [row]) if c is not label_cell] or [row]
    for cell in cells:
        text = _text(cell)
        for match in _MONEY_IN_LABEL.finditer(text):
            if not _PER_UNIT_AFTER.match(text[match.end() :]):
                return parse_money(match.group(0), currency_hint=currency)
    return None


def visible_rows(document, *, currency: str) -> list[ExtractedOffer]:
    """Variant rows that shops write as a table or a list, one pack and its price a row
    ("Einzeln | 12,50 €", "25er Kiste | 280,00 €"): two rows or more under one parent."""
    by_parent: dict[Any, list[ExtractedOffer]] = {}
    for row in _own(document, "//*[self::tr or self::li][not(.//select)][not(.//tr or .//li)]"):
        text = _text(row)
        if not text or len(text) > 200 or not _MONEY_IN_LABEL.search(text):
            continue
        cells = row.xpath("./th|./td") or [row]
        label_cell = next((c for c in cells if parse_pack(_strip_price(_text(c)))), None)
        label = _strip_price(_text(label_cell)) if label_cell is not None else ""
        pack = parse_pack(label) if label else None
        price = _row_price(row, label_cell if len(cells) > 1 else None, currency)
        if pack is None or price is None:
            continue
        by_parent.setdefault(row.getparent(), []).append(
            ExtractedOffer(
                label=label,
                pack=pack,
                price=price,
                available=False if availability_in_text(text) is False else None,
                source=OfferSource.VISIBLE,
            )
        )
    return [offer for rows in by_parent.values() if len(rows) >= 2 for offer in rows][:MAX_OFFERS]


# --- specification rows ------------------------------------------------------------------------

_LABELLED = re.compile(r"^\s*(?P<label>[^:]{2,40}?)\s*:\s*(?P<value>.{1,120})$")


def spec_rows(document) -> list[tuple[str, str]]:
    """(label, value) pairs of the page's specification tables: table rows, ``dl``
    lists, and "Label: value" lines; the parts showing other products are skipped."""
    rows: list[tuple[str, str]] = []
    for row in document.xpath("//tr[count(th|td) = 2]"):
        if not _elsewhere(row):
            cells = row.xpath("th|td")
            rows.append((_text(cells[0]), _text(cells[1])))
    for term in document.xpath("//dt"):
        value = term.xpath("following-sibling::dd[1]")
        if value and not _elsewhere(term):
            rows.append((_text(term), _text(value[0])))
    labelled = "//*[self::li or self::p or self::span[not(*)] or self::div[not(*)]]"
    for node in _own(document, f"{labelled}[contains(., ':')]"):
        text = _text(node)
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
    for node in _own(document, "//*[count(*) = 2 and not(self::tr)][not(*/*)]"):
        first, second = node.getchildren()
        label, value = _text(first), _text(second)
        if 1 < len(label) <= 40 and 0 < len(value) <= 80 and not label.endswith(":"):
            pairs.append((label, value))
    return pairs


# --- names and categories ------------------------------------------------------------------------


def page_title(document, meta: dict[str, str]) -> str:
    for heading in document.xpath("//h1"):
        if not _elsewhere(heading) and (text := _text(heading)):
            return text
    return meta.get("og:title", "")


def breadcrumbs(document, structured_crumbs: list[str]) -> str:
    if structured_crumbs:
        return " / ".join(structured_crumbs)
    for node in document.xpath(
        "//*[contains(@class, 'breadcrumb') or contains(@aria-label, 'readcrumb')]"
    ):
        if text := _text(node):
            return text[:300]
    return ""


# --- candidate selectors -----------------------------------------------------------------------


@dataclass
class SelectorCandidates:
    """What ``scrape_url`` suggests for a page without structured data."""

    name: list[str] = field(default_factory=list)
    price: list[tuple[str, str]] = field(default_factory=list)  # (selector, text)
    images: list[str] = field(default_factory=list)
    specs: list[str] = field(default_factory=list)


def css_path(node) -> str:
    """A short CSS selector for a node: its tag with its first class, under an ancestor
    with an id when there is one."""
    classes = (node.get("class") or "").split()
    own = node.tag + (f".{classes[0]}" if classes else "")
    if node.get("id"):
        return f"{node.tag}#{node.get('id')}"
    for ancestor in node.iterancestors():
        if ancestor.get("id") and ancestor.tag not in ("html", "body"):
            return f"#{ancestor.get('id')} {own}"
    return own


def candidate_selectors(document) -> SelectorCandidates:
    found = SelectorCandidates()
    for heading in document.xpath("//h1")[:3]:
        found.name.append(css_path(heading))
    seen: set[str] = set()
    for node in _own(document, "//body//*[not(self::script or self::style)][text()]"):
        own = " ".join((node.text or "").split())
        if not own or len(own) > 30 or not _PRICE_WITH_CURRENCY.search(own):
            continue
        if parse_money(own) is None:
            continue
        selector = css_path(node)
        if selector not in seen:
            seen.add(selector)
            found.price.append((selector, own))
    for image in document.xpath("//img[@src]"):
        if _elsewhere(image):
            continue
        found.images.append(f"{css_path(image)}@src")
    if document.xpath("//table//tr[count(th|td) = 2]"):
        found.specs.append(
            '{"row": "table tr", "label": "th, td:first-child", "value": "td:last-child"}'
        )
    if document.xpath("//dl/dt"):
        found.specs.append("dl dt / dd (spec rows are read without selectors)")
    found.images = list(dict.fromkeys(found.images))[:5]
    found.price = found.price[:5]
    return found
