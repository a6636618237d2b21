"""Writes of the merchants app: the registry, runs and their frontier, products.

The crawl loop (``merchants.crawler``), the admin, the commands and the tasks call these.
Each write is one short transaction: a crawl never holds a transaction open across a
fetch.
"""

from merchants.services.merchants import (
    MERCHANT_FIELDS,
    SELECTOR_KEYS,
    merchant_create,
    merchant_save_instance,
    merchant_update,
    merchant_validate,
)
from merchants.services.packages import (
    merchant_offers_replace,
    merchant_packages_mark_unavailable,
    merchant_packages_upsert,
)
from merchants.services.products import (
    CigarPlan,
    ProductOutcome,
    cigar_plan,
    merchant_product_touch,
    merchant_product_upsert,
    provenance_record,
)
from merchants.services.runs import (
    crawl_run_count,
    crawl_run_finish,
    crawl_run_resumable,
    crawl_run_resume,
    crawl_run_start,
    frontier_claim_next,
    frontier_enqueue,
    frontier_mark,
    frontier_mark_blocked,
    frontier_previous_validators,
    known_product_urls,
)

__all__ = [
    "MERCHANT_FIELDS",
    "SELECTOR_KEYS",
    "CigarPlan",
    "ProductOutcome",
    "cigar_plan",
    "crawl_run_count",
    "crawl_run_finish",
    "crawl_run_resumable",
    "crawl_run_resume",
    "crawl_run_start",
    "frontier_claim_next",
    "frontier_enqueue",
    "frontier_mark",
    "frontier_mark_blocked",
    "frontier_previous_validators",
    "known_product_urls",
    "merchant_create",
    "merchant_offers_replace",
    "merchant_packages_mark_unavailable",
    "merchant_packages_upsert",
    "merchant_product_touch",
    "merchant_product_upsert",
    "merchant_save_instance",
    "merchant_update",
    "merchant_validate",
    "provenance_record",
]
