"""What one crawl carries from URL to URL, and the crawl's constants."""

from __future__ import annotations

from dataclasses import dataclass

from cigarspace.http import HttpClient
from merchants.models import CrawlRun, Merchant
from merchants.politeness import RobotsPolicy

PARSER_VERSION = "1.0"
HTML_TYPES = ("text/html", "application/xhtml+xml")
SITEMAP_TYPES = (
    "application/xml",
    "text/xml",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
    "text/plain",
)
SITEMAP_MAX_BYTES = 20 * 1024 * 1024
GONE_STATUSES = (404, 410)


@dataclass
class CrawlContext:
    merchant: Merchant
    run: CrawlRun
    client: HttpClient
    robots: RobotsPolicy
    adapter_name: str
