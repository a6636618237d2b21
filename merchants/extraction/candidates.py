"""What ``scrape_url`` suggests for a page without structured data: the elements per-site
selectors could point at (title, price-like texts, images, spec rows)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from merchants.extraction.dom import own_nodes
from merchants.extraction.fields import parse_money

_PRICE_WITH_CURRENCY = re.compile(r"(?:[€$£]|\b(?:EUR|USD|GBP|CHF|CAD)\b)")

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
    for node in own_nodes(document, "//body//*[not(self::script or self::style)][text()]"):
        own = " ".join((node.text or "").split())
        if not own or len(own) > 30 or not _PRICE_WITH_CURRENCY.search(own):
            continue
        if parse_money(own) is None:
            continue
        selector = css_path(node)
        if selector not in seen:
            seen.add(selector)
            found.price.append((selector, own))
    for image in own_nodes(document, "//img[@src]"):
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
