"""Reads of the matching app: the review queue, candidates, explanations, price history."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import numpy as np
from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.functions import Abs

from catalogue.models import Brand, Cigar, CigarPackage
from cigarspace import embeddings
from customs.models import CustomsPriceEntry
from matching.analysis import (
    BrandIndex,
    CigarAnalysis,
    LabelAnalysis,
    analyse_cigar,
    analyse_label,
)
from matching.conf import MatchingConfig, current_config
from matching.models import ACCEPTED_STATUSES, CigarCustomsMatch, MatchStatus
from matching.scoring import PairScore, ScoringContext, score_pair

# --- analysis of one entry / one pair (decisions and explanations) --------------------------


def brand_index() -> BrandIndex:
    from matching.candidates import learned_vocabulary

    _lookup, spellings = learned_vocabulary()
    return BrandIndex.build(
        list(Brand.objects.values_list("id", "name", "aliases")), learned=spellings
    )


def label_analysis(*, entry: CustomsPriceEntry, brands: BrandIndex | None = None) -> LabelAnalysis:
    from customs.selectors import source_label_grammar

    slug = entry.publication.source.slug
    grammar = source_label_grammar(slug=slug)
    return analyse_label(entry.new_label or entry.raw_label, brands or brand_index(), grammar)


def cigar_analysis(*, cigar: Cigar):
    cigar = Cigar.objects.select_related("line__brand").get(pk=cigar.pk)
    sizes = frozenset(CigarPackage.objects.filter(cigar=cigar).values_list("pack_size", flat=True))
    return analyse_cigar(
        cigar_id=cigar.pk,
        brand_id=cigar.line.brand_id,
        brand_name=cigar.line.brand.name,
        line_name=cigar.line.name,
        vitola_name=cigar.vitola_name,
        full_name=cigar.full_name,
        ring_gauge=cigar.ring_gauge,
        length_mm=float(cigar.length_mm) if cigar.length_mm is not None else None,
        pack_sizes=sizes,
    )


def _indexed_pair(
    entry: CustomsPriceEntry, cigar: Cigar
) -> tuple[LabelAnalysis, CigarAnalysis, ScoringContext]:
    """The label and the cigar read as the matcher reads them: through its catalogue index
    (the brand's word statistics and the learned vocabulary weigh the evidence)."""
    from matching.candidates import catalogue_index

    index = catalogue_index(embeddings.model_name())
    position = index.position.get(cigar.pk)
    label = label_analysis(entry=entry, brands=index.brands)
    if position is None:
        return label, cigar_analysis(cigar=cigar), index.context
    return label, index.cigars[position], index.context


def _cosine(entry: CustomsPriceEntry, cigar: Cigar) -> float | None:
    model = embeddings.model_name()
    entry_row = (
        CustomsPriceEntry.objects.filter(pk=entry.pk, embedding_model=model)
        .values_list("embedding", flat=True)
        .first()
    )
    cigar_row = (
        Cigar.objects.filter(pk=cigar.pk, embedding_model=model)
        .values_list("embedding", flat=True)
        .first()
    )
    if entry_row is None or cigar_row is None:
        return None
    a, b = np.asarray(entry_row, dtype=np.float32), np.asarray(cigar_row, dtype=np.float32)
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm else None


def pair_score(
    *, entry: CustomsPriceEntry, cigar: Cigar, config: MatchingConfig | None = None
) -> PairScore:
    """The signals and constraints of one pair, computed the way the matcher does."""
    config = config or current_config(entry.publication.source.slug)
    label, analysed, context = _indexed_pair(entry, cigar)
    return score_pair(label, analysed, vector=_cosine(entry, cigar), config=config, context=context)


# --- the review queue ------------------------------------------------------------------------


def _review_middle() -> Decimal:
    """The middle of the review band: the queue's most uncertain score."""
    config = current_config()
    return Decimal(str(round((config.accept_threshold + config.reject_threshold) / 2, 3)))


def _filter_by_publication_and_score(
    queryset: QuerySet[CigarCustomsMatch],
    *,
    source_slug: str | None,
    publication_id: int | None,
    score_min,
    score_max,
) -> QuerySet[CigarCustomsMatch]:
    """The filters the review queue and the matches list share."""
    if source_slug:
        queryset = queryset.filter(price_entry__publication__source__slug=source_slug)
    if publication_id is not None:
        queryset = queryset.filter(price_entry__publication_id=publication_id)
    if score_min is not None:
        queryset = queryset.filter(score__gte=score_min)
    if score_max is not None:
        queryset = queryset.filter(score__lte=score_max)
    return queryset


def review_queue(
    *,
    status=MatchStatus.PENDING_REVIEW,
    source_slug: str | None = None,
    publication_id: int | None = None,
    score_min=None,
    score_max=None,
    brand=None,
    change_kind: str | None = None,
    label_brand: str | None = None,
) -> QuerySet[CigarCustomsMatch]:
    """Best candidates awaiting review: most uncertain (score nearest the middle of the
    review band) first, then the most valuable (pack price)."""
    statuses = [status] if isinstance(status, str) else list(status)
    queryset = _filter_by_publication_and_score(
        CigarCustomsMatch.objects.filter(status__in=statuses, rank=1),
        source_slug=source_slug,
        publication_id=publication_id,
        score_min=score_min,
        score_max=score_max,
    )
    if brand:
        if str(brand).isdigit():
            queryset = queryset.filter(cigar__line__brand_id=int(brand))
        else:
            queryset = queryset.filter(
                Q(price_entry__brand_guess__iexact=brand)
                | Q(cigar__line__brand__name__iexact=brand)
            )
    if change_kind:
        queryset = queryset.filter(price_entry__change_kind=change_kind)
    if label_brand:
        # The brand the label names (its review group's), carried by the catalogue or not.
        queryset = queryset.filter(price_entry__review_group__brand_key=label_brand)
    return (
        queryset.select_related(
            "cigar__line__brand", "price_entry__publication__source", "decided_by"
        )
        .annotate(
            uncertainty=ExpressionWrapper(
                Abs(F("score") - Value(_review_middle())),
                output_field=DecimalField(max_digits=5, decimal_places=3),
            )
        )
        .order_by("uncertainty", F("price_entry__pack_price").desc(nulls_last=True), "pk")
    )


def _queue_key(match) -> tuple:
    price = match.price_entry.pack_price
    # Sorted like the queue: uncertainty ascending, pack price descending (missing last).
    return (match.uncertainty, price is None, -(price or 0), match.pk)


def next_in_queue(*, after: CigarCustomsMatch | None, **filters) -> CigarCustomsMatch | None:
    """The queue's next row after ``after`` (still the next one if ``after`` was decided)."""
    queue = review_queue(**filters)
    if after is None:
        return queue.first()
    after_entry = CustomsPriceEntry.objects.only("pack_price").get(pk=after.price_entry_id)
    key = (abs(Decimal(after.score) - _review_middle()), after_entry.pack_price is None,
           -(after_entry.pack_price or 0), after.pk)  # fmt: skip
    for match in queue.exclude(pk=after.pk).iterator(chunk_size=500):
        if _queue_key(match) > key:
            return match
    return None


def entry_candidates(*, entry: CustomsPriceEntry, limit: int = 4) -> list[CigarCustomsMatch]:
    """The best candidate and the next alternatives, with their signals."""
    return list(
        CigarCustomsMatch.objects.filter(price_entry_id=entry.pk)
        .select_related("cigar__line__brand", "decided_by")
        .order_by("rank", "-score", "pk")[:limit]
    )


def match_detail(*, pk: int) -> CigarCustomsMatch:
    return CigarCustomsMatch.objects.select_related(
        "cigar__line__brand", "price_entry__publication__source", "decided_by"
    ).get(pk=pk)


def match_list(
    *,
    status: str | None = None,
    source_slug: str | None = None,
    publication_id: int | None = None,
    score_min=None,
    score_max=None,
    cigar_id: int | None = None,
    entry_id: int | None = None,
    rank: int | None = None,
) -> QuerySet[CigarCustomsMatch]:
    queryset = _filter_by_publication_and_score(
        CigarCustomsMatch.objects.select_related("cigar", "price_entry__publication__source"),
        source_slug=source_slug,
        publication_id=publication_id,
        score_min=score_min,
        score_max=score_max,
    )
    if status:
        queryset = queryset.filter(status=status)
    if cigar_id is not None:
        queryset = queryset.filter(cigar_id=cigar_id)
    if entry_id is not None:
        queryset = queryset.filter(price_entry_id=entry_id)
    if rank is not None:
        queryset = queryset.filter(rank=rank)
    return queryset.order_by("price_entry_id", "rank", "pk")


def match_explanation(*, match: CigarCustomsMatch) -> dict:
    """Per-signal contributions (weight x value), penalties of the hard constraints hit,
    matched and unmatched label tokens, and the parsed-field differences."""
    entry = match.price_entry
    config = current_config(entry.publication.source.slug)
    label, cigar, context = _indexed_pair(entry, match.cigar)
    stored_vector = (match.signals or {}).get("vector")
    pair = score_pair(label, cigar, vector=stored_vector, config=config, context=context)
    contributions = pair.contributions(config.weights)
    available = sum(w for n, w in config.weights.items() if pair.signals.get(n) is not None) or 1
    return {
        "score": float(match.score),
        "recomputed_score": pair.score,
        "status": match.status,
        "thresholds": {"accept": config.accept_threshold, "reject": config.reject_threshold},
        "signals": [
            {
                "signal": name,
                "value": pair.signals.get(name),
                "weight": round(weight / available, 4) if pair.signals.get(name) is not None else 0,
                "contribution": round(contributions.get(name, 0.0), 4),
            }
            for name, weight in config.weights.items()
        ],
        "penalties": [{"constraint": n, "amount": round(a, 3)} for n, a in pair.penalties.items()],
        "constraints": pair.constraints,
        # Which one-sided words were conflicts, which nothing explained, which were learned.
        "evidence": pair.evidence.as_dict(),
        "auto_acceptable": pair.auto_acceptable,
        "tokens": {
            "matched": pair.matched,
            "typos": [list(t) for t in pair.typos],
            "label_only": pair.label_only,
            "cigar_only": pair.cigar_only,
        },
        "parsed": {
            "label_name": label.parsed.name,
            "brand_guess": label.brand_name,
            "pack_size": entry.pack_size,
            "cigar_pack_sizes": sorted(cigar.pack_sizes),
            "editions": list(label.parsed.editions),
            "label_ring_gauge": label.ring_gauge,
            "cigar_ring_gauge": cigar.ring_gauge,
            "label_length_mm": label.length_mm,
            "cigar_length_mm": cigar.length_mm,
        },
    }


# --- price history ---------------------------------------------------------------------------


def cigar_price_history(*, cigar: Cigar) -> list[dict]:
    """The cigar's official prices grouped by country, source, zone and pack size, each
    series ordered by effective date.

    Built from accepted matches (automatic or human) joined with their entries and
    publications; withdrawn lines are included and flagged. A series of a source whose
    terms ask for a citation carries it, dated by the series' latest data.
    """
    from customs.sources import citation_for

    rows = (
        CigarCustomsMatch.objects.filter(cigar_id=cigar.pk, status__in=ACCEPTED_STATUSES)
        .select_related("price_entry__publication__source")
        .order_by("price_entry__publication__effective_date", "price_entry_id")
    )
    groups: dict[tuple, dict] = {}
    points: dict[tuple, list] = defaultdict(list)
    for match in rows:
        entry = match.price_entry
        publication = entry.publication
        source = publication.source
        key = (source.country, source.slug, entry.zone, entry.pack_size)
        groups.setdefault(
            key,
            {
                "country": source.country,
                "source": source.slug,
                "zone": entry.zone,
                "pack_size": entry.pack_size,
                "packaging": entry.packaging,
                "currency": entry.currency_code,
                "citation": source.citation,
            },
        )
        points[key].append(
            {
                "effective_date": publication.effective_date,
                "publication_id": publication.pk,
                "publication_external_id": publication.external_id,
                "entry_id": entry.pk,
                "label": entry.new_label or entry.raw_label,
                "unit_price": entry.unit_price,
                "pack_price": entry.pack_price,
                "surcharge_unit_price": entry.surcharge_unit_price,
                "surcharge_pack_price": entry.surcharge_pack_price,
                "is_withdrawn": entry.is_withdrawn,
                "match_id": match.pk,
                "status": match.status,
            }
        )
    far = dt.date.max
    history = []
    for key in sorted(groups, key=lambda k: (*k[:3], k[3] if k[3] is not None else 0)):
        ordered = sorted(points[key], key=lambda p: (p["effective_date"] or far, p["entry_id"]))
        dates = [p["effective_date"] for p in ordered if p["effective_date"]]
        group = groups[key]
        group["citation"] = citation_for(group["citation"], max(dates, default=None))
        history.append({**group, "prices": ordered})
    return history


# --- what the matcher knows of a source and what it learned --------------------------------


def source_thresholds(*, source_slug: str) -> dict:
    """The thresholds in force for a source and where they come from (settings, the review
    budget of its first large edition, or decisions)."""
    config = current_config(source_slug)
    return {
        "method": config.method,
        "accept": config.accept_threshold,
        "review_floor": config.reject_threshold,
        "review_budget": config.review_budget,
    }


def vocabulary_summary(*, examples: int = 5) -> dict:
    """Learned vocabulary by status, with the most confirmed learned terms."""
    from django.db.models import Count

    from matching.models import LearnedVocabulary, VocabularyStatus

    counts = dict(
        LearnedVocabulary.objects.values_list("status").annotate(n=Count("pk")).order_by()
    )
    top = (
        LearnedVocabulary.objects.filter(status=VocabularyStatus.LEARNED)
        .select_related("brand")
        .order_by("-confirmations", "term")[:examples]
    )
    return {
        "counts": {status: counts.get(status, 0) for status in VocabularyStatus.values},
        "learned": [f"{row.brand.name}: {row.term}" for row in top],
    }
