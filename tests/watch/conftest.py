"""Price watch fixtures: the two demo editions ingested through the real pipeline, their
cigar lines linked by the demo's answer key (as a matcher and a reviewer would), and a
local webhook receiver."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal

import pytest
from django.core.cache import cache

from catalogue.models import Cigar
from customs.demo import DEMO_DIR
from customs.demo.editions import EDITION_A_FILE, EDITION_B_FILE, label_key, truth_by_label
from customs.models import CustomsPriceEntry, CustomsPublication, CustomsSource
from customs.services.runs import publication_ingest_file_run
from matching.models import CigarCustomsMatch, MatchMethod, MatchStatus
from tests.factories import UserFactory
from tests.matching.conftest import load_habanos
from tests.support.http_server import Reply

EFFECTIVE_A = dt.date(2026, 6, 1)
EFFECTIVE_B = dt.date(2026, 11, 1)

REPRICED = "Cohiba Esplendidos, en 25 cigares"
WITHDRAWN_LABEL = "Cohiba Exquisitos, en 25 cigares"
RENAMED_LABEL = "Partagas Presidente, en 25 cigares"
NEW_COHIBA = "Cohiba Siglo V, en 25 cigares"
NEW_UNCATALOGUED = "Montecristo Linea 1935 Dumas, en 20 cigares"
SUSPECT_LABEL = "Guantanamera Decimos, en 10 cigares"


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()  # throttle counters live in the database cache
    yield
    cache.clear()


def link_by_answer_key(publication: CustomsPublication) -> int:
    """Accept, for each entry, the catalogue cigar its label names (the demo's answer key);
    the brand the matcher would recognise is written for the others."""
    truth = truth_by_label()
    cigars = {c.external_id: c for c in Cigar.objects.select_related("line__brand")}
    brands = {c.line.brand.name.lower(): c.line.brand.name for c in cigars.values()}
    linked = 0
    for entry in CustomsPriceEntry.objects.filter(publication=publication):
        key = truth.get(label_key(entry.new_label or entry.raw_label)) or truth.get(
            label_key(entry.raw_label)
        )
        cigar = cigars.get(key or "")
        if cigar is None:
            first = entry.raw_label.split()[0].lower()
            if first in brands:
                entry.brand_guess = brands[first]
                entry.save(update_fields=["brand_guess"])
            continue
        CigarCustomsMatch.objects.create(
            cigar=cigar,
            price_entry=entry,
            match_method=MatchMethod.EXACT,
            score=Decimal("0.990"),
            status=MatchStatus.AUTO_ACCEPTED,
        )
        entry.brand_guess = cigar.line.brand.name
        entry.save(update_fields=["brand_guess"])
        linked += 1
    return linked


def ingest(source: CustomsSource, file_name: str) -> CustomsPublication:
    _run, publication = publication_ingest_file_run(
        source=source, path=DEMO_DIR / file_name, note="test", trigger="test"
    )
    assert publication is not None
    assert publication.status == "ingested", publication.error
    link_by_answer_key(publication)
    return publication


@pytest.fixture
def douane(db) -> CustomsSource:
    return CustomsSource.objects.get(slug="fr-douane-opendata")


@pytest.fixture
def demo_editions(douane) -> tuple[CustomsPublication, CustomsPublication]:
    load_habanos()
    a = ingest(douane, EDITION_A_FILE)
    b = ingest(douane, EDITION_B_FILE)
    assert (a.effective_date, b.effective_date) == (EFFECTIVE_A, EFFECTIVE_B)
    return a, b


def entry_of(publication: CustomsPublication, label: str) -> CustomsPriceEntry:
    return CustomsPriceEntry.objects.get(publication=publication, raw_label=label)


def cigar_of(publication: CustomsPublication, label: str) -> Cigar:
    return CigarCustomsMatch.objects.get(price_entry=entry_of(publication, label)).cigar


@pytest.fixture
def owner(db):
    return UserFactory(email="watcher@example.com")


class Receiver:
    """Webhook receiver on the local test server: verifies each signature as a client
    would, and answers the scripted statuses (then 200)."""

    def __init__(self, server, path: str = "/hook") -> None:
        self.server = server
        self.path = path
        self.secret = ""
        self.statuses: list[int] = []
        self.received: list[dict] = []
        server.route(path, self._handle)

    @property
    def url(self) -> str:
        return self.server.url(self.path)

    def _handle(self, request) -> Reply:
        headers = {k.lower(): v for k, v in request.headers.items()}
        timestamp = headers.get("x-cigarspace-timestamp", "")
        expected = (
            "v1="
            + hmac.new(
                self.secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
            ).hexdigest()
        )
        self.received.append(
            {
                "valid": hmac.compare_digest(expected, headers.get("x-cigarspace-signature", "")),
                "delivery": headers.get("x-cigarspace-delivery"),
                "event": headers.get("x-cigarspace-event"),
                "timestamp": timestamp,
                "body": json.loads(request.body),
            }
        )
        status = self.statuses.pop(0) if self.statuses else 200
        return Reply(status, b"{}", {"Content-Type": "application/json"})


@pytest.fixture
def receiver(http_server) -> Receiver:
    return Receiver(http_server)
