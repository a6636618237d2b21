"""Candidate generation: a union of generators, each candidate with its provenance.

For a batch of entries (a publication is thousands of lines) one SQL round trip per
entry and generator costs more than the whole scoring (docs/performance.md),
so the catalogue is loaded once per process into an in-memory index and every generator
works on the whole batch at once:

- ``alias``: the label's accepted alias (a human decision; consulted before anything);
- ``exact``: the label's token key equals a cigar's (with or without its line words);
- ``fuzzy``: rapidfuzz ``cdist`` of the label against every cigar name — the global k
  nearest *and* the k nearest within the guessed brand (brand-blocked), so that a generic
  vitola name ("Petit Coronas", in ten brands) still brings the brand's own cigars;
- ``vector``: exact cosine k-nearest by a matrix product on the cigars' vectors of the
  current model (no HNSW ``ef_search`` cap, no approximate recall loss; vectors of other
  models are never compared).

Nothing is filtered by brand: the brand is a signal (``scoring``). The index is rebuilt
when the catalogue changes (its signature is checked on every use).
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import psycopg
from django.db import connection
from django.db.models import Count, Max
from psycopg.adapt import Loader
from psycopg.pq import Format
from psycopg.types import TypeInfo
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from catalogue.models import Brand, Cigar, CigarLine, CigarPackage
from matching.analysis import (
    BrandIndex,
    CigarAnalysis,
    LabelAnalysis,
    analyse_cigar,
    drop_borrowed_readings,
)
from matching.conf import learn_confirmations
from matching.evidence import LABEL_SIDE, RECORD_SIDE, LearnedLookup
from matching.models import LearnedVocabulary, VocabularyKind, VocabularyStatus
from matching.scoring import ScoringContext
from matching.vocabulary import PRESENTATION_WORDS, build_vocabulary

METHOD_PRIORITY = ("alias", "exact", "fuzzy", "vector")
CDIST_CHUNK = 256


@dataclass
class CatalogueIndex:
    model: str
    signature: tuple
    brands: BrandIndex
    cigars: list[CigarAnalysis]
    position: dict[int, int]
    texts: list[str]
    by_key: dict[str, list[int]]
    by_brand: dict[int, np.ndarray]
    vectors: np.ndarray | None
    has_vector: np.ndarray
    created: list
    #: The catalogue's word statistics and the reviewers' vocabulary (``matching.evidence``).
    context: ScoringContext = field(default_factory=ScoringContext)

    def __len__(self) -> int:
        return len(self.cigars)


@dataclass
class Candidate:
    position: int
    methods: set[str]
    fuzzy: float
    vector: float | None

    @property
    def method(self) -> str:
        return next(m for m in METHOD_PRIORITY if m in self.methods)


class _VectorLoader(Loader):
    """pgvector's binary form (int16 dims, int16 unused, float32 big-endian values) as a
    float32 array, without building Python floats."""

    format = Format.BINARY

    def load(self, data) -> np.ndarray:
        return np.frombuffer(bytes(data), dtype=">f4", offset=4).astype(np.float32)


def load_vectors(table: str, ids_sql: str, params: list, model: str) -> dict[int, np.ndarray]:
    """``id → float32 vector`` of ``model`` from ``table``, read in binary (fast) form."""
    connection.ensure_connection()
    raw = connection.connection
    info = TypeInfo.fetch(raw, "vector")
    # Django's cursors bind client-side (text only); a plain psycopg cursor reads binary.
    with psycopg.Cursor(raw) as cursor:
        cursor.adapters.register_loader(info.oid, _VectorLoader)
        cursor.execute(
            f"SELECT id, embedding FROM {table} "  # noqa: S608 - table/ids_sql are constants
            f"WHERE embedding IS NOT NULL AND embedding_model = %s {ids_sql}",
            [model, *params],
            binary=True,
        )
        return {row[0]: row[1] for row in cursor.fetchall()}


def _signature(model: str) -> tuple:
    cigars = Cigar.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    lines = CigarLine.objects.aggregate(t=Max("updated_at"))
    brands = Brand.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    packages = CigarPackage.objects.aggregate(n=Count("id"), m=Max("id"))
    vectors = Cigar.objects.filter(embedding_model=model).count()
    learned = LearnedVocabulary.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    return (model, cigars["n"], cigars["t"], lines["t"], brands["n"], brands["t"],
            packages["n"], packages["m"], vectors, learned["n"], learned["t"])  # fmt: skip


def learned_vocabulary() -> tuple[LearnedLookup, dict[int, list[str]]]:
    """The reviewers' vocabulary in force: word lookups and learned brand spellings."""
    benign: set[tuple[int, str, str]] = set()
    separating: set[tuple[int, str, str]] = set()
    spellings: dict[int, list[str]] = defaultdict(list)
    rows = LearnedVocabulary.objects.filter(
        status__in=[VocabularyStatus.LEARNED, VocabularyStatus.SEPARATING]
    ).values_list("brand_id", "kind", "term", "status")
    sides = {VocabularyKind.LABEL_WORD: LABEL_SIDE, VocabularyKind.RECORD_WORD: RECORD_SIDE}
    for brand_id, kind, term, status in rows:
        if kind == VocabularyKind.BRAND_SPELLING:
            if status == VocabularyStatus.LEARNED:
                spellings[brand_id].append(term)
            continue
        target = benign if status == VocabularyStatus.LEARNED else separating
        target.add((brand_id, term, sides[kind]))
    brands_per_word = Counter(
        term for _brand, term, side in benign if side == LABEL_SIDE and term in PRESENTATION_WORDS
    )
    presentation = frozenset(w for w, n in brands_per_word.items() if n >= learn_confirmations())
    lookup = LearnedLookup(frozenset(benign), frozenset(separating), presentation)
    return lookup, dict(spellings)


def _build(model: str, signature: tuple) -> CatalogueIndex:
    learned, spellings = learned_vocabulary()
    brands = BrandIndex.build(
        list(Brand.objects.values_list("id", "name", "aliases")), learned=spellings
    )
    sizes: dict[int, set[int]] = defaultdict(set)
    for cigar_id, size in CigarPackage.objects.values_list("cigar_id", "pack_size"):
        sizes[cigar_id].add(size)
    rows = Cigar.objects.order_by("pk").values_list(
        "pk",
        "line__brand_id",
        "line__brand__name",
        "line__name",
        "vitola_name",
        "full_name",
        "ring_gauge",
        "length_mm",
        "created_at",
    )
    cigars: list[CigarAnalysis] = []
    created = []
    for pk, brand_id, brand, line, vitola, full_name, ring, length, created_at in rows:
        created.append(created_at)
        cigars.append(
            analyse_cigar(
                cigar_id=pk,
                brand_id=brand_id,
                brand_name=brand,
                line_name=line,
                vitola_name=vitola,
                full_name=full_name,
                ring_gauge=ring,
                length_mm=float(length) if length is not None else None,
                pack_sizes=frozenset(sizes.get(pk, ())),
                position=len(cigars),
            )
        )
    cigars = drop_borrowed_readings(cigars)
    position = {c.cigar_id: i for i, c in enumerate(cigars)}
    by_key: dict[str, list[int]] = defaultdict(list)
    brand_positions: dict[int, list[int]] = defaultdict(list)
    for i, cigar in enumerate(cigars):
        for key in {v.key(cigar.brand_tokens) for v in cigar.variants}:
            by_key[key].append(i)
        brand_positions[cigar.brand_id].append(i)

    vectors_by_id = load_vectors("cigar", "", [], model)
    has_vector = np.zeros(len(cigars), dtype=bool)
    matrix = None
    if vectors_by_id:
        dims = len(next(iter(vectors_by_id.values())))
        matrix = np.zeros((len(cigars), dims), dtype=np.float32)
        for cigar_id, vector in vectors_by_id.items():
            i = position.get(cigar_id)
            if i is not None:
                matrix[i] = vector
                has_vector[i] = True
        # Zero padding (the model has fewer dimensions than the column) costs nothing in
        # cosine but doubles the matrix product: keep only the used dimensions.
        used = np.flatnonzero(np.any(matrix != 0, axis=0))
        matrix = np.ascontiguousarray(matrix[:, : int(used.max()) + 1 if used.size else 1])
    return CatalogueIndex(
        model=model,
        signature=signature,
        brands=brands,
        cigars=cigars,
        position=position,
        texts=[c.text for c in cigars],
        by_key=dict(by_key),
        by_brand={b: np.asarray(p, dtype=np.int64) for b, p in brand_positions.items()},
        vectors=matrix,
        has_vector=has_vector,
        created=created,
        context=ScoringContext(
            vocabulary=build_vocabulary(cigars), learned=learned, cigars=tuple(cigars)
        ),
    )


_cache_lock = threading.Lock()
_cache: dict[str, CatalogueIndex] = {}


def catalogue_index(model: str) -> CatalogueIndex:
    """The index of the current catalogue (rebuilt when its signature changes)."""
    signature = _signature(model)
    with _cache_lock:
        index = _cache.get(model)
        if index is None or index.signature != signature:
            index = _build(model, signature)
            _cache[model] = index
        return index


def _top(values: np.ndarray, positions: np.ndarray | None, k: int) -> np.ndarray:
    """Positions of the k largest values (of the subset ``positions`` if given)."""
    subset = values if positions is None else values[positions]
    if subset.size == 0:
        return np.empty(0, dtype=np.int64)
    k = min(k, subset.size)
    top = np.argpartition(-subset, k - 1)[:k]
    return top if positions is None else positions[top]


def generate(
    index: CatalogueIndex,
    labels: list[LabelAnalysis],
    *,
    entry_vectors: list[np.ndarray | None],
    alias_cigars: list[int | None],
    excluded: list[set[int]],
    k: int,
    keep: int,
) -> list[list[Candidate]]:
    """Candidates of each label (best ``keep`` by a cheap pre-score, plus alias/exact)."""
    out: list[list[Candidate]] = [[] for _ in labels]
    if not len(index) or not labels:
        return out
    for start in range(0, len(labels), CDIST_CHUNK):
        chunk = labels[start : start + CDIST_CHUNK]
        queries = [label.key for label in chunk]
        fuzzy = cdist(queries, index.texts, scorer=fuzz.ratio, dtype=np.uint8, workers=-1)
        sims = None
        vec_rows = [entry_vectors[start + i] for i in range(len(chunk))]
        if index.vectors is not None and any(v is not None for v in vec_rows):
            dims = index.vectors.shape[1]
            query = np.zeros((len(chunk), dims), dtype=np.float32)
            for i, vector in enumerate(vec_rows):
                if vector is not None:
                    query[i] = vector[:dims]
            sims = query @ index.vectors.T
            sims[:, ~index.has_vector] = -1.0
        for i, label in enumerate(chunk):
            n = start + i
            found: dict[int, set[str]] = defaultdict(set)
            row = fuzzy[i].astype(np.int16)
            for p in _top(row, None, k):
                found[int(p)].add("fuzzy")
            if label.brand_id is not None and label.brand_id in index.by_brand:
                for p in _top(row, index.by_brand[label.brand_id], k):
                    found[int(p)].add("fuzzy")
            if sims is not None and vec_rows[i] is not None:
                for p in _top(sims[i], None, k):
                    found[int(p)].add("vector")
            for p in index.by_key.get(label.key, ()):
                found[p].add("exact")
            alias = alias_cigars[n]
            if alias is not None and alias in index.position:
                found[index.position[alias]].add("alias")
            for cigar_id in excluded[n]:
                found.pop(index.position.get(cigar_id, -1), None)
            positions = list(found)
            fuzzy_values = (row[positions] / 100.0).tolist()
            if sims is not None and vec_rows[i] is not None:
                with_vector = index.has_vector[positions].tolist()
                vector_values = sims[i, positions].tolist()
            else:
                with_vector = [False] * len(positions)
                vector_values = with_vector
            candidates = [
                Candidate(
                    position=p,
                    methods=found[p],
                    fuzzy=fuzzy_values[j],
                    vector=vector_values[j] if with_vector[j] else None,
                )
                for j, p in enumerate(positions)
            ]
            out[n] = _shortlist(index, label, candidates, keep)
    return out


def _shortlist(
    index: CatalogueIndex, label: LabelAnalysis, candidates: list[Candidate], keep: int
) -> list[Candidate]:
    """Keep the ``keep`` most promising by a cheap pre-score; alias and exact always stay."""

    def prescore(c: Candidate) -> float:
        vector = c.vector if c.vector is not None else c.fuzzy
        brand = 0.1 if label.brand_id == index.cigars[c.position].brand_id else 0.0
        return 0.6 * c.fuzzy + 0.4 * vector + brand

    sure = [c for c in candidates if c.methods & {"alias", "exact"}]
    others = sorted(
        (c for c in candidates if not c.methods & {"alias", "exact"}),
        key=lambda c: (-prescore(c), c.position),
    )
    return sure + others[: max(0, keep - len(sure))]
