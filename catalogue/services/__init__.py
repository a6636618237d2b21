"""Writes to the catalogue. Views, admin, commands and tasks all call these functions.

Derived fields are never typed by hand: slugs, ``Cigar.full_name`` and
``Cigar.search_name`` are computed here, and a rename of a brand or a line rewrites its
cigars' names in the same transaction. A cigar whose name changes loses its embedding
(``cigar_embed`` recomputes the missing ones), so a vector never describes an old name.

One module per subject; everything public is importable from ``catalogue.services``.
"""

from __future__ import annotations

from catalogue.services._common import (
    BRAND_FIELDS,
    CIGAR_FIELDS,
    LINE_FIELDS,
    TASTING_NOTE_FIELDS,
)
from catalogue.services.aliases import alias_delete, alias_event_record, alias_save
from catalogue.services.brands import (
    brand_create,
    brand_delete,
    brand_get_or_create,
    brand_update,
    line_create,
    line_default,
    line_delete,
    line_get_or_create,
    line_update,
)
from catalogue.services.cigars import (
    CigarInUse,
    cigar_create,
    cigar_delete,
    cigar_references,
    cigar_set_blend,
    cigar_set_packages,
    cigar_update,
    describe_references,
)
from catalogue.services.embedding import EmbedResult, cigar_embed, cigar_embedding_text
from catalogue.services.forms import (
    brand_save_instance,
    cigar_save_instance,
    line_save_instance,
)
from catalogue.services.merge import MergeRefused, cigar_merge_catalogue_rows
from catalogue.services.notes import (
    source_record_create,
    tasting_note_create,
    tasting_note_delete,
    tasting_note_update,
)
from catalogue.services.packages import (
    PackagePrice,
    PackageUpsert,
    package_price_upsert,
    packages_relabel,
    packages_seen,
    packages_withdraw,
)

__all__ = [
    "BRAND_FIELDS",
    "CIGAR_FIELDS",
    "LINE_FIELDS",
    "TASTING_NOTE_FIELDS",
    "CigarInUse",
    "EmbedResult",
    "MergeRefused",
    "PackagePrice",
    "PackageUpsert",
    "alias_delete",
    "alias_event_record",
    "alias_save",
    "brand_create",
    "brand_delete",
    "brand_get_or_create",
    "brand_save_instance",
    "brand_update",
    "cigar_create",
    "cigar_delete",
    "cigar_embed",
    "cigar_embedding_text",
    "cigar_merge_catalogue_rows",
    "cigar_references",
    "cigar_save_instance",
    "cigar_set_blend",
    "cigar_set_packages",
    "cigar_update",
    "describe_references",
    "line_create",
    "line_default",
    "line_delete",
    "line_get_or_create",
    "line_save_instance",
    "line_update",
    "package_price_upsert",
    "packages_relabel",
    "packages_seen",
    "packages_withdraw",
    "source_record_create",
    "tasting_note_create",
    "tasting_note_delete",
    "tasting_note_update",
]
