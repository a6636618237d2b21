"""Input and output shapes of the matches API (small, per endpoint)."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from matching.models import CigarCustomsMatch, MatchStatus

DECISIONS = (MatchStatus.HUMAN_ACCEPTED, MatchStatus.HUMAN_REJECTED)


# A pattern rather than an enum: drf-spectacular names enums after the field, and a second
# "status" enum (the publications' is the first) warns about the collision.
@extend_schema_field(
    {
        "type": "string",
        "pattern": "^(" + "|".join(MatchStatus.values) + ")$",
        "description": "Match status (docs/api.md): " + ", ".join(MatchStatus.values) + ".",
    }
)
class MatchStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=MatchStatus.choices, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^(" + "|".join(DECISIONS) + ")$",
        "description": "A human decision: " + " or ".join(DECISIONS) + ".",
    }
)
class DecisionField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[(s.value, s.label) for s in DECISIONS], **kwargs)


class MatchQuery(serializers.Serializer):
    status = MatchStatusField(required=False)
    source = serializers.SlugField(required=False, help_text="Source slug.")
    publication = serializers.IntegerField(required=False, min_value=1)
    cigar = serializers.IntegerField(required=False, min_value=1)
    entry = serializers.IntegerField(required=False, min_value=1)
    rank = serializers.IntegerField(required=False, min_value=1)
    score_min = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        required=False,
    )
    score_max = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        required=False,
    )

    def validate(self, attrs):
        low, high = attrs.get("score_min"), attrs.get("score_max")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"score_min": "must not exceed score_max"})
        return attrs


class MatchCigarOutput(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    full_name = serializers.CharField()


class MatchEntryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    raw_label = serializers.CharField()
    new_label = serializers.CharField()
    pack_size = serializers.IntegerField(allow_null=True)
    packaging = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    pack_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField(source="currency_code")
    publication = serializers.IntegerField(source="publication_id")
    source = serializers.CharField(source="publication.source.slug")
    effective_date = serializers.DateField(source="publication.effective_date", allow_null=True)


class MatchOutput(serializers.ModelSerializer):
    cigar = MatchCigarOutput()
    price_entry = MatchEntryOutput()
    decided_by = serializers.EmailField(source="decided_by.email", allow_null=True, default=None)
    status = MatchStatusField(read_only=True)

    class Meta:
        model = CigarCustomsMatch
        fields = [
            "id",
            "cigar",
            "price_entry",
            "match_method",
            "score",
            "signals",
            "status",
            "rank",
            "decided_by",
            "decided_at",
            "note",
            "created_at",
            "updated_at",
        ]


class AlternativeOutput(serializers.ModelSerializer):
    cigar = MatchCigarOutput()
    status = MatchStatusField(read_only=True)

    class Meta:
        model = CigarCustomsMatch
        fields = ["id", "cigar", "match_method", "score", "signals", "status", "rank"]


class SignalContribution(serializers.Serializer):
    signal = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    weight = serializers.FloatField()
    contribution = serializers.FloatField()


class Penalty(serializers.Serializer):
    constraint = serializers.CharField()
    amount = serializers.FloatField()


class ExplanationOutput(serializers.Serializer):
    score = serializers.FloatField()
    recomputed_score = serializers.FloatField()
    status = serializers.CharField()
    thresholds = serializers.DictField(child=serializers.FloatField())
    signals = SignalContribution(many=True)
    penalties = Penalty(many=True)
    constraints = serializers.ListField(child=serializers.CharField())
    tokens = serializers.DictField()
    parsed = serializers.DictField()


class MatchDetailOutput(MatchOutput):
    alternatives = AlternativeOutput(many=True, read_only=True)
    explanation = ExplanationOutput(read_only=True)

    class Meta(MatchOutput.Meta):
        fields = [*MatchOutput.Meta.fields, "alternatives", "explanation"]


class MatchDecisionInput(serializers.Serializer):
    status = DecisionField(
        required=False,
        help_text="HUMAN_ACCEPTED or HUMAN_REJECTED (omit when re-pointing with `cigar`).",
    )
    cigar = serializers.IntegerField(
        required=False, min_value=1, help_text="Re-point the entry to this cigar."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, attrs):
        if ("status" in attrs) == ("cigar" in attrs):
            raise serializers.ValidationError("Send either `status` or `cigar`, not both or none.")
        return attrs


class PricePoint(serializers.Serializer):
    effective_date = serializers.DateField(allow_null=True)
    publication_id = serializers.IntegerField()
    publication_external_id = serializers.CharField()
    entry_id = serializers.IntegerField()
    label = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    pack_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    surcharge_unit_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Per cigar at outlets allowed a surcharge (Spain); null elsewhere.",
    )
    surcharge_pack_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True
    )
    is_withdrawn = serializers.BooleanField()
    match_id = serializers.IntegerField()
    status = serializers.CharField()


class PriceSeriesOutput(serializers.Serializer):
    """One series: a source's prices in one zone and pack size; series come grouped by
    country, then source."""

    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 of the source.")
    source = serializers.CharField()
    zone = serializers.CharField(help_text="The price zone (Spain); blank for a single list.")
    citation = serializers.CharField(
        help_text="Attribution the source's terms require, with the date of the data."
    )
    pack_size = serializers.IntegerField(allow_null=True)
    packaging = serializers.CharField()
    currency = serializers.CharField()
    prices = PricePoint(many=True)


class EntryDecisionInput(serializers.Serializer):
    """What every entry-level decision takes: a note, and the version the client saw.

    The version is the entry's best match as loaded: its ``ETag`` in ``If-Match`` (as for
    ``PATCH /matches/{id}``) or its ``updated_at`` here. Omitted, the decision is refused
    only when a human already decided the entry.
    """

    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    expected_updated_at = serializers.DateTimeField(
        required=False, help_text="The best match's `updated_at` as loaded (or use If-Match)."
    )


class EntryCreateCigarInput(EntryDecisionInput):
    brand_name = serializers.CharField(max_length=120)
    line_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    vitola_name = serializers.CharField(max_length=160)
    vitola_de_galera = serializers.CharField(max_length=120, required=False, allow_blank=True)
    length_mm = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True
    )
    ring_gauge = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    pack_size = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    packaging = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CigarMergeInput(serializers.Serializer):
    into = serializers.IntegerField(min_value=1, help_text="The cigar that stays.")
    reason = serializers.CharField(max_length=2000, help_text="Why they are the same cigar.")


class CigarMergeOutput(serializers.Serializer):
    into_id = serializers.IntegerField()
    duplicate_id = serializers.IntegerField()
    matches_moved = serializers.IntegerField()
    matches_folded = serializers.IntegerField()
    events_written = serializers.IntegerField()
    catalogue = serializers.DictField(child=serializers.IntegerField())
