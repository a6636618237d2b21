"""The crawl of one merchant: robots.txt, then the frontier, one URL at a time.

``merchant_crawl`` is what the ``crawl`` command, the scheduled task and the admin action
call. It is deliberately not one transaction: every URL is claimed, fetched and filed in
its own short transactions, so an interrupted crawl keeps everything done so far and
``resume=True`` continues with the URLs still pending (never fetching a finished one again).

Per URL kind:
- sitemap → more sitemaps and product URLs (same host, ``product_url_pattern``);
- listing → product links and the next page (the merchant's selectors);
- product → extraction (the merchant's adapter), catalogue upsert, images, packages.
Every fetch leaves a ``source_record``; 404/410 on a product page marks its packages
unavailable; URLs robots.txt forbids are recorded as blocked and never requested.
"""

from merchants.crawler.context import HTML_TYPES, PARSER_VERSION
from merchants.crawler.run import (
    CrawlAlreadyRunning,
    ProgressCallback,
    crawl_client,
    merchant_crawl,
)

__all__ = [
    "HTML_TYPES",
    "PARSER_VERSION",
    "CrawlAlreadyRunning",
    "ProgressCallback",
    "crawl_client",
    "merchant_crawl",
]
