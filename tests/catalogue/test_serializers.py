import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from rest_framework import serializers

from catalogue import services
from catalogue.models import Cigar, MediaAsset, TastingNote
from catalogue.selectors import cigar_detail, cigar_list
from catalogue.serializers import CigarDetailOutput, CigarListOutput, CigarSearchOutput
from tests.factories import (
    BlendComponentFactory,
    CigarPackageFactory,
    MediaAssetFactory,
    MediaBlobFactory,
    TastingNoteFactory,
)

pytestmark = pytest.mark.django_db


def field_by_field(cigar) -> dict:
    data = serializers.ModelSerializer.to_representation(CigarSearchOutput(), cigar)
    return dict(data)


def test_list_rows_give_the_output_drf_gives_field_by_field_for_the_cigar(catalogue):
    cigar = catalogue["cigars"]["robustos"]
    services.cigar_update(cigar=cigar, weight_g=Decimal("11.5"), vitola_de_galera=None)
    rows = list(cigar_list(filters={}))
    assert len(rows) == Cigar.objects.count()
    rows[0]["search_score"] = 0.75
    for row in rows:
        instance = Cigar.objects.select_related("line__brand").get(pk=row["id"])
        instance.search_score = row.get("search_score")
        assert CigarSearchOutput(row).data == field_by_field(instance)
        # Model instances (the summary part of the detail) give the same output too.
        assert CigarSearchOutput(instance).data == field_by_field(instance)
    assert CigarSearchOutput(rows[0]).data["score"] == 0.75
    robustos = next(r for r in rows if r["id"] == cigar.pk)
    assert CigarSearchOutput(robustos).data["weight_g"] == "11.50"
    assert CigarSearchOutput(robustos).data["length_mm"] == "124.0"
    assert CigarSearchOutput(robustos).data["vitola_de_galera"] is None
    assert set(CigarSearchOutput(robustos).data) == {*CigarListOutput.Meta.fields, "score"}


def test_fast_detail_output_equals_drf_field_by_field_output(catalogue):
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


def _orm_detail(pk):
    """What cigar_detail loaded before it was one statement: the ORM's own prefetch."""
    return (
        Cigar.objects.select_related("line__brand")
        .prefetch_related(
            "blend",
            "packages",
            Prefetch(
                "media",
                queryset=MediaAsset.objects.select_related("blob").order_by(
                    "-is_primary", "position", "id"
                ),
            ),
            Prefetch(
                "tasting_notes",
                queryset=TastingNote.objects.order_by("-tasted_on", "-created_at", "-id"),
            ),
        )
        .get(pk=pk)
    )


def _field_values(instance) -> dict:
    return {
        f.attname: getattr(instance, f.attname)
        for f in type(instance)._meta.concrete_fields
        if f.attname not in {"embedding", "search_name", "search_words"}
    }


def test_one_statement_detail_loads_what_the_orm_prefetch_loads(
    catalogue, django_assert_num_queries
):
    cigar = catalogue["cigars"]["robustos"]
    services.cigar_update(
        cigar=cigar,
        weight_g=Decimal("11.57"),
        tasting_profile={"body": "full", "ratio": 0.1, "notes": ["cedar"]},
    )
    BlendComponentFactory(cigar=cigar, role="filler", leaf="Ligero", country="Cuba", position=1)
    CigarPackageFactory(
        cigar=cigar,
        pack_size=50,
        price=Decimal("1234567890.12"),  # beyond a float's exact decimals once scaled
        currency="EUR",
        observed_at=dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC),  # no microseconds
    )
    MediaAssetFactory(cigar=cigar, blob=MediaBlobFactory(width=640, height=480), position=3)
    MediaAssetFactory(cigar=cigar, is_primary=True, position=7)
    TastingNoteFactory(cigar=cigar, tasted_on=None, pairings=["rum", "café"])
    TastingNoteFactory(cigar=cigar, tasted_on=dt.date(2025, 1, 1))
    TastingNoteFactory(cigar=cigar, tasted_on=dt.date(2026, 1, 1), score=None)

    with django_assert_num_queries(1):
        fast = cigar_detail(pk=cigar.pk)
        relations = {
            name: list(getattr(fast, name).all())
            for name in ("blend", "packages", "media", "tasting_notes")
        }
        blobs = [asset.blob for asset in relations["media"]]
        brand = fast.line.brand
    slow = _orm_detail(cigar.pk)
    assert _field_values(fast) == _field_values(slow)
    assert fast.tasting_profile["ratio"] == 0.1  # a float, as JSONField loads it
    assert (fast.line.pk, fast.line.name, fast.line.slug) == (
        slow.line.pk,
        slow.line.name,
        slow.line.slug,
    )
    assert (brand.pk, brand.name, brand.slug) == (
        slow.line.brand.pk,
        slow.line.brand.name,
        slow.line.brand.slug,
    )
    for name, loaded in relations.items():
        expected = list(getattr(slow, name).all())
        assert [_field_values(x) for x in loaded] == [_field_values(x) for x in expected], name
        assert all(x.cigar is fast for x in loaded)  # no query back to the cigar
    assert [_field_values(b) for b in blobs] == [_field_values(a.blob) for a in slow.media.all()]
    assert relations["media"][0].is_primary
    assert [n.tasted_on for n in relations["tasting_notes"]][:2] == [None, dt.date(2026, 1, 1)]
    assert Decimal("1234567890.12") in {p.price for p in relations["packages"]}
    # Deferred columns still load on access, and filtering a relation still queries.
    assert fast.search_name == slow.search_name
    assert list(fast.packages.filter(pack_size=50)) == [
        p for p in relations["packages"] if p.pack_size == 50
    ]


def test_detail_of_a_missing_cigar_is_404(db):
    with pytest.raises(Http404):
        cigar_detail(pk=987654321)
