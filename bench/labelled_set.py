"""A labelled set of price-list labels built from the Habanos demo catalogue.

Labels are written the way suppliers write them in the DGDDI sheets
(docs/publication-formats.md): case and accents at random, ``N° 2`` / ``n°2`` / ``No. 2`` /
``Nº 2`` / ``#2``, typos, the line left out, packaging in parentheses, pack clauses with
their variants (``en 25 cigares``, ``en 10 ciagres``, ``en 5 boîtes de 5 cigares``,
``, 3 cigares``), dimension hints, several presentations of one cigar.

About four labels in five name cigars that are NOT in the catalogue but share a brand
with it, as in the real list: real Habanos vitolas missing from the 2016 demo catalogue,
editions (Edición Limitada, Gran Reserva, Año del…), a catalogue name plus a
distinguishing word (Maduro, Double, Petit, Wide…), siblings with another number or Roman
numeral (Siglo VII, BHK 58, No.6), vitolas of one brand under another; plus a few
brands the catalogue does not hold at all.

Some labels use supplier shorthand (``SHORTHANDS``): "Partagás P2" for Serie P No.2,
"Cohiba Behike 56" for Behike BHK 56, "Monte Cristo", "San Cristóbal de La Habana" — on
catalogue cigars (kind ``shorthand``) and on their siblings the catalogue lacks
("Partagás P1", "Cohiba Behike 58"), which must not be accepted.

Pure Python (no database): the benchmark and the tests both use it.
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from catalogue.naming import cigar_full_name

ROOT = Path(__file__).resolve().parents[1]
HABANOS_CSV = ROOT / "catalogue" / "fixtures" / "habanos-2016.csv"


@dataclass(frozen=True)
class CatalogueCigar:
    external_id: str
    brand: str
    line: str
    name: str
    ring_gauge: int | None
    length_mm: float | None

    @property
    def full_name(self) -> str:
        return cigar_full_name(brand=self.brand, line=self.line or self.brand, vitola=self.name)


@dataclass(frozen=True)
class LabelCase:
    label: str
    #: The catalogue cigar the label names, or None when the catalogue does not hold it.
    expected: str | None
    kind: str


def read_catalogue(path: Path = HABANOS_CSV) -> list[CatalogueCigar]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        out.append(
            CatalogueCigar(
                external_id=row["external_id"],
                brand=row["brand"],
                line=row["line"],
                name=row["name"],
                ring_gauge=int(row["ring_gauge"]) if row["ring_gauge"] else None,
                length_mm=float(row["length_mm"]) if row["length_mm"] else None,
            )
        )
    return out


# Real Habanos vitolas (current or past) that the 2016 demo catalogue does not hold.
NOT_IN_CATALOGUE = {
    "Cohiba": [
        "Talisman",
        "Medio Siglo",
        "Siglo de Oro",
        "Majestuosos 1966",
        "Behike BHK 58",
        "Novedosos",
        "Short",
        "Club",
        "Mini",
        "Pirámides",
        "Ambar",
        "Sublimes",
        "Robustos Supremos",
        "Maduro 5 Mágicos Tubos",
        "Lanceros Gran Reserva",
        "55 Aniversario",
        "Vistosos",
        "Esplendidos Reserva",
        "Corona Especial Tubos",
        "Coronas",
        "Genios Extra",
    ],
    "Montecristo": [
        "Open Eagle",
        "Open Master",
        "Open Regata",
        "Open Junior",
        "Línea 1935 Leyenda",
        "Línea 1935 Maltés",
        "Línea 1935 Dumas",
        "Supremos",
        "Grand Edmundo",
        "Churchill Añejados",
        "Sublimes",
        "Brillantes",
        "Wide Edmundo",
        "Petit Tubos Maduro",
        "Montecristo No.6",
        "Montecristo 520",
        "Montecristo 80 Aniversario",
        "Club",
        "Mini",
        "Puritos",
        "Dantès",
    ],
    "Partagás": [
        "Serie D No.3",
        "Serie D No.1",
        "Serie E No.1",
        "Serie P No.1",
        "Maduro No.1",
        "Maduro No.2",
        "Maduro No.3",
        "Linea Maestra Maestro",
        "Linea Maestra Origen",
        "Linea Maestra Sublime",
        "Lusitanias Gran Reserva",
        "Serie No.1",
        "Serie No.2",
        "Club",
        "Mini",
        "Puritos",
        "Short",
        "Capitols",
        "Legado",
        "Serie C No.3",
    ],
    "Romeo y Julieta": [
        "Wide Churchills Reserva",
        "Romeo No.4",
        "Short Churchills Tubos",
        "Petit Royales",
        "Club",
        "Mini",
        "Puritos",
        "Churchills Gran Reserva",
        "Hermosos No.1",
        "Capuletos",
        "Tacos",
        "Duke",
        "Escudos",
        "Nobles",
        "Linea de Oro Hidalgos",
        "Linea de Oro Dianas",
        "Linea de Oro Nobles",
        "Reales",
        "Cedros de Luxe No.4",
        "Exhibición No.2",
    ],
    "H. Upmann": [
        "Magnum 54",
        "Magnum 56",
        "Connoisseur A",
        "Connoisseur B",
        "Connoisseur No.2",
        "Royal Robusto",
        "Noellas",
        "Sir Winston Gran Reserva",
        "Half Corona Tubos",
        "Robustos Añejados",
        "Club",
        "Mini",
        "Petit Upmann",
        "Propios",
        "Upmann No.3",
    ],
    "Hoyo de Monterrey": [
        "Epicure No.3",
        "Epicure De Luxe",
        "Le Hoyo de Rio Seco",
        "Le Hoyo du Dauphin",
        "Short Hoyo Piramides",
        "Hoyo de San Juan Gran Reserva",
        "Escogidos",
        "Destinos",
        "Grand Epicure",
        "Petit Robustos Tubos",
        "Club",
        "Mini",
        "Double Coronas Reserva",
    ],
    "Trinidad": [
        "Topes",
        "Media Luna",
        "Esmeralda",
        "Robusto Extra",
        "Ingenios",
        "Casilda",
        "Shorts",
        "Vigia Tubos",
        "Fundadores Reserva",
        "Coloniales Tubos",
        "Club",
        "Mini",
    ],
    "Bolívar": [
        "Belicosos Finos Reserva",
        "Royal Coronas Tubos",
        "Soberano",
        "Regentes",
        "Libertador",
        "Gold Medal",
        "Super Coronas",
        "Short Bolivar",
        "Club",
        "Mini",
        "Coronas Extra",
    ],
    "Punch": [
        "Punch Punch Tubos",
        "Short de Punch",
        "Triunfos",
        "Serie d'Oro No.2",
        "Regios de Punch",
        "Royal Selection No.11",
        "Coronations Tubos",
        "Club",
        "Mini",
        "Double Coronas Reserva",
    ],
    "Ramón Allones": [
        "Allones Extra",
        "Allones Superiores",
        "Club Allones",
        "Dream",
        "Gigantes Reserva",
        "No.2",
        "Absolutos",
    ],
    "Vegas Robaina": [
        "Clasicos",
        "Familiar",
        "Don Alejandro Reserva",
        "Famosos Tubos",
        "Maestros",
    ],
    "Quai d'Orsay": ["No.50", "No.54", "Senadores", "Secreto Cubano", "Gran Coronas"],
    "San Cristóbal": ["Mercaderes", "Prado", "O'Reilly", "Torre del Oro", "Oficios"],
    "Cuaba": ["Pirámides", "Diademas", "Generosos", "Tradicionales", "Bariay"],
    "Juan López": ["Selección No.3", "Selección Suprema", "Obus"],
    "Sancho Panza": ["Molinos", "Sanchos", "Quijote", "Coronas Gigantes"],
    "Por Larrañaga": ["Galanes", "Robustos de Larrañaga", "Valiosos", "Magnificos"],
    "Saint Luis Rey": ["Serie A Tubos", "Churchill", "Coronas", "Prominentes"],
    "Quintero": ["Favoritos Tubos", "Brevas Extra", "Club", "Mini"],
    "José L. Piedra": ["Superiores", "Ovalados", "Petit Conservas"],
    "Fonseca": ["No.1", "Cosacos Extra", "KDT Cadetes Tubos"],
    "El Rey del Mundo": ["Choix Supreme Tubos", "Gran Coronas", "Petit Coronas"],
    "Rafael González": ["Coronas Extra", "Slenderella", "Petit Lonsdales"],
    "Diplomáticos": ["Diplomáticos No.1", "Diplomáticos No.4", "Diplomáticos No.5", "Rolando"],
    "Guantanamera": ["Coronas", "Cristales Tubos", "Mini"],
    "Vegueros": ["Centrofinos", "Mañanitas Tubos", "Especiales No.2", "Seoane"],
    "La Gloria Cubana": [
        "Medaille d'Or No.1",
        "Medaille d'Or No.3",
        "Serie R No.5",
        "Serie R No.6",
    ],
    "Troya": ["Coronas Club Tubos", "Robusto"],
    "La Flor de Cano": ["Corona", "Gran Cano", "Short Churchill"],
    "Belinda": ["Belvederes", "Petit Coronas"],
}

OTHER_BRANDS = [
    "Davidoff Millennium Robusto",
    "Padron 1926 N° 9",
    "Arturo Fuente Opus X",
    "La Aurora 1495",
    "Zino Platinum Crown",
    "Plasencia Alma Fuerte",
    "Oliva Serie V Melanio",
    "Camacho Ecuador",
    "Flor de Selva Maduro",
    "La Estancia #60",
    "El Septimo Michelangelo",
    "Villiger Export",
    "Toscano Antico",
    "Dunhill Aged Maduro",
    "Aladino Maduro Robusto",
    "Rocky Patel Vintage 1990",
    "Alec Bradley Prensado",
    "Perdomo Reserve Champagne",
    "My Father Le Bijou",
    "Drew Estate Liga Privada",
]

EDITIONS = [
    "Edición Limitada 2019",
    "Edition Limitée 2021",
    "E.L. 2017",
    "Gran Reserva Cosecha 2014",
    "Reserva Cosecha 2016",
    "Año del Dragón",
    "Edición Regional Suisse",
    "Colección Habanos 2020",
]
EXTRA_WORDS = ["Maduro", "Double", "Petit", "Wide", "Gran", "Extra", "Especial", "Royal", "Short"]
PACKS = [
    ", en {n} cigares",
    " en {n} cigares",
    ", en {n} cigare",
    ", en {n} ciagres",
    ", en {n}cigares",
    ", {n} cigares",
]
PACKAGINGS = ["(tube)", "(coffret)", "(boîte métal)", "(tubos)", "(étui)", "(cabinet)"]
NUMBER_SIGNS = ["N° {n}", "n°{n}", "No. {n}", "Nº {n}", "#{n}", "No {n}", "N°{n}", "No.{n}"]
PACK_SIZES = [25, 25, 25, 10, 10, 20, 5, 3, 50, 12, 15]


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def name_key(text: str) -> str:
    """Order-, case-, accent- and plural-blind: two names with one key are one product."""
    words = re.findall(r"[a-z0-9]+", _fold(text).casefold().replace("n°", "no "))
    skip = {"y", "de", "del", "la", "le", "du", "el", "no"}
    return " ".join(
        sorted(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words if w not in skip)
    )


def _number_sign(text: str, rng: random.Random) -> str:
    return re.sub(r"No\.\s?(\d+)", lambda m: rng.choice(NUMBER_SIGNS).format(n=m.group(1)), text)


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 7 and w.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words[1:] or long_words)
    word = words[i]
    j = rng.randrange(2, len(word) - 2)
    words[i] = word[:j] + word[j + 1 :]  # a dropped letter: "Robustos" → "Robutos"
    return " ".join(words)


def _case(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return text.upper()
    if roll < 0.25:
        return text.lower()
    return text


# Brand spellings seen in price lists; the short forms are not catalogue brand aliases, so
# those labels test what happens without a brand guess.
BRAND_SPELLINGS = {
    "H. Upmann": ["H. Upmann", "H.Upmann", "H Upmann", "H. UPMANN"],
    "Romeo y Julieta": ["Romeo y Julieta", "Romeo & Julieta", "Romeo Y Julieta", "RyJ"],
    "Hoyo de Monterrey": ["Hoyo de Monterrey", "Hoyo De Monterrey", "Hoyo Monterrey"],
    "José L. Piedra": ["José L. Piedra", "Jose L Piedra", "José Piedra"],
}


# Supplier shorthand and brand spellings that the catalogue data carries (brand aliases in
# catalogue/fixtures, line abbreviations read by matching.analysis): the matcher must
# recognise them on catalogue cigars and still refuse them on siblings ("Partagás P1",
# "Cohiba Behike 58" name cigars the catalogue does not hold).
SHORTHANDS: list[tuple[str, str, float]] = [
    (r"\bSerie ([A-Z]) No\.(\d+)", r"\1\2", 0.35),  # Partagás Serie P No.2 → Partagás P2
    (r"\bBehike BHK (\d+)", r"Behike \1", 0.35),  # Cohiba Behike BHK 56 → Cohiba Behike 56
    (r"^Montecristo\b", "Monte Cristo", 0.12),
    (r"^San Cristóbal\b", "San Cristóbal de La Habana", 0.35),
]


def _shorthand(name: str, rng: random.Random) -> tuple[str, bool]:
    """``name`` with the supplier shorthand of ``SHORTHANDS`` applied at random."""
    changed = False
    for pattern, replacement, share in SHORTHANDS:
        if re.search(pattern, name) and rng.random() < share:
            name = re.sub(pattern, replacement, name)
            changed = True
    return name, changed


def _supplier_name(name: str, rng: random.Random, *, typo: bool) -> str:
    """A product name as a supplier types it (the pack clause comes later)."""
    text = name
    for brand, spellings in BRAND_SPELLINGS.items():
        if text.startswith(brand):
            text = rng.choice(spellings) + text[len(brand) :]
    if rng.random() < 0.5:
        text = _fold(text)
    text = _number_sign(text, rng)
    if typo:
        text = _typo(text, rng)
    return _case(text, rng)


def _presentation(name: str, rng: random.Random, pack: int | None = None) -> str:
    pack = pack or rng.choice(PACK_SIZES)
    roll = rng.random()
    if roll < 0.25:
        name = f"{name} {rng.choice(PACKAGINGS)}"
    elif roll < 0.32 and pack in (5, 10, 25):
        return f"{name}, en {25 // pack if pack < 25 else 5} boîtes de {pack} cigares"
    return name + rng.choice(PACKS).format(n=pack)


def _label_name(cigar: CatalogueCigar, rng: random.Random) -> str:
    """Brand + (line) + vitola, the line sometimes left out like suppliers do."""
    full = cigar.full_name
    if cigar.line and cigar.line not in cigar.name and rng.random() < 0.3:
        full = cigar_full_name(brand=cigar.brand, line=cigar.brand, vitola=cigar.name)
    if cigar.ring_gauge and cigar.length_mm and rng.random() < 0.08:
        full = f"{full} {cigar.ring_gauge} x {int(cigar.length_mm)}"
    return full


def build(
    catalogue: list[CatalogueCigar], *, seed: int = 7, non_catalogue_share: float = 0.8
) -> list[LabelCase]:
    """The first edition: every catalogue cigar (some in two presentations) and about
    ``non_catalogue_share`` of labels naming cigars the catalogue does not hold."""
    rng = random.Random(seed)
    # Shorthand draws come from their own stream, so the rest of the set stays the same.
    short_rng = random.Random(seed + 1_000)
    names = {name_key(c.full_name) for c in catalogue}
    by_brand: dict[str, list[CatalogueCigar]] = {}
    for cigar in catalogue:
        by_brand.setdefault(cigar.brand, []).append(cigar)

    true_cases: list[LabelCase] = []
    for cigar in catalogue:
        presentations = 2 if rng.random() < 0.25 else 1
        for _ in range(presentations):
            typo = rng.random() < 0.08
            name, short = _shorthand(_label_name(cigar, rng), short_rng)
            name = _supplier_name(name, rng, typo=typo)
            kind = "typo" if typo else "shorthand" if short else "catalogue"
            true_cases.append(LabelCase(_presentation(name, rng), cigar.external_id, kind))

    wanted = round(len(true_cases) * non_catalogue_share / (1 - non_catalogue_share))
    pool: list[tuple[str, str]] = []
    for brand, vitolas in NOT_IN_CATALOGUE.items():
        for vitola in vitolas:
            pool.append((cigar_full_name(brand=brand, line=brand, vitola=vitola), "other_vitola"))
    for cigar in catalogue:
        pool.append((f"{cigar.full_name} {rng.choice(EDITIONS)}", "edition"))
        word = rng.choice(EXTRA_WORDS)
        parts = cigar.full_name.split()
        at = rng.randrange(1, len(parts) + 1)
        pool.append((" ".join([*parts[:at], word, *parts[at:]]), "extra_word"))
        sibling = _other_number(cigar.full_name, rng)
        if sibling:
            pool.append((sibling, "other_number"))
    brands = list(by_brand)
    for cigar in catalogue:
        other = rng.choice(brands)
        if other != cigar.brand:
            pool.append(
                (cigar_full_name(brand=other, line=other, vitola=cigar.name), "other_brand")
            )
    pool += [(name, "unknown_brand") for name in OTHER_BRANDS]
    pool = [(n, k) for n, k in pool if name_key(n) not in names]
    rng.shuffle(pool)
    negatives = [
        LabelCase(
            _presentation(_supplier_name(_shorthand(name, short_rng)[0], rng, typo=False), rng),
            None,
            kind,
        )
        for name, kind in pool[:wanted]
    ]
    cases = true_cases + negatives
    rng.shuffle(cases)
    return cases


def _other_number(full_name: str, rng: random.Random) -> str | None:
    """The same name with another number or Roman numeral (a sibling vitola)."""
    numbers = re.findall(r"\b(\d+|I{1,3}|IV|VI{0,3}|IX|X)\b", full_name)
    if not numbers:
        return None
    old = numbers[-1]
    if old.isdigit():
        new = str(int(old) + rng.choice([1, 2, 4, -1]))
        if new in ("0", "-1"):
            new = str(int(old) + 3)
    else:
        new = rng.choice([r for r in ("I", "II", "III", "IV", "V", "VI", "VII") if r != old])
    return re.sub(rf"\b{old}\b(?!.*\b{old}\b)", new, full_name)


def second_edition(
    first: list[LabelCase], *, seed: int = 11, new_share: float = 0.03
) -> list[LabelCase]:
    """The next edition of the same source: the same labels (a few withdrawn) plus a few
    new products, as consecutive DGDDI sheets differ."""
    rng = random.Random(seed)
    kept = [c for c in first if rng.random() > 0.02]
    fresh_names = [
        ("Cohiba Siglo VI Gran Reserva Cosecha 2019", None, "edition"),
        ("Montecristo Línea 1935 Dumas", None, "other_vitola"),
        ("Trinidad Topes Tubos", None, "other_vitola"),
        ("Partagás Serie D No.5 Edición Limitada 2024", None, "edition"),
        ("Romeo y Julieta Wide Churchills Añejados", None, "extra_word"),
    ]
    count = max(1, round(len(first) * new_share))
    fresh = []
    for i in range(count):
        name, expected, kind = fresh_names[i % len(fresh_names)]
        fresh.append(LabelCase(_presentation(name, rng, pack=[10, 25, 3][i % 3]), expected, kind))
    return kept + fresh
