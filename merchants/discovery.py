"""Where products are found: sitemaps (and sitemap indexes) and listing pages.

Sitemaps are parsed with lxml rather than ultimate-sitemap-parser because that library
fetches by itself, and every request must go through the crawler's polite client (robots,
rate limit, size caps). Gzipped sitemaps are inflated with a cap, so a sitemap bomb stops
at ``SITEMAP_MAX_INFLATED_BYTES``.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from merchants.extraction.select import parse_html, select_nodes

SITEMAP_MAX_INFLATED_BYTES = 50 * 1024 * 1024
SITEMAP_MAX_URLS = 50_000  # the sitemap protocol's own limit per file


class SitemapError(ValueError):
    pass


@dataclass
class Discovered:
    sitemaps: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)


# Query parameters that only track where a visitor came from: the page is the same.
_TRACKING = re.compile(r"^(?:utm_\w+|ref|referrer|gclid|fbclid|msclkid|mc_cid|mc_eid|_ga)$", re.I)


def normalise_url(url: str, *, base: str = "") -> str:
    """Absolute, without fragment or tracking parameters: the frontier's identity of a page
    ("…/d4.html?ref=promo#top" is "…/d4.html")."""
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(urldefrag(absolute)[0])
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        ]
    )
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def same_site(url: str, base_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(base_url)
    return a.scheme in ("http", "https") and a.netloc.lower() == b.netloc.lower()


def _inflate(content: bytes) -> bytes:
    if not content.startswith(b"\x1f\x8b"):
        return content
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    data = inflater.decompress(content, SITEMAP_MAX_INFLATED_BYTES + 1)
    if len(data) > SITEMAP_MAX_INFLATED_BYTES or inflater.unconsumed_tail:
        raise SitemapError(
            f"The gzipped sitemap inflates past {SITEMAP_MAX_INFLATED_BYTES} bytes; refused."
        )
    return data


def parse_sitemap(content: bytes, *, url: str) -> Discovered:
    """URLs of a ``<urlset>`` (pages) or a ``<sitemapindex>`` (more sitemaps)."""
    data = _inflate(content)
    # No entities, no DTD, no network: an XML bomb or an external entity gets nowhere.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"{url} is not a well-formed sitemap: {exc}") from None
    tag = etree.QName(root).localname
    locs = [
        normalise_url(loc.text or "", base=url)
        for loc in root.iter("{*}loc")
        if (loc.text or "").strip()
    ][:SITEMAP_MAX_URLS]
    found = Discovered()
    if tag == "sitemapindex":
        found.sitemaps = locs
    elif tag == "urlset":
        found.products = locs
    else:
        raise SitemapError(f"{url}: <{tag}> is neither a urlset nor a sitemapindex.")
    return found


def filter_products(urls: list[str], *, pattern: str, base_url: str) -> list[str]:
    compiled = re.compile(pattern) if pattern else None
    kept = []
    for url in urls:
        if not same_site(url, base_url):
            continue
        if compiled is not None and not compiled.search(url):
            continue
        kept.append(url)
    return kept


def parse_listing(
    content: bytes, *, url: str, product_link_selector: str, next_page_selector: str
) -> Discovered:
    """Product links and the next page of a listing page."""
    document = parse_html(content, base_url=url)
    found = Discovered()
    if product_link_selector:
        for node in select_nodes(document, product_link_selector):
            href = node.get("href") if isinstance(node, etree._Element) else str(node)
            if href:
                found.products.append(normalise_url(href, base=url))
    if next_page_selector:
        for href in _hrefs(document, next_page_selector):
            found.listings.append(normalise_url(href, base=url))
            break
    found.products = list(dict.fromkeys(found.products))
    return found


def _hrefs(document, spec: str) -> list[str]:
    hrefs = []
    for node in select_nodes(document, spec):
        if isinstance(node, etree._Element):
            if node.get("href"):
                hrefs.append(node.get("href"))
        elif str(node).strip():
            hrefs.append(str(node).strip())
    return hrefs
