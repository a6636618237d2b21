"""Review console fixtures: reviewers with and without the permission, and a queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

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


@pytest.fixture
def queue(db):
    """Three pending entries, each with a best candidate and two alternatives."""
    brand = BrandFactory(name="Cohiba", slug="cohiba")
    line = CigarLineFactory(brand=brand, name="Siglo", slug="siglo")
    cigars = [
        CigarFactory(line=line, vitola_name=name, full_name=f"Cohiba Siglo {name}", slug=slug)
        for name, slug in (("VI", "cohiba-siglo-vi"), ("IV", "cohiba-siglo-iv"), ("II", "s-ii"))
    ]
    for cigar in cigars:
        CigarPackageFactory(cigar=cigar, pack_size=25)
    publication = CustomsPublicationFactory(effective_date=dt.date(2026, 11, 1))
    entries, best = [], []
    labels = ("Cohiba Siglo VI, en 25", "Cohiba Siglo IV, en 25", "Cohiba Siglo II, en 25")
    for index, label in enumerate(labels):
        entry = CustomsPriceEntryFactory(
            publication=publication,
            raw_label=label,
            normalised_label=label.lower(),
            pack_price=Decimal(1000 + 100 * index),
        )
        entries.append(entry)
        for rank, cigar in enumerate([cigars[index], *[c for c in cigars if c != cigars[index]]]):
            match = CigarCustomsMatchFactory(
                cigar=cigar,
                price_entry=entry,
                rank=rank + 1,
                score=Decimal("0.700") - Decimal("0.1") * rank,
                status="PENDING_REVIEW" if rank == 0 else "AUTO_REJECTED",
            )
            if rank == 0:
                best.append(match)
    return {"cigars": cigars, "entries": entries, "best": best, "publication": publication}
