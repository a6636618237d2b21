"""The two demo DGDDI editions: what ``make demo`` ingests, built from the data files in
``customs/demo/data/``.

Built by ``python -m customs.demo.build`` into ``maquette-demo-2026-06.ods`` and
``maquette-demo-2026-11.ods`` (committed next to this module) in the real « Maquette JORF »
layout (docs/publication-formats.md §1). Edition A (June 2026) holds supplier labels for
cigars of the Habanos demo catalogue with every quirk the real files show, many more lines
for cigars the catalogue does not hold (most of a real list), and cigarette, heated and
rolling-tobacco sections that must never become cigars. Edition B (November 2026) changes
prices, renames, withdraws and adds lines, so that the diff and the label memory
(aliases made from the operator's decisions on edition A) can be seen.

The data (``data/*.csv``, UTF-8, one row per line; an empty price cell means the sheet
prints none; ``|`` separates the items of a list cell):

- ``edition-a-habanos.csv``: the Habanos importer's lines (label, catalogue cigar, unit and
  pack price), verbatim shapes included (en dashes, double spaces, typos are the point);
- ``other-makers.csv``: cigars the catalogue does not hold, per maker block: the brand, its
  vitolas, a typical unit price and the pack sizes cycled through (prices are derived
  deterministically per label);
- ``edition-a-other-quirks.csv``: quirky labels of cigars the catalogue does not hold;
- ``cigarettes.csv``, ``heated.csv``, ``rolling.csv``: the sections that are never cigars;
- ``edition-b-renames.csv``, ``edition-b-withdrawn.csv``, ``edition-b-new-habanos.csv``,
  ``edition-b-new-others.csv``: what edition B changes;
- ``reviewed-in-demo.csv``: what the demo operator settles in edition A
  (``demo.setup.demo_review``): misses re-pointed to the true cigar, and labels marked
  "not in the catalogue"; edition B shows them coming back as aliases.

``truth`` of a cigar line is the ``external_id`` of the catalogue cigar it names, or
``None`` when the catalogue does not hold it: the demo's scripted reviewer uses it, and
so can quality checks.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

SC = "Sans changement"
RETRAIT = "Retrait"

EDITION_A_LINE = "Arrêté du 24 avril 2026, applicable au 1er juin 2026"
EDITION_B_LINE = "Arrêté du 29 septembre 2026, applicable au 1er novembre 2026"
EDITION_A_FILE = "maquette-demo-2026-06.ods"
EDITION_B_FILE = "maquette-demo-2026-11.ods"

H = "habanos2016:"  # the prefix of the demo catalogue's external ids


@dataclass(frozen=True)
class Line:
    """One cigar line of edition A: label, the cigar it names, unit and pack prices.

    ``unit`` None: the sheet prints only the pack price (the unit is computed);
    ``pack`` None: only a unit price (no pack in the label).
    """

    label: str
    truth: str | None
    unit: str | None
    pack: str | None


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _optional(text: str) -> str | None:
    return text or None


def _items(text: str) -> list[str]:
    return text.split("|")


def _cigar_line(row: dict[str, str]) -> Line:
    truth = row.get("truth", "")
    return Line(
        row["label"], (H + truth) if truth else None, _optional(row["unit"]), _optional(row["pack"])
    )


HABANOS = [_cigar_line(row) for row in _rows("edition-a-habanos.csv")]
REVIEWED_IN_DEMO = frozenset(row["label"] for row in _rows("reviewed-in-demo.csv"))
# (maker block, brand, vitolas, typical unit price, pack sizes cycled through)
OTHER_MAKERS = [
    (
        row["maker"],
        row["brand"],
        _items(row["vitolas"]),
        row["unit"],
        [int(size) for size in _items(row["pack_sizes"])],
    )
    for row in _rows("other-makers.csv")
]
OTHER_QUIRKS = [_cigar_line(row) for row in _rows("edition-a-other-quirks.csv")]
CIGARETTES = [(r["maker"], _items(r["names"]), r["price"]) for r in _rows("cigarettes.csv")]
HEATED = [(r["maker"], _items(r["names"]), r["price"]) for r in _rows("heated.csv")]
ROLLING = [
    (r["maker"], _items(r["names"]), r["price"], int(r["grams"])) for r in _rows("rolling.csv")
]
# Edition B: renamed by the supplier (column 1) with the new prices, withdrawn, and new
# (column 1 only, no old prices).
RENAMES = {
    row["label"]: (
        row["new_label"],
        _optional(row["truth"]),
        _optional(row["unit"]),
        _optional(row["pack"]),
    )
    for row in _rows("edition-b-renames.csv")
}
WITHDRAWN = {row["label"] for row in _rows("edition-b-withdrawn.csv")}
# Printed wrong in edition B: the pack price written in the unit column (the unit price
# x10 for a box of 10). The price watch holds such a change until an operator decides.
PACK_PRICE_IN_UNIT_COLUMN = {"Guantanamera Decimos, en 10 cigares"}
NEW_HABANOS = [_cigar_line(row) for row in _rows("edition-b-new-habanos.csv")]
NEW_OTHERS = [(row["maker"], _cigar_line(row)) for row in _rows("edition-b-new-others.csv")]

HEADER_ROWS = [
    ["DÉSIGNATION DES PRODUITS", None, "PRIX DE VENTE", None, None, None],
    [None, None, "Anciens prix", None, "Nouveaux prix", None],
    [
        "RÉFÉRENCE ACTUELLE",
        "NOUVEAU LIBELLÉ",
        "A l'unité",
        "Au conditionnement",
        "A l'unité",
        "Au conditionnement",
    ],
]


def _stable(text: str) -> int:
    """A deterministic number per label (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big")


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _other_lines() -> list[tuple[str, Line]]:
    """(maker, line) for every catalogued-elsewhere cigar, with deterministic prices."""
    lines = []
    for maker, brand, vitolas, base, sizes in OTHER_MAKERS:
        for position, vitola in enumerate(vitolas):
            size = sizes[position % len(sizes)]
            label = f"{brand} {vitola}, en {size} cigares"
            step = Decimal(_stable(label) % 40) / Decimal(10)  # 0.0 to 3.9
            unit = _money(Decimal(base) + step)
            lines.append((maker, Line(label, None, str(unit), str(_money(unit * size)))))
    return lines


OTHERS = _other_lines()


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text.replace(" ", "").replace(",", "."))


def _cell(text: str | None, original: str | None):
    """A price cell: the literal text where the data spells it (``1 234,50``), else a
    number."""
    if text is None:
        return None
    if original is not None and ("," in original or " " in original):
        return original
    return float(_dec(text))


def _older(value: str | None, label: str) -> str | None:
    """The previous edition's price: 0 to 6 % lower, deterministically per label."""
    if value is None:
        return None
    drop = Decimal(100 - _stable(label) % 7) / Decimal(100)
    return str(_money(_dec(value) * drop))


def _edition_a_row(line: Line) -> list:
    """Edition A: a quarter of lines unchanged (``Sans changement``), the rest repriced."""
    kind = _stable(line.label) % 8
    if kind in (0, 1):
        # Unchanged since the previous edition: old prices printed, new cells say so;
        # once in a while only in the pack column (the new unit cell left empty).
        new_unit = None if kind == 1 and line.pack else (SC if line.unit else None)
        new_pack = SC if line.pack else None
        return [
            line.label,
            None,
            _cell(line.unit, line.unit),
            _cell(line.pack, line.pack),
            new_unit,
            new_pack,
        ]
    return [
        line.label,
        None,
        _cell(_older(line.unit, line.label), None),
        _cell(_older(line.pack, line.label), None),
        _cell(line.unit, line.unit),
        _cell(line.pack, line.pack),
    ]


def _increase(value: str | None, label: str) -> str | None:
    if value is None:
        return None
    rise = Decimal(102 + _stable("B" + label) % 5) / Decimal(100)
    return str(_money(_dec(value) * rise))


def _edition_b_row(line: Line) -> list:
    """Edition B from edition A's prices: renamed, withdrawn, repriced or unchanged."""
    old_unit, old_pack = _cell(line.unit, line.unit), _cell(line.pack, line.pack)
    if line.label in WITHDRAWN:
        return [line.label, None, old_unit, old_pack, RETRAIT if line.unit else None, RETRAIT]
    if line.label in RENAMES:
        new_label, _truth, unit, pack = RENAMES[line.label]
        return [line.label, new_label, old_unit, old_pack, _cell(unit, None), _cell(pack, None)]
    if line.label in PACK_PRICE_IN_UNIT_COLUMN:
        return [line.label, None, old_unit, old_pack, _cell(line.pack, None), old_pack]
    if _stable("B" + line.label) % 3 == 0:
        return [
            line.label,
            None,
            old_unit,
            old_pack,
            _cell(_increase(line.unit, line.label), None),
            _cell(_increase(line.pack, line.label), None),
        ]
    return [
        line.label,
        None,
        old_unit,
        old_pack,
        SC if line.unit else None,
        SC if line.pack else None,
    ]


def _new_row(line: Line) -> list:
    return [None, line.label, None, None, _cell(line.unit, line.unit), _cell(line.pack, line.pack)]


def _tobacco_sections(edition: str) -> tuple[list[list], list[list]]:
    """Cigarettes and heated tobacco (before the cigars), rolling tobacco (after)."""
    before: list[list] = [["Cigarettes"]]
    for maker, names, base in CIGARETTES:
        before.append([f"FABRICANT : {maker}"])
        for name in names:
            label = f"{name}, en 20 cigarettes"
            price = _money(Decimal(base) + Decimal(_stable(label) % 9) / Decimal(10))
            new = SC if edition == "A" else float(_money(price + Decimal("0.50")))
            before.append([label, None, float(price), float(price), new, new])
    before.append(["Autres tabacs à fumer ou à inhaler après avoir été chauffés"])
    for maker, names, base in HEATED:
        before.append([f"FABRICANT : {maker}"])
        for name in names:
            price = float(Decimal(base))
            before.append([f"{name}, en 20 unités", None, price, price, SC, SC])
    after: list[list] = [["Tabacs fine coupe destinés à rouler les cigarettes"]]
    for maker, names, base, grams in ROLLING:
        after.append([f"FABRICANT : {maker}"])
        for name in names:
            price = float(Decimal(base))
            new = SC if edition == "A" else float(_money(Decimal(base) * Decimal("1.03")))
            after.append([f"{name}, en {grams} g", None, price, price, new, new])
    return before, after


def _cigar_section(rows_for, *, extra_habanos=(), extra_others=()) -> list[list]:
    rows: list[list] = [["FOURNISSEUR : LOGISTA France n°01"], ["Cigares et cigarillos"]]
    maker = None
    for line_maker, line in [*OTHERS, *extra_others]:
        if line_maker != maker:
            rows.append([f"FABRICANT : {line_maker}"])
            maker = line_maker
        rows.append(rows_for(line))
    rows.append(["FABRICANT : DIVERS LOGISTA"])
    rows.extend(rows_for(line) for line in OTHER_QUIRKS)
    rows.append(["FOURNISSEUR : COPROVA n°16"])
    rows.extend(rows_for(line) for line in HABANOS)
    rows.extend(_new_row(line) for line in extra_habanos)
    return rows


def edition_rows(edition: str) -> list[list]:
    """Every row of the sheet of edition ``"A"`` or ``"B"``, in the real layout."""
    if edition == "A":
        line, cigars = EDITION_A_LINE, _cigar_section(_edition_a_row)
    elif edition == "B":
        line = EDITION_B_LINE
        cigars = _cigar_section(_edition_b_row, extra_habanos=NEW_HABANOS)
        cigars += [["FOURNISSEUR : LOGISTA France n°01"], ["FABRICANT : DIVERS LOGISTA"]]
        cigars += [_new_row(other) for _maker, other in NEW_OTHERS]
    else:
        raise ValueError(f"Unknown demo edition {edition!r}.")
    before, after = _tobacco_sections(edition)
    return [
        [line],
        [],
        *HEADER_ROWS,
        ["FOURNISSEUR : LOGISTA France n°01"],
        *before,
        *cigars,
        ["FOURNISSEUR : LOGISTA France n°01"],
        *after,
    ]


def label_key(label: str) -> str:
    """Labels are stored with runs of spaces collapsed: compare them that way."""
    return " ".join(label.split())


def truth_by_label() -> dict[str, str | None]:
    """Every cigar label of both editions (by ``label_key``) → the catalogue cigar it
    names, or None."""
    truth: dict[str, str | None] = {}
    for line in [*HABANOS, *OTHER_QUIRKS, *NEW_HABANOS]:
        truth[label_key(line.label)] = line.truth
    for _maker, line in [*OTHERS, *NEW_OTHERS]:
        truth[label_key(line.label)] = None
    for new_label, truth_id, _unit, _pack in RENAMES.values():
        truth[label_key(new_label)] = (H + truth_id) if truth_id else None
    return truth
