"""The cigar admin completed by the console: price-history chart, accepted lines, pictures."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from matching.models import MatchStatus
from tests.factories import (
    CigarCustomsMatchFactory,
    CigarFactory,
    CustomsPriceEntryFactory,
    CustomsPublicationFactory,
    CustomsSourceFactory,
    MediaAssetFactory,
)

pytestmark = pytest.mark.django_db

EDITIONS = (dt.date(2025, 1, 1), dt.date(2025, 7, 1), dt.date(2026, 1, 1))


@pytest.fixture
def priced_cigar(db):
    """A cigar priced in three French editions (packs of 25 and of 10) and one Swiss one."""
    cigar = CigarFactory(full_name="Cohiba Robustos")
    france = CustomsSourceFactory()
    for index, day in enumerate(EDITIONS):
        publication = CustomsPublicationFactory(source=france, effective_date=day)
        for pack, unit in ((25, Decimal("30.00")), (10, Decimal("31.00"))):
            price = unit + index
            entry = CustomsPriceEntryFactory(
                publication=publication,
                raw_label=f"Cohiba Robustos, en {pack} (edition {index})",
                pack_size=pack,
                unit_price=price,
                pack_price=price * pack,
            )
            CigarCustomsMatchFactory(
                cigar=cigar, price_entry=entry, status=MatchStatus.AUTO_ACCEPTED
            )
    swiss = CustomsSourceFactory(slug="ch-ofdf", name="OFDF", country="CH", currency="CHF")
    entry = CustomsPriceEntryFactory(
        publication=CustomsPublicationFactory(source=swiss, effective_date=EDITIONS[1]),
        raw_label="Cohiba Robustos 25 <script>",
        pack_size=25,
        unit_price=Decimal("40.00"),
        pack_price=Decimal("1000.00"),
        currency_code="CHF",
    )
    CigarCustomsMatchFactory(cigar=cigar, price_entry=entry, status=MatchStatus.HUMAN_ACCEPTED)
    # A pending candidate is not a price of this cigar.
    CigarCustomsMatchFactory(
        cigar=cigar,
        price_entry__raw_label="Cohiba Robustos pending",
        status=MatchStatus.PENDING_REVIEW,
    )
    return cigar


def test_cigar_page_draws_one_line_per_country(reviewer_client, priced_cigar):
    response = reviewer_client.get(reverse("admin:catalogue_cigar_change", args=[priced_cigar.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    svg = re.search(r'<svg class="review-chart price-history".*?</svg>', page, re.S).group(0)
    series = re.findall(r'<polyline points="([^"]+)"[^>]*data-series="([^"]+)"', svg)
    # One line per country, whatever the pack (the cheapest per cigar on each date).
    assert sorted(name for _, name in series) == ["France", "Switzerland"]
    points = {name: coords.split() for coords, name in series}
    assert len(points["France"]) == 3
    assert len(points["Switzerland"]) == 1
    # Prices rise edition after edition: y (downwards in SVG) decreases.
    ys = [float(p.split(",")[1]) for p in points["France"]]
    assert ys == sorted(ys, reverse=True)
    for day in EDITIONS:
        assert day.isoformat() in svg
    # The table under the chart, and labels escaped.
    assert "Cohiba Robustos 25 &lt;script&gt;" in page
    assert "<script>" not in svg


def test_accepted_lines_are_inline_and_pending_ones_are_not(reviewer_client, priced_cigar):
    page = reviewer_client.get(
        reverse("admin:catalogue_cigar_change", args=[priced_cigar.pk])
    ).content.decode()

    assert "accepted price lines" in page.lower()
    assert page.count("Cohiba Robustos, en 25 (edition") == 3 * 2  # inline + history table
    assert "Cohiba Robustos pending" not in page


def test_cigar_without_price_says_so(reviewer_client):
    cigar = CigarFactory()

    page = reviewer_client.get(reverse("admin:catalogue_cigar_change", args=[cigar.pk]))

    assert page.status_code == 200
    assert "No official price linked to this cigar yet." in page.content.decode()


def test_cigar_list_shows_primary_thumbnails(reviewer_client, priced_cigar):
    asset = MediaAssetFactory(cigar=priced_cigar, is_primary=True)
    CigarFactory(full_name="Without picture")

    response = reviewer_client.get(reverse("admin:catalogue_cigar_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"/api/v1/media/blobs/{asset.blob.digest}/thumbnails/256" in page
    assert "Without picture" in page


def test_staff_without_review_permission_cannot_open_cigars(client, staff_without_review):
    cigar = CigarFactory()
    client.force_login(staff_without_review)

    assert client.get(reverse("admin:catalogue_cigar_change", args=[cigar.pk])).status_code == 403


def test_superuser_still_edits_cigars(admin_client_logged_in):
    cigar = CigarFactory()

    page = admin_client_logged_in.get(reverse("admin:catalogue_cigar_change", args=[cigar.pk]))

    assert page.status_code == 200
    assert 'name="_save"' in page.content.decode()
