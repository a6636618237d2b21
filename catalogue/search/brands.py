"""Brands and lines named in a query: the blocks search narrows to."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from catalogue.models import Brand, CigarLine
from catalogue.naming import search_key


@dataclass(frozen=True)
class _BrandKeys:
    brand_id: int
    keys: list[str]  # normalised name and aliases
    lines: list[tuple[int, str]]  # (line id, normalised name), the default line left out
    line_ids: list[int]  # every line, the default one included


_brand_keys: tuple[float, list[_BrandKeys]] | None = None
_BRAND_KEYS_SECONDS = 60.0


def _brand_key_list() -> list[_BrandKeys]:
    """Normalised brand and line names, kept a minute per process: they change rarely,
    and every search reads them."""
    global _brand_keys
    now = time.monotonic()
    if _brand_keys is None or now - _brand_keys[0] > _BRAND_KEYS_SECONDS:
        lines: dict[int, list[tuple[int, str]]] = {}
        for line_id, brand_id, name in CigarLine.objects.values_list("pk", "brand_id", "name"):
            lines.setdefault(brand_id, []).append((line_id, search_key(name)))
        keys = []
        for pk, name, aliases in Brand.objects.values_list("pk", "name", "aliases"):
            names = [name, *(a for a in (aliases or []) if isinstance(a, str))]
            brand_keys = sorted({search_key(n) for n in names if search_key(n)})
            own_lines = [
                (lid, key) for lid, key in lines.get(pk, []) if key and key != search_key(name)
            ]
            all_lines = [lid for lid, _ in lines.get(pk, [])]
            keys.append(_BrandKeys(pk, brand_keys, own_lines, all_lines))
        _brand_keys = (now, keys)
    return _brand_keys[1]


def brand_line_ids(brand_ids: Sequence[int]) -> list[int]:
    """Every line of ``brand_ids`` (as this process last read them: within a minute, or
    at once after a write in this process)."""
    wanted = set(brand_ids)
    return [line_id for b in _brand_key_list() if b.brand_id in wanted for line_id in b.line_ids]


def forget_brand_keys() -> None:
    """Drop this process's brand and line keys (the services call it after a write)."""
    global _brand_keys
    _brand_keys = None


def _named(key: str, padded_query: str) -> bool:
    return f" {key} " in padded_query


def brands_named_in(query: str) -> list[int]:
    """Ids of the brands whose name (or an alias) appears as whole words in ``query``."""
    padded = f" {search_key(query)} "
    return [b.brand_id for b in _brand_key_list() if any(_named(k, padded) for k in b.keys)]


def lines_named_in(query: str, *, brand_ids: Sequence[int]) -> list[int]:
    """Ids of the lines of ``brand_ids`` whose name appears as whole words in ``query``
    ("cohiba siglo 6" → Cohiba's Siglo line); a brand's default line never counts."""
    padded = f" {search_key(query)} "
    wanted = set(brand_ids)
    return [
        line_id
        for b in _brand_key_list()
        if b.brand_id in wanted
        for line_id, key in b.lines
        if _named(key, padded)
    ]
