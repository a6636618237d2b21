"""Related rows read as JSON arrays inside the parent's query, then made model instances.

``prefetch_related`` spends one query per relation, and at the API's rates each costs more
in Python (compiling the SQL, building the queryset) than in PostgreSQL. A correlated
subquery ``(SELECT json_agg(row_to_json(t) ORDER BY …) FROM t WHERE t.fk = parent.id)``
returns the same rows inside the parent's own statement; ``instances_from_json`` turns them
back into model instances exactly as the ORM would have loaded them (the fields' own
``to_python``: ISO datetimes become aware datetimes, numbers become ``Decimal`` without a
detour through ``float``), and ``set_prefetched`` files them where ``parent.relation.all()``
finds them, so serializers and templates cannot tell the difference.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from psycopg.types.json import JsonLoader

M = TypeVar("M", bound=Model)


class _ExactJsonLoader(JsonLoader):
    # JSON numbers as Decimal: prices and lengths are decimals, and a float would round.
    _loads = partial(json.loads, parse_float=Decimal)


@contextmanager
def json_cursor(using: str = DEFAULT_DB_ALIAS) -> Iterator[Any]:
    """A cursor whose ``json`` values (``json_agg`` results) arrive parsed, numbers exact.

    ``jsonb`` columns keep Django's loader (text, parsed by ``JSONField.from_db_value``).
    """
    with connections[using].cursor() as cursor:
        cursor.cursor.adapters.register_loader("json", _ExactJsonLoader)
        yield cursor


def json_rows_subquery(model: type[Model], *, alias: str, where: str, order_by: str) -> str:
    """``(SELECT json_agg(row_to_json(alias) ORDER BY order_by) FROM table alias WHERE …)``,
    an empty array when there is no row. Identifiers come from the model, never from input."""
    table = connections[DEFAULT_DB_ALIAS].ops.quote_name(model._meta.db_table)
    return (
        f"(SELECT COALESCE(json_agg(row_to_json({alias}) ORDER BY {order_by}), '[]'::json) "  # noqa: S608
        f"FROM {table} {alias} WHERE {where})"
    )


def instance_from_json(
    model: type[M], row: Mapping[str, Any], *, using: str = DEFAULT_DB_ALIAS
) -> M:
    """A model instance from ``row_to_json`` output (keys are column names)."""
    fields = model._meta.concrete_fields
    values = [field.to_python(row[field.column]) for field in fields]
    return model.from_db(using, [field.attname for field in fields], values)


def instance_from_values(
    model: type[M], values: Mapping[str, Any], *, using: str = DEFAULT_DB_ALIAS
) -> M:
    """A model instance loaded with some fields (by attribute name; the others deferred).

    ``Model.from_db`` maps values to fields by position in the model's field order;
    this takes any order."""
    fields = [f for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(using, [f.attname for f in fields], [values[f.attname] for f in fields])


def instances_from_json(
    model: type[M], rows: Iterable[Mapping[str, Any]], *, using: str = DEFAULT_DB_ALIAS
) -> list[M]:
    return [instance_from_json(model, row, using=using) for row in rows]


def set_prefetched(instance: Model, relation: str, related: Sequence[Model]) -> None:
    """Make ``instance.<relation>.all()`` return ``related`` without a query, as
    ``prefetch_related`` would (the reverse foreign key's cache on each child too)."""
    manager = getattr(instance, relation)
    queryset = manager.get_queryset()
    queryset._result_cache = related
    queryset._prefetch_done = True
    foreign_key = manager.field  # the child's foreign key to ``instance``
    for child in related:
        foreign_key.set_cached_value(child, instance)
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[foreign_key.remote_field.cache_name] = queryset
