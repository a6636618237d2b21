"""schema.org ``Product`` nodes from JSON-LD, microdata and RDFa, as plain dicts.

JSON-LD blocks are read one by one (not through extruct): a shop's single malformed
block must cost only that block, not the valid ones beside it. Microdata and RDFa go
through extruct; RDFa comes out as expanded JSON-LD (full IRIs, ``@value`` lists,
``@id`` references), which ``_compact_rdfa`` folds back into the JSON-LD shape, so one
reader (``merchants.extraction.product``) handles all three syntaxes.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import extruct
from lxml import etree

logger = logging.getLogger(__name__)

SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/", "schema:")
MAX_NODES = 200  # products per page considered; a catalogue page is not a product page


@dataclass
class StructuredData:
    products: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (syntax, node)
    warnings: list[str] = field(default_factory=list)


def _strip_schema(value: str) -> str:
    for prefix in SCHEMA_PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type", [])
    raw = raw if isinstance(raw, list) else [raw]
    return {_strip_schema(str(t)) for t in raw}


def _walk(value: Any, found: list[dict[str, Any]], depth: int = 0) -> None:
    """Product nodes anywhere: top level, lists, ``@graph``, ``mainEntity``…"""
    if depth > 8 or len(found) >= MAX_NODES:
        return
    if isinstance(value, list):
        for item in value:
            _walk(item, found, depth + 1)
    elif isinstance(value, dict):
        if "Product" in _types(value) or "ProductGroup" in _types(value):
            found.append(value)
            return
        for key in ("@graph", "mainEntity", "itemListElement", "item", "about"):
            if key in value:
                _walk(value[key], found, depth + 1)


def json_ld_blocks(document: etree._Element) -> tuple[list[Any], list[str]]:
    blocks, warnings = [], []
    for index, script in enumerate(
        document.xpath("//script[contains(translate(@type, 'JSONLD', 'jsonld'), 'ld+json')]"),
        start=1,
    ):
        text = (script.text or "").strip()
        if not text:
            continue
        # Some CMSes wrap the JSON in an HTML comment or CDATA.
        text = text.removeprefix("<!--").removesuffix("-->").strip()
        try:
            blocks.append(json.loads(text, strict=False))
        except ValueError as exc:
            warnings.append(f"JSON-LD block {index} is malformed and was skipped: {exc}")
    return blocks, warnings


def _unwrap(values: Any, nodes: dict[str, dict], depth: int) -> Any:
    if not isinstance(values, list):
        values = [values]
    out = []
    for value in values:
        if isinstance(value, dict) and "@value" in value:
            out.append(value["@value"])
        elif isinstance(value, dict) and "@id" in value and set(value) == {"@id"}:
            target = nodes.get(value["@id"])
            out.append(_compact_node(target, nodes, depth + 1) if target and depth < 4 else value)
        else:
            out.append(value)
    return out[0] if len(out) == 1 else out


def _compact_node(node: dict[str, Any], nodes: dict[str, dict], depth: int = 0) -> dict[str, Any]:
    compact: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@type":
            compact["@type"] = [_strip_schema(str(t)) for t in value]
        elif key.startswith("@"):
            compact[key] = value
        elif key.startswith(SCHEMA_PREFIXES):
            compact[_strip_schema(key)] = _unwrap(value, nodes, depth)
    return compact


def _compact_rdfa(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    nodes = {item["@id"]: item for item in items if isinstance(item, dict) and "@id" in item}
    return [_compact_node(item, nodes) for item in items if "Product" in _types(item)]


def _json_ld_ids(value: Any, ids: dict[str, dict], depth: int = 0) -> None:
    if depth > 8:
        return
    if isinstance(value, list):
        for item in value:
            _json_ld_ids(item, ids, depth + 1)
    elif isinstance(value, dict):
        if isinstance(value.get("@id"), str) and len(value) > 1:
            ids.setdefault(value["@id"], value)
        for inner in value.values():
            _json_ld_ids(inner, ids, depth + 1)


def _resolve_references(value: Any, ids: dict[str, dict], depth: int = 0) -> Any:
    """``{"@id": "#offer-1"}`` replaced by the node of that id (graphs written by SEO
    plugins keep offers and brands as separate nodes)."""
    if depth > 4:
        return value
    if isinstance(value, list):
        return [_resolve_references(item, ids, depth + 1) for item in value]
    if isinstance(value, dict):
        if set(value) == {"@id"} and value["@id"] in ids:
            return _resolve_references(ids[value["@id"]], ids, depth + 1)
        return {key: _resolve_references(inner, ids, depth + 1) for key, inner in value.items()}
    return value


def structured_products(html_text: str, document: etree._Element, *, url: str) -> StructuredData:
    data = StructuredData()
    blocks, data.warnings = json_ld_blocks(document)
    found: list[dict[str, Any]] = []
    _walk(blocks, found)
    ids: dict[str, dict] = {}
    _json_ld_ids(blocks, ids)
    data.products.extend(("json-ld", _resolve_references(node, ids)) for node in found)
    for syntax, marker in (("microdata", "itemscope"), ("rdfa", "typeof")):
        # extruct parses the page again per syntax: skip a syntax the page cannot hold.
        if marker not in html_text:
            continue
        try:
            extracted = extruct.extract(
                html_text, base_url=url, syntaxes=[syntax], uniform=syntax == "microdata"
            )
        except Exception as exc:  # extruct raises many types on odd markup
            data.warnings.append(f"{syntax} could not be read: {exc}")
            continue
        items = extracted.get(syntax, [])
        if syntax == "rdfa":
            items = _compact_rdfa(items)
        found = []
        _walk(items, found)
        data.products.extend((syntax, node) for node in found)
    return data
