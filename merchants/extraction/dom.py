"""Helpers over a parsed page: an element's text and classes, and the parts of the page
that are not this product's (related products, carousels, header, footer, navigation,
cart, hidden elements), marked once per page so that XPath skips them in C."""

from __future__ import annotations

from lxml import etree

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


def node_classes(node) -> str:
    return f"{node.get('class') or ''} {node.get('id') or ''}".casefold()


def is_hidden(node) -> bool:
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


def mark_elsewhere(root) -> None:
    if root.get(_MARKED) is not None:
        return
    root.set(_MARKED, "1")
    for node in root.iter(tag=etree.Element):
        if node.tag in ("footer", "header", "nav", "aside") or is_hidden(node):
            node.set(_MARK, "1")
            continue
        classes = node_classes(node)
        if classes.strip() and any(word in classes for word in _ELSEWHERE):
            node.set(_MARK, "1")


def is_elsewhere(node) -> bool:
    """Describes another product (related, carousels), belongs to the page's frame
    (header, footer, navigation, cart), or is hidden."""
    mark_elsewhere(node.getroottree().getroot())
    if node.get(_MARK) is not None:
        return True
    return any(ancestor.get(_MARK) is not None for ancestor in node.iterancestors())


def own_nodes(document, xpath: str) -> list:
    """The nodes ``xpath`` selects outside the parts that are not this product's."""
    mark_elsewhere(document.getroottree().getroot())
    return document.xpath(f"{xpath}[{NOT_ELSEWHERE}]")


def node_text(node) -> str:
    return " ".join(node.text_content().split()) if hasattr(node, "text_content") else ""
