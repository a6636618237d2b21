"""django-q2 tasks of the merchants app: thin callers of the crawler."""

from __future__ import annotations

from merchants.crawler import CrawlAlreadyRunning, merchant_crawl
from merchants.models import Merchant


def crawl_merchant(slug: str) -> str:
    """Scheduled per enabled merchant: continue its unfinished run, or start a new one."""
    merchant = Merchant.objects.get(slug=slug)
    if not merchant.enabled:
        return f"{slug}: disabled; not crawled"
    try:
        run = merchant_crawl(merchant=merchant, resume=True, trigger="task")
    except CrawlAlreadyRunning as exc:
        return f"{slug}: skipped — {exc}"
    return f"{slug}: run {run.pk} {run.status} — {run.summary()}"


def crawl_merchant_new(slug: str) -> str:
    """Queued by the admin's "crawl now": a new run, whatever is unfinished."""
    merchant = Merchant.objects.get(slug=slug)
    try:
        run = merchant_crawl(merchant=merchant, resume=False, trigger="admin")
    except CrawlAlreadyRunning as exc:
        return f"{slug}: skipped — {exc}"
    return f"{slug}: run {run.pk} {run.status} — {run.summary()}"
