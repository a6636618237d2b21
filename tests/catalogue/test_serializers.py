from decimal import Decimal

import pytest
from rest_framework import serializers

from catalogue import services
from catalogue.selectors import cigar_list
from catalogue.serializers import CigarListOutput, CigarSearchOutput

pytestmark = pytest.mark.django_db


def field_by_field(cigar) -> dict:
    data = serializers.ModelSerializer.to_representation(CigarSearchOutput(), cigar)
    return dict(data)


def test_fast_list_output_equals_drf_field_by_field_output(catalogue):
    cigar = catalogue["cigars"]["robustos"]
    services.cigar_update(cigar=cigar, weight_g=Decimal("11.5"), vitola_de_galera=None)
    rows = list(cigar_list(filters={}))
    rows[0].search_score = 0.75
    for row in rows:
        assert CigarSearchOutput(row).data == field_by_field(row)
    assert CigarSearchOutput(rows[0]).data["score"] == 0.75
    robustos = next(r for r in rows if r.pk == cigar.pk)
    assert CigarSearchOutput(robustos).data["weight_g"] == "11.50"
    assert CigarSearchOutput(robustos).data["length_mm"] == "124.0"
    assert set(CigarSearchOutput(robustos).data) == {*CigarListOutput.Meta.fields, "score"}


def test_fast_detail_output_equals_drf_field_by_field_output(catalogue):
    import datetime as dt

    from django.utils import timezone

    from catalogue.selectors import cigar_detail
    from catalogue.serializers import CigarDetailOutput
    from tests.factories import (
        BlendComponentFactory,
        CigarPackageFactory,
        MediaAssetFactory,
        MediaBlobFactory,
        TastingNoteFactory,
    )

    cigar = catalogue["cigars"]["robustos"]
    services.cigar_update(
        cigar=cigar, weight_g=Decimal("11.5"), tasting_profile={"body": "full", "notes": ["cedar"]}
    )
    BlendComponentFactory(cigar=cigar, role="wrapper", leaf="Corojo", country="Cuba")
    BlendComponentFactory(cigar=cigar, role="filler", leaf="", country="Cuba", position=1)
    CigarPackageFactory(cigar=cigar, pack_size=10, packaging="cabinet")
    CigarPackageFactory(
        cigar=cigar,
        pack_size=3,
        packaging="tube",
        price=Decimal("61.5"),
        currency="EUR",
        merchant="Shop",
        source_url="https://shop.example/p",
        observed_at=timezone.now(),
        is_available=False,
    )
    MediaAssetFactory(cigar=cigar, blob=MediaBlobFactory(width=640, height=480), is_primary=True)
    MediaAssetFactory(cigar=cigar, original_url="https://img.example/x.png", position=2)
    TastingNoteFactory(cigar=cigar, pairings=["rum"], tasted_on=dt.date(2026, 5, 1))
    TastingNoteFactory(cigar=cigar, score=None, tasted_on=None)
    TastingNoteFactory(cigar=catalogue["cigars"]["no 2"])  # another cigar's note

    for pk in (cigar.pk, catalogue["cigars"]["no 2"].pk):
        detailed = cigar_detail(pk=pk)
        fast = CigarDetailOutput(detailed).data
        slow = serializers.ModelSerializer.to_representation(CigarDetailOutput(), detailed)
        assert fast == _plain(slow)
    fast = CigarDetailOutput(cigar_detail(pk=cigar.pk)).data
    # Every related list is filled (the fixture already gives the cigar some rows).
    assert all(len(fast[k]) >= 2 for k in ("blend", "packages", "media", "tasting_notes"))
    assert {p["price"] for p in fast["packages"]} == {None, "61.50"}


def _plain(value):
    """DRF's field-by-field output uses OrderedDict/ReturnDict: compare as plain data."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
