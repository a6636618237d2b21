"""Benchmark: matching a 5,000-line publication against a 20,000-cigar catalogue.

    python bench/matching_speed.py [--cigars 20000] [--entries 5000] [--no-vectors]

In a dedicated database ``cigarspace_bench_matching_speed`` of the embedded server:

1. builds (once; reused while the count matches) a catalogue of N cigars: real Habanos
   and other brands, lines and vitola names combined with numbers, Roman numerals and
   distinguishing words (so names share many words: a hard case), bulk-inserted with the
   names ``catalogue.naming`` computes, one or two packages each;
2. gives the catalogue vectors once (reused afterwards: cigars are embedded as they are
   added, not when a publication arrives): ``--catalogue-vectors model`` embeds them with
   the configured model (about 10 minutes on 2 free cores), ``random`` (the default) stores
   seeded unit vectors under the model's name — the cost of the vector candidates (a
   matrix product over all vectors) does not depend on their content, and this benchmark
   measures speed, not quality;
3. writes a publication of M entries in the supplier style of bench/labelled_set.py
   (about one in five names a catalogue cigar);
4. measures (a) candidates + scoring alone (no writes), entries/s — target ≥ 500/s;
   (b) end to end: embedding the entries, then the full run with its guarded writes and
   audit events — target ≤ 60 s.

Figures are printed, never asserted: the machine (2 cores, shared) decides them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "cigarspace_bench_matching_speed"

BRANDS = {
    "Cohiba": ["Siglo", "Behike", "Maduro 5", "Linea Clasica"],
    "Montecristo": ["Linea 1935", "Open", "Edmundo", "Clasica"],
    "Partagás": ["Serie D", "Serie E", "Serie P", "Linea Maestra"],
    "Romeo y Julieta": ["Cedros de Luxe", "Exhibición", "Linea de Oro", "Clasica"],
    "H. Upmann": ["Magnum", "Connoisseur", "Linea Clasica"],
    "Hoyo de Monterrey": ["Epicure", "Le Hoyo", "Clasica"],
    "Trinidad": ["Clasica", "Tubos"],
    "Bolívar": ["Tubos", "Clasica"],
    "Punch": ["Serie d'Oro", "Clasica"],
    "Davidoff": ["Millennium", "Winston Churchill", "Aniversario", "Nicaragua", "Escurio"],
    "Padrón": ["1926 Serie", "1964 Anniversary", "Family Reserve", "Damaso"],
    "Arturo Fuente": ["Opus X", "Hemingway", "Don Carlos", "Gran Reserva"],
    "Oliva": ["Serie V", "Serie O", "Serie G", "Melanio"],
    "My Father": ["Le Bijou", "Flor de las Antillas", "The Judge"],
    "Rocky Patel": ["Vintage 1990", "Vintage 1992", "Decade", "Sun Grown"],
    "La Aurora": ["1495", "Preferidos", "107"],
    "Plasencia": ["Alma Fuerte", "Alma del Fuego", "Reserva Original"],
    "Perdomo": ["Reserve Champagne", "Habano", "Lot 23"],
    "Alec Bradley": ["Prensado", "Tempus", "Black Market"],
    "Drew Estate": ["Liga Privada No.9", "Undercrown", "Herrera Esteli"],
    "Camacho": ["Ecuador", "Connecticut", "Corojo", "Triple Maduro"],
    "Zino": ["Platinum", "Nicaragua"],
    "Ashton": ["VSG", "Cabinet Selection", "Classic"],
    "Joya de Nicaragua": ["Antaño", "Cabinetta", "Cuatro Cinco"],
    "AJ Fernandez": ["New World", "Enclave", "San Lotano"],
}
VITOLAS = [
    "Robusto",
    "Toro",
    "Churchill",
    "Corona",
    "Petit Corona",
    "Lancero",
    "Belicoso",
    "Torpedo",
    "Piramide",
    "Gran Toro",
    "Double Corona",
    "Half Corona",
    "Lonsdale",
    "Panetela",
    "Perfecto",
    "Short Robusto",
    "Gordo",
    "Figurado",
    "Coronas Especiales",
    "Esplendidos",
    "Exquisitos",
    "Magicos",
    "Genios",
    "Secretos",
    "Edmundo",
    "Petit Edmundo",
    "Double Edmundo",
    "Reyes",
    "Fundadores",
    "Vigia",
    "Coloniales",
    "Julieta",
    "Belvederes",
]
VARIANTS = ["", " No.1", " No.2", " No.3", " No.4", " 52", " 54", " 56", " I", " II", " III",
            " IV", " V", " VI", " Maduro", " Tubos", " Reserva", " Extra", " Gran"]  # fmt: skip


def setup_django() -> None:
    from bench.django_setup import bench_django

    bench_django(BENCH_DB)


def build_catalogue(count: int, rng: random.Random) -> None:
    from django.db import connection
    from django.utils.text import slugify

    from catalogue.models import Brand, Cigar, CigarLine, CigarPackage
    from catalogue.naming import cigar_full_name, search_key

    existing = Cigar.objects.count()
    if existing == count:
        print(f"catalogue: reusing {existing:,} cigars in database {BENCH_DB!r}")
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE match_event, cigar_customs_match, matching_entry_state, cigar_alias, "
            "cigar_package, blend_component, tasting_note, source_record, media_asset, cigar, "
            "cigar_line, brand RESTART IDENTITY CASCADE"
        )
    brands = Brand.objects.bulk_create([Brand(name=name, slug=slugify(name)) for name in BRANDS])
    lines = CigarLine.objects.bulk_create(
        [
            CigarLine(brand=brand, name=line, slug=slugify(line))
            for brand in brands
            for line in [brand.name, *BRANDS[brand.name]]
        ]
    )
    combos = [
        (line, vitola + variant) for line in lines for vitola in VITOLAS for variant in VARIANTS
    ]
    rng.shuffle(combos)
    cigars, seen = [], set()
    for line, vitola in combos:
        full_name = cigar_full_name(brand=line.brand.name, line=line.name, vitola=vitola)
        if full_name.casefold() in seen:
            continue
        seen.add(full_name.casefold())
        cigars.append(
            Cigar(
                line=line,
                vitola_name=vitola,
                full_name=full_name,
                search_name=search_key(full_name),
                slug=slugify(f"{full_name}-{len(cigars)}"),
                ring_gauge=rng.choice([38, 42, 44, 46, 48, 50, 52, 54, 56, 60]),
                length_mm=Decimal(rng.randrange(100, 190)),
            )
        )
        if len(cigars) == count:
            break
    Cigar.objects.bulk_create(cigars, batch_size=2000)
    CigarPackage.objects.bulk_create(
        [
            CigarPackage(cigar=cigar, pack_size=size)
            for cigar in cigars
            for size in sorted(set(rng.sample([3, 5, 10, 20, 25], rng.choice([1, 2]))))
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cigar; ANALYZE cigar_package;")
    print(f"catalogue: built {len(cigars):,} cigars in {time.perf_counter() - started:.1f} s")


def random_catalogue_vectors(model: str, dims: int = 384) -> None:
    """Seeded unit vectors (the model's own width, zero-padded) for cigars without one."""
    import numpy as np
    from django.conf import settings
    from django.db.models import Q

    from catalogue.models import Cigar
    from cigarspace import embeddings

    ids = list(
        Cigar.objects.filter(Q(embedding__isnull=True) | ~Q(embedding_model=model))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return
    started = time.perf_counter()
    generator = np.random.default_rng(5)
    width = int(settings.EMBEDDING_DIMENSIONS)
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        matrix = generator.standard_normal((len(chunk), dims)).astype(np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        padded = np.zeros((len(chunk), width), dtype=np.float32)
        padded[:, :dims] = matrix
        embeddings.store_vectors(
            Cigar, [(pk, row.tolist()) for pk, row in zip(chunk, padded, strict=True)], model=model
        )
    print(
        f"catalogue vectors: {len(ids):,} seeded unit vectors stored in "
        f"{time.perf_counter() - started:.1f} s (speed only; --catalogue-vectors model embeds)"
    )


def write_publication(entries: int, rng: random.Random):
    from bench.labelled_set import EXTRA_WORDS, _presentation, _supplier_name
    from catalogue.models import Cigar
    from customs.labels import parse_label
    from customs.models import CustomsPriceEntry, CustomsPublication, CustomsSource

    previous = CustomsPublication.objects.filter(external_id__startswith="bench://speed").first()
    if previous is not None and previous.entries.count() == entries:
        print(f"publication: reusing {entries:,} entries (their vectors too)")
        return previous
    CustomsPublication.objects.filter(external_id__startswith="bench://speed").delete()
    source = CustomsSource.objects.get(slug="fr-douane-opendata")
    publication = CustomsPublication.objects.create(
        source=source,
        external_id=f"bench://speed-{time.time_ns()}",
        title="speed",
        effective_date=dt.date(2026, 9, 1),
        status="ingested",
    )
    names = list(Cigar.objects.values_list("full_name", flat=True))
    rows = []
    for row in range(entries):
        name = rng.choice(names)
        if rng.random() < 0.8:  # most lines name products the catalogue does not hold
            parts = name.split()
            parts.insert(rng.randrange(1, len(parts) + 1), rng.choice(EXTRA_WORDS))
            name = " ".join(parts)
        label = _presentation(_supplier_name(name, rng, typo=rng.random() < 0.05), rng)
        parsed = parse_label(label)
        unit = Decimal(5 + row % 50)
        rows.append(
            CustomsPriceEntry(
                publication=publication,
                row_number=row,
                raw_label=label[:500],
                category="Cigares et cigarillos",
                normalised_label=parsed.normalised[:500],
                pack_size=parsed.pack_size,
                packaging=parsed.packaging_text[:200],
                unit_price=unit,
                pack_price=unit * (parsed.pack_size or 1),
                currency_code="EUR",
                parsed=parsed.as_dict(),
            )
        )
    CustomsPriceEntry.objects.bulk_create(rows, batch_size=2000)
    print(f"publication: {entries:,} entries written")
    return publication


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cigars", type=int, default=20_000)
    parser.add_argument("--entries", type=int, default=5_000)
    parser.add_argument("--no-vectors", action="store_true", help="Skip every embedding.")
    parser.add_argument("--catalogue-vectors", choices=("random", "model"), default="random")
    args = parser.parse_args()
    rng = random.Random(20)
    setup_django()

    from catalogue.services import cigar_embed
    from cigarspace import embeddings
    from matching.candidates import catalogue_index
    from matching.conf import current_config
    from matching.embeddings import entries_embed
    from matching.services import publication_match
    from matching.services.inputs import LabelMemory, entry_inputs, entry_vectors
    from matching.services.runs import BATCH_SIZE, score_entries

    build_catalogue(args.cigars, rng)
    model = embeddings.model_name()
    if not args.no_vectors and args.catalogue_vectors == "random":
        random_catalogue_vectors(model)
    if not args.no_vectors:
        started = time.perf_counter()
        done = cigar_embed(mode="missing", batch_size=256).embedded
        if done:
            print(
                f"catalogue vectors: {done:,} cigars embedded in "
                f"{time.perf_counter() - started:.1f} s (one-off, reused by later runs)"
            )
    publication = write_publication(args.entries, rng)

    embed_seconds = embed_cpu = 0.0
    if not args.no_vectors:
        started, cpu = time.perf_counter(), time.process_time()
        entries_embed(
            mode="all", entry_ids=publication.entries.values_list("pk", flat=True), batch_size=256
        )
        embed_seconds = time.perf_counter() - started
        embed_cpu = time.process_time() - cpu
        print(
            f"entry vectors: {args.entries:,} in {embed_seconds:.1f} s wall, {embed_cpu:.1f} s "
            f"CPU ({args.entries / embed_seconds:,.0f} entries/s)"
        )

    # (a) candidates + scoring, no writes (the index is built first, as a warm worker has it).
    started = time.perf_counter()
    index = catalogue_index(model)
    print(f"catalogue index: {len(index):,} cigars loaded in {time.perf_counter() - started:.1f} s")
    config = current_config()
    inputs = entry_inputs(publication.entries.all())
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(inputs), BATCH_SIZE):
        batch = inputs[start : start + BATCH_SIZE]
        score_entries(
            batch,
            index=index,
            config=config,
            memory=LabelMemory.load(batch),
            vectors=entry_vectors([e.pk for e in batch], model),
        )
    scoring, scoring_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"candidates + scoring: {len(inputs):,} entries in {scoring:.1f} s wall = "
        f"{len(inputs) / scoring:,.0f} entries/s (target ≥ 500/s); {scoring_cpu:.1f} s CPU "
        f"= {len(inputs) / scoring_cpu:,.0f} entries per CPU-second"
    )

    # (b) the full run with its writes (the index is warm, as in a worker).
    started, cpu = time.perf_counter(), time.process_time()
    outcome = publication_match(publication=publication, force=True)
    run_seconds, run_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"full run with writes: {run_seconds:.1f} s wall, {run_cpu:.1f} s CPU in Python "
        f"({outcome.run.entries_scored / run_seconds:,.0f} entries/s); {outcome.run.counts}"
    )
    total = embed_seconds + run_seconds
    print(f"end to end (embed entries + match + write): {total:.1f} s wall (target ≤ 60 s)")
    print(
        f"machine load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
