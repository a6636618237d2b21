"""The per-site selector language: CSS by default, ``xpath:`` for XPath, ``@attr`` to read
an attribute.

    "h1.product-title"                          → the text of the first match
    "img.product-photo@src"                     → its ``src`` attribute
    "xpath://dt[.='Cape']/following-sibling::dd[1]"

Selectors come from operators (the admin); a broken one raises ``SelectorError`` with the
selector named, so the crawl reports it instead of silently extracting nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cssselect import SelectorError as CssSyntaxError
from lxml import etree, html
from lxml.cssselect import CSSSelector

_ATTRIBUTE_SUFFIX = re.compile(r"^(?P<css>.*?)\s*@(?P<attr>[A-Za-z_:][-\w:.]*)$")


class SelectorError(ValueError):
    pass


def decode_page(content: bytes | str) -> str:
    """Page bytes as text: UTF-8 (what nearly every shop serves), else Windows-1252.

    lxml's own guess for bytes without a declared charset is Latin-1, which turns "Étui"
    into mojibake; deciding here keeps every parser of a page on the same text.
    """
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def parse_html(content: bytes | str, *, base_url: str = "") -> html.HtmlElement:
    """An lxml tree of a page (no network, no entities: lxml's HTML parser never fetches)."""
    text = _XML_DECLARATION.sub("", decode_page(content))
    parser = html.HTMLParser(no_network=True, remove_comments=True, huge_tree=False)
    if not text.strip():
        text = "<html></html>"
    return html.document_fromstring(text, parser=parser, base_url=base_url or None)


@lru_cache(maxsize=512)
def compile_selector(spec: str) -> tuple[etree.XPath, str | None]:
    spec = spec.strip()
    if not spec:
        raise SelectorError("An empty selector.")
    try:
        if spec.startswith("xpath:"):
            return etree.XPath(spec[len("xpath:") :]), None
        attr = None
        match = _ATTRIBUTE_SUFFIX.match(spec)
        # "a@href" reads an attribute; "a[data-x='a@b']" does not (the @ is inside brackets).
        if match and match.group("css").count("[") == match.group("css").count("]"):
            spec, attr = match.group("css"), match.group("attr")
        return CSSSelector(spec, translator="html"), attr
    except (CssSyntaxError, etree.XPathSyntaxError) as exc:
        raise SelectorError(f"Invalid selector {spec!r}: {exc}") from None


def _text(node) -> str:
    if isinstance(node, str):
        return " ".join(node.split())
    if isinstance(node, etree._Element):
        return " ".join(node.text_content().split()) if hasattr(node, "text_content") else ""
    return " ".join(str(node).split())


def select_nodes(root, spec: str) -> list:
    selector, _attr = compile_selector(spec)
    try:
        found = selector(root)
    except etree.XPathEvalError as exc:
        raise SelectorError(f"Selector {spec!r} failed: {exc}") from None
    return found if isinstance(found, list) else [found]


def select_all(root, spec: str) -> list[str]:
    """The texts (or attribute values) of every match, empty ones dropped."""
    _selector, attr = compile_selector(spec)
    values = []
    for node in select_nodes(root, spec):
        if attr is not None:
            value = node.get(attr, "") if isinstance(node, etree._Element) else ""
            value = value.strip()
        else:
            value = _text(node)
        if value:
            values.append(value)
    return values


def select_first(root, spec: str) -> str:
    values = select_all(root, spec)
    return values[0] if values else ""
