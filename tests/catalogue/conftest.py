"""Catalogue test fixtures: a small catalogue built through the services, and the API."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from catalogue import services
from catalogue.packages import ParsedPackage
from catalogue.search import forget_brand_keys, forget_embeddings_present
from tests.factories import OperatorFactory, UserFactory

HABANOS_CSV = Path(__file__).resolve().parents[2] / "catalogue" / "fixtures" / "habanos-2016.csv"


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    # Throttle counters live in the cache, which may be the database cache: only tests
    # that use the database can (and need to) clear it. Search keeps per-process memos.
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    request.getfixturevalue("db")
    cache.clear()
    forget_brand_keys()  # brand ids differ from one test to the next
    forget_embeddings_present()
    yield
    cache.clear()
    forget_brand_keys()
    forget_embeddings_present()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


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


@pytest.fixture
def catalogue(db):
    """Cohiba (Siglo line + default line), Montecristo numbers, Partagás Serie D."""
    cohiba = services.brand_create(name="Cohiba", country="Cuba")
    siglo = services.line_create(brand=cohiba, name="Siglo")
    cohiba_default = services.line_default(brand=cohiba)
    montecristo = services.brand_create(name="Montecristo", country="Cuba")
    monte = services.line_default(brand=montecristo)
    partagas = services.brand_create(name="Partagás", country="Cuba")
    serie_d = services.line_create(brand=partagas, name="Serie D")
    davidoff = services.brand_create(name="Davidoff", country="Dominican Republic")
    dav_line = services.line_create(brand=davidoff, name="Millennium")

    cigars = {}
    for roman, length, ring in [
        ("I", "102", 40),
        ("II", "129", 42),
        ("III", "155", 42),
        ("IV", "143", 46),
        ("V", "170", 43),
        ("VI", "150", 52),
    ]:
        cigars[f"siglo {roman}"] = services.cigar_create(
            line=siglo,
            vitola_name=f"Siglo {roman}",
            length_mm=Decimal(length),
            ring_gauge=ring,
            strength="medium",
            wrapper_origin="Cuba",
            country="Cuba",
        )
    cigars["robustos"] = services.cigar_create(
        line=cohiba_default,
        vitola_name="Robustos",
        vitola_de_galera="Robustos",
        length_mm=Decimal("124"),
        ring_gauge=50,
        strength="medium-full",
        country="Cuba",
        blend=[{"role": "wrapper", "country": "Cuba", "leaf": "Corojo"}],
        packages=[ParsedPackage(25, "box", "Dress Box of 25"), ParsedPackage(3, "tube")],
    )
    for number, length, ring in [(1, "165", 42), (2, "156", 52), (3, "142", 42), (4, "129", 42)]:
        cigars[f"no {number}"] = services.cigar_create(
            line=monte,
            vitola_name=f"Montecristo No.{number}",
            length_mm=Decimal(length),
            ring_gauge=ring,
            strength="medium",
            country="Cuba",
        )
    cigars["serie d 4"] = services.cigar_create(
        line=serie_d,
        vitola_name="Serie D No.4",
        length_mm=Decimal("124"),
        ring_gauge=50,
        strength="full",
        country="Cuba",
    )
    cigars["davidoff"] = services.cigar_create(
        line=dav_line,
        vitola_name="Robusto",
        length_mm=Decimal("127"),
        ring_gauge=50,
        strength="mild-medium",
        country="Dominican Republic",
        wrapper_origin="Ecuador",
        is_discontinued=True,
    )
    return {
        "brands": {
            "cohiba": cohiba,
            "montecristo": montecristo,
            "partagas": partagas,
            "davidoff": davidoff,
        },
        "lines": {
            "siglo": siglo,
            "cohiba": cohiba_default,
            "monte": monte,
            "serie_d": serie_d,
            "millennium": dav_line,
        },
        "cigars": cigars,
    }
