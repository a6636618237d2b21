"""The canonical catalogue: brand → line → cigar, with blend, packages, notes, media.

Names and slugs that derive from others (``Cigar.full_name``, every slug) are kept by
``catalogue.services``; nothing here computes them, so that a rename can update every
dependent row inside one transaction.

One module per subject; everything is importable from ``catalogue.models``:
``cigars`` (brands, lines, cigars, blend, packages, tasting notes), ``sources``
(provenance), ``aliases`` (the label memory and its audit), ``media`` (pictures).
"""

from catalogue.models.aliases import AliasAction, AliasKind, CigarAlias, CigarAliasEvent
from catalogue.models.cigars import (
    CIGAR_SUMMARY_COLUMNS,
    BlendComponent,
    BlendRole,
    Brand,
    Cigar,
    CigarLine,
    CigarPackage,
    Packaging,
    Strength,
    TastingNote,
)
from catalogue.models.media import AssetType, MediaAsset
from catalogue.models.sources import SourceRecord

__all__ = [
    "CIGAR_SUMMARY_COLUMNS",
    "AliasAction",
    "AliasKind",
    "AssetType",
    "BlendComponent",
    "BlendRole",
    "Brand",
    "Cigar",
    "CigarAlias",
    "CigarAliasEvent",
    "CigarLine",
    "CigarPackage",
    "MediaAsset",
    "Packaging",
    "SourceRecord",
    "Strength",
    "TastingNote",
]
