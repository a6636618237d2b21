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
