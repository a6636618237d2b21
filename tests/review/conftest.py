"""Review console fixtures: reviewers with and without the permission, and a queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils.text import slugify

from catalogue.naming import search_key
from tests.factories import (
    BrandFactory,
    CigarCustomsMatchFactory,
    CigarFactory,
    CigarLineFactory,
    CigarPackageFactory,
    CustomsPriceEntryFactory,
    CustomsPublicationFactory,
    OperatorFactory,
)


def grant_review(user):
    user.user_permissions.add(
        Permission.objects.get(codename="review_match", content_type__app_label="matching")
    )
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def reviewer(db):
    """Staff, not a superuser, with only ``matching.review_match``."""
    return grant_review(OperatorFactory(email="reviewer@example.com"))


@pytest.fixture
def staff_without_review(db):
    return OperatorFactory(email="staff@example.com")


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


VITOLAS = ("VI", "IV", "II", "I", "III", "V", "Medio Siglo", "Magicos")


def build_queue(*, entries: int = 3) -> dict:
    """``entries`` pending entries (1 to 8), each with a best candidate and two alternatives.

    Scores are equal, so the queue runs from the dearest pack to the cheapest.
    """
    brand = BrandFactory(name="Cohiba", slug="cohiba")
    line = CigarLineFactory(brand=brand, name="Siglo", slug="siglo")
    cigars = []
    for name in VITOLAS[:entries] if entries >= 3 else VITOLAS[:3]:
        full_name = f"Cohiba Siglo {name}"
        cigar = CigarFactory(
            line=line,
            vitola_name=name,
            full_name=full_name,
            search_name=search_key(full_name),
            slug=slugify(full_name),
        )
        CigarPackageFactory(cigar=cigar, pack_size=25)
        cigars.append(cigar)
    publication = CustomsPublicationFactory(effective_date=dt.date(2026, 11, 1))
    made, best = [], []
    for index in range(entries):
        label = f"Cohiba Siglo {VITOLAS[index]}, en 25"
        entry = CustomsPriceEntryFactory(
            publication=publication,
            raw_label=label,
            normalised_label=label.lower(),
            pack_price=Decimal(1000 + 100 * index),
        )
        made.append(entry)
        others = [c for c in cigars if c != cigars[index]][:2]
        for rank, cigar in enumerate([cigars[index], *others]):
            match = CigarCustomsMatchFactory(
                cigar=cigar,
                price_entry=entry,
                rank=rank + 1,
                score=Decimal("0.700") - Decimal("0.1") * rank,
                status="PENDING_REVIEW" if rank == 0 else "AUTO_REJECTED",
            )
            if rank == 0:
                best.append(match)
    return {"cigars": cigars, "entries": made, "best": best, "publication": publication}


@pytest.fixture
def queue(db):
    """Three pending entries, each with a best candidate and two alternatives."""
    return build_queue(entries=3)
