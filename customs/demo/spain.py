# Spanish names are verbatim shapes of the list (capitals, N°, sizes, packaging words).
"""The Spanish demo publications, as data: a CMT snapshot and one BOE resolution.

Built by ``python -m customs.demo.spain`` into ``cmt-demo-peninsula.csv`` (the CMT
« Precios de labores » export for the Península e Illes Balears: ``;``-separated, cp1252,
one header line, three columns) and ``boe-demo-resolution.xml`` (a resolution of the
Comisionado para el Mercado de Tabacos in the BOE XML layout), committed next to this
module. The names are the demo catalogue's Habanos cigars written in the Spanish grammar
(brand in capitals, box count in parentheses, sizes, Latas/Mazo/Tubos/Jarra), with lines
for cigars the catalogue does not hold. See docs/spain.md.

``truth`` of a line is the ``external_id`` of the catalogue cigar it names, or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from customs.demo import DEMO_DIR
from customs.demo.spain_layouts import boe_resolution_xml, cmt_csv_bytes

CMT_FILE = "cmt-demo-peninsula.csv"
BOE_FILE = "boe-demo-resolution.xml"
CMT_ZONE = "peninsula"
H = "habanos2016:"


@dataclass(frozen=True)
class SpanishLine:
    name: str
    truth: str | None
    price: str
    surcharge: str


def _line(name: str, truth: str | None, price: str, surcharge: str) -> SpanishLine:
    return SpanishLine(name, (H + truth) if truth else None, price, surcharge)


CMT_LINES = [
    _line("BOLÍVAR Belicosos Finos (25)", "bolivar:belicosos-finos", "15,10", "15,85"),
    _line("BOLÍVAR Royal Coronas Tubos (10)", "bolivar:royal-coronas", "14,60", "15,35"),
    _line("COHIBA Robustos (25)", "cohiba:robustos", "33,00", "34,65"),
    _line("COHIBA Siglo VI (25)", "cohiba:siglo-vi", "38,50", "40,45"),
    _line("COHIBA Siglo VI Tubos (15)", "cohiba:siglo-vi", "40,00", "42,00"),
    _line("COHIBA Behike BHK 52 (10)", "cohiba:bhk-52", "72,00", "75,60"),
    _line("COHIBA Behike BHK 54 (10)", "cohiba:bhk-54", "88,00", "92,40"),
    _line("CUABA Divinos (25)", "cuaba:divinos", "8,90", "9,35"),
    _line("H. UPMANN Magnum 50 (10)", "h-upmann:magnum-50", "17,80", "18,70"),
    _line("H. UPMANN Half Corona Latas (5)", "h-upmann:half-corona", "7,10", "7,45"),
    _line(
        "HOYO DE MONTERREY Epicure N° 2 (25)", "hoyo-de-monterrey:epicure-no-2", "15,20", "16,00"
    ),
    _line(
        "HOYO DE MONTERREY Epicure N° 1 (25)", "hoyo-de-monterrey:epicure-no-1", "16,90", "17,75"
    ),
    _line("MONTECRISTO Edmundo (25)", "montecristo:edmundos", "14,90", "15,65"),
    _line("MONTECRISTO Petit Edmundo Latas (10)", "montecristo:petit-edmundo", "12,30", "12,90"),
    _line("PARTAGÁS Serie D N° 4 (25)", "partagas:serie-d-no-4", "13,50", "14,20"),
    _line("PARTAGÁS Serie D N° 4 Mazo (25)", "partagas:serie-d-no-4", "12,90", "13,55"),
    _line(
        "RAMÓN ALLONES Specially Selected (25)",
        "ramon-allones:specially-selected",
        "13,20",
        "13,85",
    ),
    _line(
        "ROMEO Y JULIETA Petit Churchills (25)", "romeo-y-julieta:petit-churchills", "9,60", "10,10"
    ),
    # Not in the catalogue (most of a real list): never accepted.
    _line("ALADINO Classic Toro 6x50 (20)", None, "12,50", "13,10"),
    _line("LA AURORA 107 Ecuador Robusto 5 1/4x54 (20)", None, "5,50", "5,80"),
    _line("FLOR DE FILIPINAS Coronitas (el envase de 5)", None, "2,25", "2,40"),
    _line("NUB Connecticut 4x60 (24)", None, "9,50", "9,95"),
    _line("VEGAFINA Robusto Jarra (25)", None, "4,60", "4,85"),
]

#: The resolution: an earlier price of a few Habanos (the snapshot above is later), a pack
#: section, pipe tobacco (never a cigar) and the Ceuta y Melilla part.
BOE_ID = "BOE-A-2026-24580"
BOE_PUBLISHED = "20261127"
BOE_PARTS = [
    (
        "la Península e Illes Balears",
        [
            (
                "A) CIGARROS Y CIGARRITOS",
                "Euros/unidad",
                [
                    (
                        "HOYO DE MONTERREY",
                        [
                            ("Hoyo de Monterrey Epicure N° 2 (25)", "14,80"),
                            ("Epicure N° 1 (25)", "16,40"),
                        ],
                    ),
                    ("COHIBA", [("Siglo VI (25)", "37,00"), ("Cohiba Robustos (25)", "32,00")]),
                    ("NUB", [("Nub Connecticut 4x60 (24)", "9,20")]),
                ],
            ),
            (
                "B) CIGARROS Y CIGARRITOS",
                "Euros/envase",
                [("FLOR DE FILIPINAS", [("Coronitas (el envase de 5)", "2,15")])],
            ),
            (
                "C) PICADURAS DE PIPA",
                "Euros/unidad",
                [("", [("Dozaj Black Atomic (50 g)", "4,95")])],
            ),
        ],
    ),
    (
        "Ceuta y Melilla",
        [
            (
                "A) CIGARROS Y CIGARRITOS",
                "Euros/unidad",
                [("HOYO DE MONTERREY", [("Epicure N° 2 (25)", "11,60")])],
            )
        ],
    ),
]


def build(directory: Path = DEMO_DIR) -> list[Path]:
    """Write both files with the layout writers the parsers are tested with."""

    cmt = directory / CMT_FILE
    cmt.write_bytes(cmt_csv_bytes((line.name, line.price, line.surcharge) for line in CMT_LINES))
    boe = directory / BOE_FILE
    boe.write_text(
        boe_resolution_xml(
            BOE_PARTS,
            boe_id=BOE_ID,
            signed="24 de noviembre de 2026",
            signed_compact="20261124",
            published=BOE_PUBLISHED,
        ),
        encoding="utf-8",
    )
    return [cmt, boe]


if __name__ == "__main__":
    for path in build():
        print(f"wrote {path} ({path.stat().st_size} bytes)")
