"""Cigar search: trigram and vector k-nearest neighbours, fused by reciprocal rank.

Shared by the catalogue API, the matching engine and the merchant crawler (they import
this module; it imports nothing above the catalogue).

- ``cigar_trigram_neighbours``: ``ORDER BY search_name <-> key LIMIT k`` on the GiST
  ``gist_trgm_ops`` index. GIN cannot serve distance ordering (a sequential scan, see
  docs/performance.md); the key is ``naming.search_key`` of the query so
  that "siglo 6" meets "Siglo VI" and "no 2" meets "No.2".
- ``cigar_vector_neighbours``: ``ORDER BY embedding <=> v LIMIT k`` on the HNSW index,
  with ``hnsw.ef_search`` raised to at least k (HNSW returns at most ef_search rows) and
  restricted to vectors of the same model (vectors of two models are not comparable).
- ``cigar_word_matches``: the cigars whose normalised name holds every word of the query
  (full-text GIN index; the last word may be the start of a longer one, numbers match
  whole), by similarity.
- ``cigar_search``: both lists fused by reciprocal-rank fusion (RRF, k=60), which needs no
  calibration between a trigram similarity and a cosine distance. Its trigram side puts
  the cigars holding every query word first: in a named brand or line, then the block's
  nearest names, in one statement over a covering index (``hybrid._block_ranking``);
  over the whole catalogue, the fuzzy ranking only when there are none. Over a large
  catalogue the GiST k-nearest scan visits many lossy pages when names share most of
  their trigrams (60 ms at 100,000 cigars) while the word index answers in a few
  milliseconds; typos still find their cigar through the fuzzy side.
"""

from catalogue.search.brands import (
    brand_line_ids,
    brands_named_in,
    forget_brand_keys,
    lines_named_in,
)
from catalogue.search.hybrid import (
    RRF_K,
    SearchHit,
    cigar_search,
    query_embedding_text,
    reciprocal_rank_fusion,
)
from catalogue.search.trigram import (
    MAX_K,
    any_word_tsquery,
    cigar_trigram_neighbours,
    cigar_word_matches,
    trigram_neighbours_queryset,
    words_tsquery,
)
from catalogue.search.vectors import (
    cigar_vector_neighbours,
    embeddings_present,
    forget_embeddings_present,
    vector_neighbours_queryset,
)

__all__ = [
    "MAX_K",
    "RRF_K",
    "SearchHit",
    "any_word_tsquery",
    "brand_line_ids",
    "brands_named_in",
    "cigar_search",
    "cigar_trigram_neighbours",
    "cigar_vector_neighbours",
    "cigar_word_matches",
    "embeddings_present",
    "forget_brand_keys",
    "forget_embeddings_present",
    "lines_named_in",
    "query_embedding_text",
    "reciprocal_rank_fusion",
    "trigram_neighbours_queryset",
    "vector_neighbours_queryset",
    "words_tsquery",
]
