"""Offers the page shows rather than states in data: option lists whose labels are packs
(selects, radio buttons, swatches) and variant rows (a table or list of pack and price)."""

from __future__ import annotations

import re
from typing import Any

from merchants.extraction.dom import is_elsewhere, node_classes, node_text, own_nodes
from merchants.extraction.fields import availability_in_text, parse_money, parse_pack
from merchants.extraction.offers import MAX_OFFERS
from merchants.extraction.records import ExtractedOffer, OfferSource

_QUANTITY_INPUT = re.compile(r"qty|quantity|menge|anzahl|quantite|cantidad|quantita", re.I)
_SURCHARGE = re.compile(r"\(\s*\+|\+\s*(?:[€$£]|\d)")


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
            return labels[0].get("title") or node_text(labels[0])
    for ancestor in radio.iterancestors():
        if ancestor.tag == "label":
            return node_text(ancestor)
    return radio.get("title") or radio.get("aria-label") or ""


def visible_options(document, *, currency: str) -> list[ExtractedOffer]:
    """Option lists on the page whose labels are packs ("Einzeln", "25er", "Kiste à 40",
    "Box of 20 - $250.00"): selects, radio buttons, swatches. A list counts when its
    options read as packs; prices written in a label (not "+ $5" surcharges) are kept."""
    groups: list[list[tuple[str, bool, str | None, bool]]] = []
    for select in document.xpath("//select"):
        if _QUANTITY_INPUT.search(f"{select.get('name', '')} {select.get('id', '')}"):
            continue
        if is_elsewhere(select):
            continue
        group = []
        for option in select.xpath(".//option"):
            label = node_text(option)
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
        if is_elsewhere(radio):
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
                    s.get("data-value") or node_text(s),
                    "selected" in node_classes(s) or "active" in node_classes(s),
                    s.get("data-price"),
                    "disabled" in node_classes(s) or "unavailable" in node_classes(s),
                )
                for s in swatches
                if not is_elsewhere(s)
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
        classes = node_classes(node)
        if any(word in classes for word in _NOT_THE_PRICE_CLASSES) or node.tag in ("del", "s"):
            continue
        amounts = _MONEY_IN_LABEL.findall(node_text(node))
        if len(amounts) == 1:
            return parse_money(amounts[0], currency_hint=currency)
    cells = [c for c in (row.xpath("./th|./td") or [row]) if c is not label_cell] or [row]
    for cell in cells:
        text = node_text(cell)
        for match in _MONEY_IN_LABEL.finditer(text):
            if not _PER_UNIT_AFTER.match(text[match.end() :]):
                return parse_money(match.group(0), currency_hint=currency)
    return None


def visible_rows(document, *, currency: str) -> list[ExtractedOffer]:
    """Variant rows that shops write as a table or a list, one pack and its price a row
    ("Einzeln | 12,50 €", "25er Kiste | 280,00 €"): two rows or more under one parent."""
    by_parent: dict[Any, list[ExtractedOffer]] = {}
    rows = "//*[self::tr or self::li][not(.//select)][not(.//tr or .//li)]"
    for row in own_nodes(document, rows):
        text = node_text(row)
        if not text or len(text) > 200 or not _MONEY_IN_LABEL.search(text):
            continue
        cells = row.xpath("./th|./td") or [row]
        label_cell = next((c for c in cells if parse_pack(_strip_price(node_text(c)))), None)
        label = _strip_price(node_text(label_cell)) if label_cell is not None else ""
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
