"""The review queue's query parameters, shared by the changelist and the review pages.

The review pages carry the changelist's filters along, so that "next" stays within the
reviewer's filtered queue; both sides translate them with ``queue_filters`` into the
keyword arguments of ``matching.selectors.review_queue`` / ``next_in_queue``.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qsl, urlencode

from customs.models import ChangeKind
from matching.models import MatchStatus

ALL = "all"
QUEUE_PARAMS = ("status", "source", "publication", "band", "brand", "change_kind", "label_brand")
SCORE_BANDS = {
    "lt50": ("below 0.50", None, Decimal("0.499")),
    "50-60": ("0.50 to 0.59", Decimal("0.500"), Decimal("0.599")),
    "60-70": ("0.60 to 0.69", Decimal("0.600"), Decimal("0.699")),
    "70-80": ("0.70 to 0.79", Decimal("0.700"), Decimal("0.799")),
    "80-90": ("0.80 to 0.89", Decimal("0.800"), Decimal("0.899")),
    "90+": ("0.90 and above", Decimal("0.900"), None),
}

# The selector's filters as ORM lookups on the changelist's queryset (same semantics).
ORM_LOOKUPS = {
    "source_slug": "price_entry__publication__source__slug",
    "publication_id": "price_entry__publication_id",
    "score_min": "score__gte",
    "score_max": "score__lte",
    "brand": "cigar__line__brand_id",
    "change_kind": "price_entry__change_kind",
    # The brand the label names (``matching.services.groups.brand_identity``), which may be
    # one the catalogue does not carry: "review this brand".
    "label_brand": "price_entry__review_group__brand_key",
}


def queue_filters(params) -> dict:
    """``review_queue`` / ``next_in_queue`` keyword arguments from the queue's parameters.

    Unknown or malformed values are ignored (a hand-edited URL falls back to the default
    queue rather than failing).
    """
    filters: dict = {}
    status = params.get("status") or MatchStatus.PENDING_REVIEW
    if status == ALL:
        filters["status"] = list(MatchStatus.values)
    elif status in MatchStatus.values:
        filters["status"] = status
    else:
        filters["status"] = MatchStatus.PENDING_REVIEW
    if params.get("source"):
        filters["source_slug"] = params["source"]
    if str(params.get("publication") or "").isdigit():
        filters["publication_id"] = int(params["publication"])
    band = SCORE_BANDS.get(params.get("band") or "")
    if band is not None:
        filters["score_min"], filters["score_max"] = band[1], band[2]
    if str(params.get("brand") or "").isdigit():
        filters["brand"] = params["brand"]
    if params.get("change_kind") in ChangeKind.values:
        filters["change_kind"] = params["change_kind"]
    label_brand = str(params.get("label_brand") or "")
    if label_brand and len(label_brand) <= 120:
        filters["label_brand"] = label_brand
    return filters


def queue_querystring(params) -> str:
    """The queue parameters of ``params`` as a query string (empty if none)."""
    kept = [(name, params[name]) for name in QUEUE_PARAMS if params.get(name)]
    return urlencode(kept)


def filters_from_querystring(query: str) -> dict:
    return queue_filters(dict(parse_qsl(query)))
