"""Build the outsider development set from the hand-written product lists in ``data/``.

    python bench/outsider/build.py

Writes ``catalogue.csv`` (a price-tracking site's catalogue, in the import format of
docs/catalogue-import.md), ``duplicates.csv`` (groups of catalogue records that are the
same cigar), ``edition-1.csv`` and ``edition-2.csv`` (``label,expected,kind``). Pure
Python, seeded: the same data files always give the same output.

The data files (``data/*.txt``, read in name order) hold one product per line; see
README.md for the line format. Everything a label says is written by hand in those
files; this script only renders what suppliers do to every line of their block (their
number sign, their case, their pack clause, the odd typo in the pack clause) and lays
out the two editions.
"""

from __future__ import annotations

import csv
import itertools
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
# Optional sizes from the Habanos reference data beside the project (as
# catalogue/fixtures/build_habanos.py reads it); without the file, no sizes are added.
FACTS = HERE.parents[2] / "shared" / "data" / "habanos-2016" / "brand_pages_cigars.csv"
SEED = 2026

CUBAN_BRANDS = {
    "Bolívar",
    "Cohiba",
    "Cuaba",
    "Diplomáticos",
    "El Rey del Mundo",
    "Fonseca",
    "H. Upmann",
    "Hoyo de Monterrey",
    "José L. Piedra",
    "Juan López",
    "La Gloria Cubana",
    "Montecristo",
    "Partagás",
    "Por Larrañaga",
    "Punch",
    "Quai d'Orsay",
    "Quintero",
    "Rafael González",
    "Ramón Allones",
    "Romeo y Julieta",
    "Saint Luis Rey",
    "San Cristóbal",
    "Sancho Panza",
    "Trinidad",
    "Vegas Robaina",
    "Vegueros",
    "Belinda",
    "Troya",
}
# The Cuban brands whose records in this catalogue are Habanos (the US-market cigars of
# the same names are written with their country in ``D`` lines).


@dataclass
class Record:
    brand: str
    line: str
    name: str
    ring: int | None = None
    length_mm: float | None = None
    length_in: float | None = None
    country: str = ""
    wrapper: str = ""
    role: str = "target"  # target | distractor
    external_id: str = ""
    no_dims: bool = False


@dataclass
class Product:
    code: str  # P or A
    records: list[Record]  # empty when absent
    labels: list[tuple[str, str]]  # (edition-1 base, edition-2 base)
    packs: list[str]
    kind: str
    style: dict
    editions: tuple[int, ...] = (1, 2)
    dims: tuple[int, float] | None = None  # ring, length in mm (for label hints)
    lineno: int = 0


@dataclass
class Built:
    records: list[Record] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def key(text: str) -> str:
    text = fold(text)
    text = re.sub(r"\b(n°|nº|no\.?|#)\s*", "no ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def read_facts() -> dict[tuple[str, str], tuple[int, float]]:
    facts = {}
    if not FACTS.exists():
        return facts
    with FACTS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                dims = (int(row["ring_gauge"]), float(row["length_mm"]))
            except ValueError:
                continue
            facts.setdefault((key(row["brand"]), key(row["vitola_de_salida"])), dims)
    return facts


FACT_DIMS = read_facts()


def expand(text: str) -> list[str]:
    """``Vintage 1990 {Robusto,Toro}`` → two texts (brace groups, Cartesian product)."""
    parts = re.split(r"(\{[^}]*\})", text)
    options = [p[1:-1].split(",") if p.startswith("{") else [p] for p in parts]
    return [" ".join("".join(combo).split()) for combo in itertools.product(*options)]


def parse_dims(spec: str) -> tuple[int | None, float | None, float | None]:
    """``52x150`` → ring 52, 150 mm; ``50x5.5`` → ring 50, 5.5 inches (a US site's habit)."""
    m = re.fullmatch(r"\s*(\d+)\s*x\s*([\d.]+)\s*", spec)
    if not m:
        raise ValueError(f"bad dimensions {spec!r}")
    ring, length = int(m.group(1)), float(m.group(2))
    if length < 20:
        return ring, None, length
    return ring, length, None


def parse_record(spec: str, header: dict) -> Record:
    spec = spec.strip()
    dims = None
    if "#" in spec:
        spec, dims = (s.strip() for s in spec.split("#", 1))
    parts = [p.strip() for p in spec.split("/")]
    if len(parts) == 2:
        parts = [parts[0], "", parts[1]]
    if len(parts) != 3:
        raise ValueError(f"bad record {spec!r}")
    brand, line, name = parts
    if not brand:
        brand = header["brand"]
    country = header.get("country", "")
    wrapper = ""
    record = Record(brand=brand, line=line, name=name, country=country, wrapper=wrapper)
    if dims == "-":
        record.no_dims = True
    elif dims:
        extra = [d.strip() for d in dims.split(",")]
        record.ring, record.length_mm, record.length_in = parse_dims(extra[0])
        for item in extra[1:]:
            k, _, v = item.partition("=")
            setattr(record, k.strip(), v.strip())
    elif brand in CUBAN_BRANDS and country == "Cuba":
        found = FACT_DIMS.get((key(brand), key(name))) or FACT_DIMS.get(
            (key(brand), key(f"{line} {name}"))
        )
        if found:
            record.ring, record.length_mm = found
    return record


def find_group(built: Built, wanted: Record) -> list[Record]:
    """``@Brand / Line / Name``: the records of an earlier P line (with its duplicates)."""
    k = (fold(wanted.brand), fold(wanted.line), fold(wanted.name))
    for product in built.products:
        for r in product.records:
            if (fold(r.brand), fold(r.line), fold(r.name)) == k:
                return product.records
    raise ValueError(f"no earlier P line holds {wanted.brand} / {wanted.line} / {wanted.name}")


# What a supplier prints for a vitola when it adds dimensions (ring, inches): the usual
# sizes of these shapes in the non-Cuban trade.
TYPICAL_SIZES = {
    "short robusto": (50, 4),
    "petit robusto": (50, 4),
    "robusto": (50, 5),
    "toro": (52, 6),
    "gran toro": (54, 6.5),
    "gordo": (60, 6),
    "churchill": (48, 7),
    "double corona": (49, 7.5),
    "torpedo": (52, 6.125),
    "belicoso": (52, 5.5),
    "piramide": (52, 6.125),
    "corona": (42, 5.5),
    "petit corona": (42, 4.5),
    "corona gorda": (46, 5.625),
    "lancero": (38, 7.5),
    "panatela": (38, 6),
    "perfecto": (48, 5),
    "sixty": (60, 6),
    "monarca": (50, 5),
    "n°1": (54, 6.75),
    "n°2": (52, 6.125),
    "n°35": (48, 4),
    "n°47": (52, 4.75),
    "n°48": (60, 6),
    "n°90": (52, 5.5),
    "n°44": (46, 6),
    "n°46": (50, 5.625),
    "n°50": (50, 5),
    "n°85": (50, 6.5),
    "n°95": (55, 6.25),
}


def typical_dims(label: str) -> tuple[int, float] | None:
    words = fold(label)
    for name in sorted(TYPICAL_SIZES, key=len, reverse=True):
        if re.search(rf"(^|\s){re.escape(name)}(\s|$)", words):
            ring, inches = TYPICAL_SIZES[name]
            return ring, round(inches * 25.4, 1)
    return None


def read_data() -> Built:
    built = Built()
    header: dict = {}
    last_records: list[Record] = []
    for path in sorted(DATA.glob("*.txt")):
        for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.rstrip()
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = f"{path.name}:{lineno}"
            if line.startswith("@"):
                header = dict(DEFAULT_STYLE)
                # key=value pairs; a value runs to the next key (country=Dominican Republic).
                for k, v in re.findall(r"(\w+)=(.*?)(?=\s+\w+=|$)", line[1:].strip()):
                    header[k] = v.strip()
                continue
            code, _, rest = line.partition(" ")
            fields = [f.strip() for f in rest.split(" | ")]
            editions = (1, 2)
            if code[-1:] in "12" and len(code) > 1:
                editions = (int(code[-1]),)
                code = code[:-1]
            try:
                if code == "D":
                    for spec in fields[0].split(";;"):
                        for text in expand(spec):
                            record = parse_record(text, header)
                            record.role = "distractor"
                            built.records.append(record)
                    continue
                if code == "P":
                    cats, label, packs, kind = fields
                    if cats == "=":
                        records = last_records
                    elif cats.startswith("@"):
                        records = find_group(built, parse_record(cats[1:], header))
                    else:
                        records = [parse_record(s, header) for s in cats.split(";;")]
                        built.records.extend(records)
                        last_records = records
                    labels = [label]
                elif code == "A":
                    label, packs, kind = fields
                    records = []
                    labels = expand(label) if "=>" not in label else [label]
                else:
                    raise ValueError(f"unknown code {code!r}")
            except ValueError as error:
                raise SystemExit(f"{where}: {error}: {raw!r}") from None
            for text in labels:
                dims = None
                if "~" in text:
                    text, spec = (s.strip() for s in text.split("~", 1))
                    ring, mm, inches = parse_dims(spec)
                    dims = (ring, mm or round(inches * 25.4, 1))
                elif records and records[0].ring and (records[0].length_mm or records[0].length_in):
                    r = records[0]
                    dims = (r.ring, r.length_mm or round(r.length_in * 25.4, 1))
                if dims is None and code == "A" and header.get("dims"):
                    dims = typical_dims(text)
                old, _, new = text.partition("=>")
                built.products.append(
                    Product(
                        code=code,
                        records=records,
                        labels=[(old.strip(), (new or old).strip())],
                        packs=packs.split(),
                        kind=kind,
                        style=header,
                        editions=editions,
                        dims=dims,
                        lineno=lineno,
                    )
                )
    return built


# --- what suppliers do to every line of their block ------------------------------------

DEFAULT_STYLE = {
    "brand": "",
    "country": "",
    "case": "as",  # as | upper | upper-all
    "sign": "N°",  # the number sign this supplier types; "mix" varies per line
    "pack": "en",  # en: ", en 25 cigares" | bare-en: " en 25 cigares" | comma: ", 25 cigares"
    # | boite: ", en boîte de 25 cigares" | none: no pack clause on boxes
    "dims": "",  # "" | ring-in ("50 x 5") | in-ring ("6 x 52") | ring-mm
    "typo": "0.02",
}

SIGNS_MIX = ["N°", "n°", "N° ", "No ", "No.", "Nº", "n° "]


def render_sign(text: str, style: dict, rng: random.Random) -> str:
    sign = style["sign"]
    if sign == "mix":
        sign = rng.choice(SIGNS_MIX)
    elif "|" in sign:
        sign = rng.choice(sign.split("|"))
    sign = sign.replace("_", " ")

    def sub(m: re.Match) -> str:
        return sign.rstrip() + (" " if sign.endswith(" ") or sign[-1].isalpha() else "")

    return re.sub(r"N°\s?", sub, text)


def inches(mm: float) -> str:
    value = mm / 25.4
    whole = int(value)
    frac = value - whole
    for num, den, text in ((0, 1, ""), (1, 4, " 1/4"), (1, 2, " 1/2"), (3, 4, " 3/4"), (1, 1, "")):
        if abs(frac - num / den) <= 0.13:
            return f"{whole + (1 if den == 1 and num == 1 else 0)}{text}"
    return f"{value:.1f}".replace(".", ",")


def dims_hint(product: Product, style: dict, rng: random.Random) -> str:
    if not style["dims"] or not product.dims or rng.random() < 0.25:
        return ""
    ring, mm = product.dims
    if style["dims"] == "ring-in":
        return f" {ring} x {inches(mm)}"
    if style["dims"] == "in-ring":
        return f" {inches(mm).replace(' 1/2', '.5')} x {ring}"
    if style["dims"] == "ring-X-in":
        return f" {ring} X {inches(mm).replace(' ', '')}"
    return f" {ring} x {int(mm)}"


def count_clause(n: int, style: dict, rng: random.Random) -> str:
    word = "cigare" if n == 1 else "cigares"
    pack = style["pack"]
    if pack == "none":
        return "" if rng.random() < 0.7 else f", en {n} {word}"
    if pack == "comma":
        return f", {n} {word}"
    if pack == "bare-en":
        return f" en {n} {word}"
    if pack == "boite":
        return rng.choice([f", en boîte de {n} cigares", f" en boite de {n}", f", en {n} {word}"])
    if pack == "coffret-de":
        return rng.choice([f" coffret de {n}", f", en {n} {word}"])
    return f", en {n} {word}"


def pack_suffix(code: str, style: dict, rng: random.Random) -> str:
    """A presentation code of the data files → the supplier's packaging text."""
    if code.startswith("'"):
        return code[1:].replace("_", " ")
    m = re.fullmatch(r"([a-z]*)(\d+)(?:x(\d+))?", code)
    if not m:
        raise ValueError(f"bad pack code {code!r}")
    kind, n, m2 = m.group(1), int(m.group(2)), m.group(3)
    if kind == "" and n == 0:
        return ""
    if kind == "":
        return count_clause(n, style, rng)
    if kind == "t":  # tubes sold as cardboard packs of n tubes, five packs to the carton
        text = rng.choice(["(tube - 5 étuis de {n})", "(tube- 5 étuis de {n})", "(tubes)"])
        return " " + text.format(n=n) + count_clause(n, style, rng)
    if kind == "tb":  # a box of n tubed cigars
        return " (tube)" + count_clause(n, style, rng)
    if kind == "e":  # cardboard packs
        if rng.random() < 0.15:
            return f", (5 étuis de {n}) en {n} cigares"
        return f" (5 étuis de {n})" + count_clause(n, style, rng)
    if kind == "c":  # coffret
        if rng.random() < 0.2:
            return f" (coffret), {n} cigares"
        return " (coffret)" + count_clause(n, style, rng)
    if kind == "b":  # "en 5 boites de 5 cigares": the priced unit is one box
        boxes, per = n, int(m2 or 5)
        return rng.choice(
            [f", en {boxes} boites de {per} cigares", f", en {boxes} boîtes de {per} cigares"]
        )
    if kind == "m":  # tin
        return rng.choice([" (boîte métal)", " (étui métal)"]) + count_clause(n, style, rng)
    if kind == "a":  # aluminium packs
        return f" (10 étuis alu de {n})" + count_clause(n, style, rng)
    if kind == "s":  # a cigarillo pocket pack
        return rng.choice([" (étui)", " (étui carton)", ""]) + count_clause(n, style, rng)
    if kind == "j":  # jar
        return " (jarre)" + count_clause(n, style, rng)
    if kind == "k":  # cabinet
        return rng.choice([" (cabinet)", " (boîte cabinet)", " SLB"]) + count_clause(n, style, rng)
    if kind == "h":  # humidor
        return " (humidor)" + count_clause(n, style, rng)
    raise ValueError(f"bad pack code {code!r}")


def typo(label: str, rng: random.Random) -> str:
    """The slips seen in the real sheets: in the pack clause, spaces and accents."""
    choice = rng.randrange(6)
    if choice == 0 and "cigares" in label:
        return label.replace("cigares", "ciagres", 1)
    if choice == 1 and "cigares" in label:
        return label.replace("cigares", "cigare", 1)
    if choice == 2 and re.search(r"en \d+ cigares", label):
        return re.sub(r"en (\d+) cigares", r"en \1cigares", label, count=1)
    if choice == 3 and " " in label:
        i = label.index(" ")
        return label[:i] + "  " + label[i + 1 :]
    if choice == 4 and ", en" in label:
        return label.replace(", en", " , en", 1)
    return "".join(c for c in unicodedata.normalize("NFKD", label) if not unicodedata.combining(c))


def render(base: str, code: str, product: Product, rng: random.Random) -> str:
    style = product.style
    text = render_sign(base, style, rng)
    text += dims_hint(product, style, rng)
    if style["case"] in ("upper", "upper-all"):
        text = text.upper()
    if "(" in base and re.fullmatch(r"[a-z]+\d+", code):
        # The line already says its packaging: the supplier only adds the count.
        code = re.sub(r"^[a-z]+", "", code)
    suffix = pack_suffix(code, style, rng)
    if style["case"] == "upper-all":
        suffix = suffix.upper()
    label = (text + suffix).strip()
    if rng.random() < float(style["typo"]):
        label = typo(label, rng)
    return label


# --- the catalogue ---------------------------------------------------------------------


def assign_ids(records: list[Record], rng: random.Random) -> None:
    numbers = rng.sample(range(10000, 99999), len(records))
    for record, number in zip(records, numbers, strict=True):
        record.external_id = f"pt-{number}"


def drop_some_dims(records: list[Record], rng: random.Random) -> None:
    for record in records:
        if record.no_dims or rng.random() < 0.08:
            record.ring = record.length_mm = record.length_in = None


def fmt(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


CATALOGUE_COLUMNS = [
    "external_id",
    "brand",
    "line",
    "name",
    "length_mm",
    "length_in",
    "ring_gauge",
    "wrapper",
    "country",
]


def write_catalogue(records: list[Record]) -> None:
    rows = sorted(records, key=lambda r: (fold(r.brand), fold(r.line), fold(r.name)))
    with (HERE / "catalogue.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CATALOGUE_COLUMNS)
        for r in rows:
            writer.writerow(
                [
                    r.external_id,
                    r.brand,
                    r.line,
                    r.name,
                    fmt(r.length_mm),
                    fmt(r.length_in),
                    r.ring or "",
                    r.wrapper,
                    r.country,
                ]
            )


def check_catalogue(records: list[Record]) -> None:
    seen_ids: set[str] = set()
    seen_names: dict[tuple[str, str, str], Record] = {}
    brands: dict[str, str] = {}
    for r in records:
        assert r.external_id not in seen_ids, r
        seen_ids.add(r.external_id)
        k = (fold(r.brand), fold(r.line), fold(r.name))
        if k in seen_names:
            raise SystemExit(f"catalogue: brand + line + name twice: {r} / {seen_names[k]}")
        seen_names[k] = r
        if brands.setdefault(fold(r.brand), r.brand) != r.brand:
            raise SystemExit(
                f"catalogue: brand spelled two ways: {r.brand} / {brands[fold(r.brand)]}"
            )
        if r.length_mm is not None and not 40 <= r.length_mm <= 600:
            raise SystemExit(f"catalogue: length out of range: {r}")
        if r.ring is not None and not 20 <= r.ring <= 100:
            raise SystemExit(f"catalogue: ring out of range: {r}")


# --- the editions ----------------------------------------------------------------------


def retype(label: str, rng: random.Random) -> str:
    """A supplier re-typing a line between editions (a rename with the same product)."""
    choice = rng.randrange(4)
    if choice == 0 and re.search(r"N°|n°", label):
        return label.replace("N°", "n°") if "N°" in label else label.replace("n°", "N°")
    if choice == 1 and label != label.upper():
        head, sep, tail = label.partition(",")
        return head.upper() + sep + tail
    if choice == 2 and ", en " in label:
        return label.replace(", en ", " en ", 1)
    return label.replace("  ", " ").replace("ciagres", "cigares")


def build_editions(products: list[Product], rng: random.Random) -> tuple[list, list]:
    first: list[tuple[str, str, str]] = []
    second: list[tuple[str, str, str]] = []
    for product in products:
        expected = product.records[0].external_id if product.records else ""
        for base1, base2 in product.labels:
            for code in product.packs:
                only = None
                if code.endswith(("!1", "!2")):
                    code, only = code[:-2], int(code[-1])
                editions = product.editions if only is None else (only,)
                state = rng.getstate()
                label1 = render(base1, code, product, rng)
                rng2 = random.Random()
                rng2.setstate(state)
                label2 = render(base2, code, product, rng2) if base2 != base1 else label1
                kind = product.kind
                if 1 in editions:
                    first.append((label1, expected, kind))
                if 2 in editions:
                    withdrawn = 1 in editions and rng.random() < 0.035
                    if withdrawn:
                        continue
                    if base2 == base1 and 1 in editions and rng.random() < 0.025:
                        label2 = retype(label1, rng)
                    second.append((label2, expected, kind))
    return first, second


def write_edition(path: Path, rows: list[tuple[str, str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["label", "expected", "kind"])
        writer.writerows(rows)


def dedupe_labels(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """One sheet never prints the same label twice; a clash keeps the first line."""
    seen: dict[str, tuple[str, str, str]] = {}
    out = []
    for row in rows:
        if row[0] in seen:
            if seen[row[0]][1] != row[1]:
                raise SystemExit(f"label {row[0]!r} names two products: {seen[row[0]]} / {row}")
            continue
        seen[row[0]] = row
        out.append(row)
    return out


def check_absent(built: Built) -> None:
    """An absent label whose name is a catalogue record's full name is a data error."""
    names = set()
    for r in built.records:
        names.add(key(f"{r.brand} {r.line} {r.name}"))
        names.add(key(f"{r.brand} {r.name}"))
    for product in built.products:
        if product.code == "P":
            names.update(key(base) for pair in product.labels for base in pair)
    errors = [
        f"absent product equals a catalogue record: {base!r}"
        for product in built.products
        if product.code == "A" and product.kind != "distractor-near"
        for base, _ in product.labels
        if key(base) in names
    ]
    if errors:
        raise SystemExit("\n".join(errors))


def near_pairs(built: Built) -> list[str]:
    """Catalogue records that look like an absent label's cigar: printed for a human check.

    An absent label (``A``) must not be a catalogue cigar in other words; a record whose
    words are all in the label, or the reverse, is shown so that the data can be reviewed.
    """
    out = []
    records = [(set(key(f"{r.line} {r.name}").split()), r) for r in built.records]
    for product in built.products:
        if product.code != "A":
            continue
        for base, _ in product.labels:
            words = set(key(base).split())
            for tokens, r in records:
                brand = set(key(r.brand).split())
                if not brand <= words and key(r.brand).split()[0] not in words:
                    continue
                rest = words - brand
                if (tokens <= words and len(rest - tokens) <= 1) or (rest and rest <= tokens):
                    out.append(f"{base!r} ~ {r.brand} / {r.line} / {r.name}")
    return out


FIGURES_START = "<!-- figures: written by build.py -->"
FIGURES_END = "<!-- end of figures -->"


def write_figures(built: Built, first: list, second: list, groups: set) -> None:
    """The figures block of README.md, between its markers."""
    from collections import Counter

    targets = {r.external_id for p in built.products for r in p.records}
    lines = [FIGURES_START, ""]
    n_records = len(built.records)
    named = len(targets)
    lines.append(
        f"- catalogue: **{n_records} records**; {named} are named by at least one label "
        f"(edition 1 or 2), **{n_records - named} by none** (distractors: discontinued or "
        f"unlisted vitolas of the same brands, US-market cigars under the Cuban names, "
        f"sibling sizes); **{len(groups)} duplicate groups** "
        f"({sum(len(g) for g in groups)} records); "
        f"{sum(1 for r in built.records if r.ring is None)} records without dimensions; "
        f"{len({fold(r.brand) for r in built.records})} brands."
    )
    unnamed = [r for r in built.records if r.external_id not in targets]
    cuban_home = sum(1 for r in unnamed if r.brand in CUBAN_BRANDS and r.country == "Cuba")
    cuban_us = sum(1 for r in unnamed if r.brand in CUBAN_BRANDS and r.country != "Cuba")
    lines.append(
        f"- records named by no label: {cuban_home} Habanos (discontinued or unlisted "
        f"vitolas, editions), {cuban_us} US-market cigars under Habanos brand names, "
        f"{len(unnamed) - cuban_home - cuban_us} other cigars of the non-Cuban brands."
    )
    grouped = {i for g in groups for i in g}
    for name, rows in (("edition 1", first), ("edition 2", second)):
        n = sum(1 for r in rows if r[1] in grouped)
        lines.append(f"- {name}: {n} labels expect a record that has duplicates.")
    first_labels = {row[0] for row in first}
    second_labels = {row[0] for row in second}
    lines.append(
        f"- edition 2: {len(second_labels & first_labels)} labels unchanged from edition 1, "
        f"{len(first_labels - second_labels)} edition-1 labels gone (withdrawn or renamed), "
        f"{len(second_labels - first_labels)} new labels (renamed lines and new products)."
    )
    lines.append("")
    for name, rows in (("edition 1", first), ("edition 2", second)):
        present = sum(1 for r in rows if r[1])
        lines.append(
            f"**{name}**: {len(rows)} labels, {present} present "
            f"({100 * present / len(rows):.1f} %), {len(rows) - present} absent "
            f"({100 * (len(rows) - present) / len(rows):.1f} %)."
        )
        lines.append("")
        lines.append("| kind | labels | present |")
        lines.append("|---|---:|---:|")
        kinds = Counter(r[2] for r in rows)
        with_expected = Counter(r[2] for r in rows if r[1])
        for kind in sorted(kinds):
            lines.append(f"| `{kind}` | {kinds[kind]} | {with_expected[kind]} |")
        lines.append("")
    lines.append(FIGURES_END)
    readme = HERE / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    if FIGURES_START in text and FIGURES_END in text:
        head, _, rest = text.partition(FIGURES_START)
        _, _, tail = rest.partition(FIGURES_END)
        text = head + "\n".join(lines) + tail
    else:
        text = text + "\n" + "\n".join(lines) + "\n"
    readme.write_text(text, encoding="utf-8")


def main() -> None:
    rng = random.Random(SEED)
    built = read_data()
    check_absent(built)
    for pair in near_pairs(built):
        print("near:", pair)
    assign_ids(built.records, rng)
    drop_some_dims(built.records, rng)
    check_catalogue(built.records)
    write_catalogue(built.records)
    groups = [p.records for p in built.products if len(p.records) > 1]
    unique_groups = {tuple(r.external_id for r in g) for g in groups}
    with (HERE / "duplicates.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["group", "external_id"])
        for number, group in enumerate(sorted(unique_groups), 1):
            for external_id in group:
                writer.writerow([f"g{number}", external_id])
    first, second = build_editions(built.products, rng)
    first, second = dedupe_labels(first), dedupe_labels(second)
    write_edition(HERE / "edition-1.csv", first)
    write_edition(HERE / "edition-2.csv", second)
    write_figures(built, first, second, unique_groups)
    targets = {r.external_id for p in built.products for r in p.records}
    print(
        f"catalogue {len(built.records)} records "
        f"({sum(r.role == 'distractor' for r in built.records)} distractor lines, "
        f"{len(built.records) - len(targets)} named by no label, "
        f"{len(unique_groups)} duplicate groups)"
    )
    for name, rows in (("edition 1", first), ("edition 2", second)):
        present = sum(1 for r in rows if r[1])
        print(f"{name}: {len(rows)} labels, {present} present ({100 * present / len(rows):.1f} %)")


if __name__ == "__main__":
    main()
