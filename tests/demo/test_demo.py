"""``manage.py demo_setup``: the whole demo through the real pipeline, idempotent.

One test runs the full load twice (catalogue, both editions parsed, ingested, embedded
with the packaged model and matched, the scripted review) because that is the contract:
the second run changes nothing and duplicates nothing.
"""

from __future__ import annotations

import io
import json
import stat

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from catalogue.models import Cigar
from customs.demo.editions import (
    EDITION_A_FILE,
    EDITION_B_FILE,
    HABANOS,
    RENAMES,
    WITHDRAWN,
    edition_rows,
    truth_by_label,
)
from customs.demo.spain import CMT_LINES
from customs.models import CustomsPriceEntry, CustomsPublication
from customs.rows import is_cigar_category
from matching.models import CigarCustomsMatch, MatchStatus

pytestmark = pytest.mark.django_db(transaction=True)

COUNTED_MODELS = [
    "catalogue.Brand",
    "catalogue.Cigar",
    "catalogue.CigarAlias",
    "customs.CustomsPublication",
    "customs.CustomsPriceEntry",
    "matching.CigarCustomsMatch",
    "matching.MatchEvent",
    "accounts.User",
    "media.MediaBlob",
]


def _counts() -> dict[str, int]:
    return {name: apps.get_model(name).objects.count() for name in COUNTED_MODELS}


def _run(monkeypatch, tmp_path) -> str:
    # Not settings.CIGARSPACE_DATA_DIR: the embedded database lives there.
    monkeypatch.setattr("demo.setup.credentials_file", lambda: tmp_path / "demo-operator.json")
    out = io.StringIO()
    call_command("demo_setup", stdout=out, verbosity=0)
    return out.getvalue()


def test_demo_loads_everything_once_and_a_second_run_changes_nothing(monkeypatch, tmp_path):
    first = _run(monkeypatch, tmp_path)
    after_first = _counts()
    matches_first = sorted(
        CigarCustomsMatch.objects.values_list("price_entry_id", "cigar_id", "status", "score")
    )

    second = _run(monkeypatch, tmp_path)

    assert _counts() == after_first
    assert (
        sorted(
            CigarCustomsMatch.objects.values_list("price_entry_id", "cigar_id", "status", "score")
        )
        == matches_first
    )
    # Same summary table both times (the creation line and the review line aside).
    table = [line for line in first.splitlines() if line.startswith(("A ", "B ", "Edition"))]
    assert table
    assert table == [
        line for line in second.splitlines() if line.startswith(("A ", "B ", "Edition"))
    ]

    # The catalogue, two editions in date order, the operator.
    assert after_first["catalogue.Cigar"] == 188
    a, b = CustomsPublication.objects.filter(source__slug="fr-douane-opendata").order_by(
        "effective_date"
    )
    assert (str(a.effective_date), str(b.effective_date)) == ("2026-06-01", "2026-11-01")
    assert a.metadata["file_name"] == EDITION_A_FILE
    assert b.metadata["file_name"] == EDITION_B_FILE
    assert after_first["accounts.User"] == 1

    # Only cigar rows became entries: cigarettes, heated and rolling tobacco never do.
    assert all(
        is_cigar_category(c) for c in CustomsPriceEntry.objects.values_list("category", flat=True)
    )
    cigar_rows = sum(
        1
        for row in edition_rows("A")
        if len(row) > 2 and (row[0] or row[1]) and "cigares" in str(row[0] or row[1]).lower()
    )
    assert a.entry_count >= cigar_rows - 5  # the few labels without "cigares" are counted too
    assert not a.entries.filter(raw_label__icontains="cigarettes").exists()
    assert not a.entries.filter(raw_label__icontains=" g").filter(raw_label__endswith=" g").exists()

    # Edition B's diff against A: the renames and withdrawals the demo data declares.
    assert b.entries.filter(change_kind="renamed").count() == len(RENAMES)
    assert b.entries.filter(change_kind="withdrawn").count() == len(WITHDRAWN)
    assert b.entries.filter(change_kind="new").count() >= 5

    # The review queue is not empty: an operator opening the admin has work.
    assert CigarCustomsMatch.objects.filter(status=MatchStatus.PENDING_REVIEW).exists()
    # What the operator taught on edition A comes back in edition B as aliases.
    assert CigarCustomsMatch.objects.filter(
        price_entry__publication=b, match_method="alias", status=MatchStatus.AUTO_ACCEPTED
    ).exists()
    # The scripted review left human decisions, each by the demo operator.
    human = CigarCustomsMatch.objects.filter(
        status__in=[MatchStatus.HUMAN_ACCEPTED, MatchStatus.HUMAN_REJECTED]
    )
    assert human.exists()
    assert set(human.values_list("decided_by__email", flat=True)) == {"operator@cigarspace.local"}

    # No cigar the catalogue does not hold was auto-accepted (the answer key says which).
    truth = truth_by_label()
    for entry in CustomsPriceEntry.objects.filter(
        matches__status=MatchStatus.AUTO_ACCEPTED, publication__source__slug="fr-douane-opendata"
    ).prefetch_related("matches__cigar"):
        label = " ".join((entry.new_label or entry.raw_label).split())
        accepted = next(m for m in entry.matches.all() if m.status == MatchStatus.AUTO_ACCEPTED)
        assert truth[label] is not None, f"{label!r} auto-accepted but not in the catalogue"
        assert accepted.cigar.external_id == truth[label]

    _check_spain(first, second)

    # Credentials printed, and kept private for the next run.
    assert "operator@cigarspace.local" in first
    credentials = tmp_path / "demo-operator.json"
    password = json.loads(credentials.read_text())["password"]
    assert f"Password:     {password}" in first
    assert f"Password:     {password}" in second
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600

    # The printed credentials open the admin's review queue.
    browser = Client()
    assert browser.login(email="operator@cigarspace.local", password=password)
    queue = browser.get("/admin/matching/cigarcustomsmatch/")
    assert queue.status_code == 200
    # Each demo product once: its editions and presentations are one item.
    shown = [row.price_entry.normalised_label for row in queue.context["cl"].result_list]
    assert shown
    assert len(shown) == len(set(shown))
    assert "Review queue:" in first


def _check_spain(first: str, second: str) -> None:
    """The Spanish snapshot and resolution are in, matched, and a Habanos cigar shows both
    countries' prices (API and admin), with the Spanish citation."""
    boe = CustomsPublication.objects.get(source__slug="es-boe")
    cmt = CustomsPublication.objects.get(source__slug="es-cmt")
    assert (cmt.zone, cmt.entry_count) == ("peninsula", len(CMT_LINES))
    assert str(boe.effective_date) == "2026-11-28"  # "el día siguiente al de su publicación"
    assert set(boe.entries.values_list("zone", flat=True)) == {"peninsula", "ceuta-melilla"}

    truth = {" ".join(line.name.split()): line.truth for line in CMT_LINES}
    accepted = CigarCustomsMatch.objects.filter(
        price_entry__publication=cmt, status=MatchStatus.AUTO_ACCEPTED
    ).select_related("price_entry", "cigar")
    assert accepted.count() >= 12
    for match in accepted:
        assert match.cigar.external_id == truth[match.price_entry.raw_label]

    epicure = Cigar.objects.get(full_name="Hoyo de Monterrey Epicure No.2")
    series = Client().get(f"/api/v1/cigars/{epicure.pk}/prices/").json()["results"]
    assert {"ES", "FR"} <= {s["country"] for s in series}
    assert any(s["citation"].startswith("Fuente: Ministerio de Hacienda") for s in series)
    assert "Across countries" in first
    assert "Hoyo de Monterrey Epicure No.2" in first
    assert "Fuente: Ministerio de Hacienda" in first
    assert [line for line in first.splitlines() if line.startswith("  ES ")] == [
        line for line in second.splitlines() if line.startswith("  ES ")
    ]


def test_demo_data_names_catalogue_cigars_that_exist():
    """The answer key points at real rows of the demo catalogue file."""
    import csv
    from pathlib import Path

    from django.conf import settings

    path = Path(settings.BASE_DIR) / "catalogue" / "fixtures" / "habanos-2016.csv"
    with path.open(encoding="utf-8") as handle:
        known = {row["external_id"] for row in csv.DictReader(handle)}
    named = {line.truth for line in HABANOS if line.truth}

    assert named <= known
    assert len(named) >= 90
    assert {line.truth for line in CMT_LINES if line.truth} <= known
