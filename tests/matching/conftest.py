"""Matching fixtures: the Habanos demo catalogue and price entries written like suppliers'."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils.text import slugify
from rest_framework.test import APIClient

from catalogue.importer import iter_records, read_file, validate_records
from catalogue.models import Brand, Cigar, CigarLine, CigarPackage
from catalogue.naming import cigar_full_name, search_key
from customs.labels import parse_label
from customs.models import CustomsSource
from tests.factories import (
    CustomsPriceEntryFactory,
    CustomsPublicationFactory,
    OperatorFactory,
    UserFactory,
)

HABANOS_CSV = Path(__file__).resolve().parents[2] / "catalogue" / "fixtures" / "habanos-2016.csv"


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    # The "embeddings present" flag and throttle counters live in the (database) cache.
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    request.getfixturevalue("db")
    cache.clear()
    yield
    cache.clear()


def load_habanos() -> int:
    """The 188-cigar demo catalogue (real Habanos names), bulk-written without embeddings.

    The importer's own parsing is used (rows, packages); the writes are bulk ones because
    the service-per-row import takes seconds, far too long for a fixture of many tests.
    """
    content, fmt = read_file(HABANOS_CSV)
    rows, invalid = validate_records(iter_records(content, fmt))
    assert not invalid
    brands: dict[str, Brand] = {}
    lines: dict[tuple[str, str], CigarLine] = {}
    for row in rows:
        if row.brand not in brands:
            brands[row.brand] = Brand(name=row.brand, slug=slugify(row.brand), aliases=[])
        # The file's brand spellings ("Monte Cristo"), merged as the importer does.
        known = brands[row.brand].aliases
        known.extend(a for a in row.brand_aliases if a not in known)
    Brand.objects.bulk_create(brands.values())
    for row in rows:
        line_name = row.line or row.brand
        key = (row.brand, line_name)
        if key not in lines:
            lines[key] = CigarLine(brand=brands[row.brand], name=line_name, slug=slugify(line_name))
    CigarLine.objects.bulk_create(lines.values())
    cigars, packages = [], []
    for row in rows:
        line = lines[(row.brand, row.line or row.brand)]
        full_name = cigar_full_name(brand=row.brand, line=line.name, vitola=row.name)
        fields = {k: v for k, v in row.fields.items() if k in ("length_mm", "ring_gauge")}
        cigar = Cigar(
            line=line,
            external_id=row.external_id,
            vitola_name=row.name,
            full_name=full_name,
            search_name=search_key(full_name),
            slug=slugify(row.external_id or full_name),
            **fields,
        )
        cigars.append(cigar)
        for package in row.packages or []:
            packages.append((cigar, package))
    Cigar.objects.bulk_create(cigars)
    CigarPackage.objects.bulk_create(
        [
            CigarPackage(cigar=c, pack_size=p.pack_size, packaging=p.packaging)
            for c, p in {(c.pk, p.packaging, p.pack_size): (c, p) for c, p in packages}.values()
        ]
    )
    return len(cigars)


@pytest.fixture
def habanos(db) -> int:
    return load_habanos()


@pytest.fixture
def index(habanos):
    """The matcher's in-memory catalogue index of the Habanos demo catalogue."""
    from cigarspace import embeddings
    from matching.candidates import catalogue_index

    return catalogue_index(embeddings.model_name())


def score(index, label: str, full_name: str):
    """The matcher's score of ``label`` against the catalogue cigar named ``full_name``."""
    from matching.analysis import analyse_label
    from matching.conf import default_config
    from matching.scoring import score_pair

    analysis = analyse_label(label, index.brands)
    target = index.cigars[index.position[cigar(full_name).pk]]
    return score_pair(analysis, target, vector=None, config=default_config(), context=index.context)


def cigar(full_name: str) -> Cigar:
    return Cigar.objects.get(full_name=full_name)


@pytest.fixture
def douane(db) -> CustomsSource:
    return CustomsSource.objects.get(slug="fr-douane-opendata")


def add_entries(publication, labels, *, start: int = 0, category: str = "Cigares et cigarillos"):
    """Price entries as the customs parser writes them (pack, packaging, normalised name)."""
    entries = []
    for offset, label in enumerate(labels):
        parsed = parse_label(label)
        size = parsed.pack_size
        unit = Decimal("10.00") + offset
        entries.append(
            CustomsPriceEntryFactory(
                publication=publication,
                row_number=start + offset,
                raw_label=label,
                category=category,
                normalised_label=parsed.normalised,
                pack_size=size,
                packaging=parsed.packaging_text,
                unit_price=unit,
                pack_price=unit * (size or 1),
                parsed=parsed.as_dict(),
            )
        )
    return entries


def new_publication(source, effective_date: dt.date):
    return CustomsPublicationFactory(source=source, effective_date=effective_date)


@pytest.fixture
def publication(douane):
    return new_publication(douane, dt.date(2026, 9, 1))


@pytest.fixture
def operator(db):
    return OperatorFactory()


@pytest.fixture
def operator_api(operator) -> APIClient:
    client = APIClient()
    client.force_authenticate(operator)
    return client


@pytest.fixture
def user_api(db) -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client
