"""``GET /api/v1/prices/comparison/``: one cigar's official prices side by side across
countries (JSON, paginated; or the whole comparison as CSV with ``?format=csv`` or
``Accept: text/csv``). A thin view over ``matching.comparison``.

Wherever a price comes from a source whose terms require a citation (Spain: the
Ministerio de Hacienda, with the date of the data), the citation travels with it: per
price and once per page in JSON, in a column per country in the CSV.
"""

from __future__ import annotations

import csv
import io
import re

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from accounts.permissions import AnonymousReadOperatorWrite
from cigarspace.api import PagePagination, page_size_parameter, validated_query
from matching.comparison import (
    DEFAULT_COUNTRIES,
    CigarComparison,
    comparison_citations,
    price_comparison,
)

MAX_COUNTRIES = 6
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class CsvRenderer(BaseRenderer):
    """Rows (a list of lists, header first) as UTF-8 CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(data or [])
        return buffer.getvalue().encode("utf-8")


class ComparisonQuery(serializers.Serializer):
    countries = serializers.CharField(
        required=False,
        default=",".join(DEFAULT_COUNTRIES),
        help_text="ISO 3166-1 alpha-2 codes, comma-separated; the first is the base of the "
        "differences.",
    )
    brand = serializers.CharField(required=False, max_length=120, help_text="Name or slug.")
    line = serializers.CharField(required=False, max_length=120, help_text="Name or slug.")
    priced_in_all = serializers.BooleanField(
        required=False, default=False, help_text="Only cigars priced in every country asked."
    )

    def validate_countries(self, value: str) -> list[str]:
        codes = [code.strip().upper() for code in value.split(",") if code.strip()]
        if not codes or len(codes) > MAX_COUNTRIES or not all(_COUNTRY.match(c) for c in codes):
            raise serializers.ValidationError(
                f"One to {MAX_COUNTRIES} two-letter country codes, comma-separated (FR,ES)."
            )
        if len(set(codes)) != len(codes):
            raise serializers.ValidationError("A country is named twice.")
        return codes


class CountryPriceOutput(serializers.Serializer):
    country = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    effective_date = serializers.DateField()
    source = serializers.CharField()
    zone = serializers.CharField()
    label = serializers.CharField()
    pack_size = serializers.IntegerField(allow_null=True)
    entry_id = serializers.IntegerField()
    citation = serializers.CharField(help_text="Required attribution, dated; may be blank.")


class DifferenceOutput(serializers.Serializer):
    country = serializers.CharField()
    versus = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    percent = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)


class ComparisonOutput(serializers.Serializer):
    cigar_id = serializers.IntegerField()
    cigar = serializers.CharField()
    brand = serializers.CharField()
    line = serializers.CharField()
    prices = CountryPriceOutput(many=True)
    differences = DifferenceOutput(many=True)


def _as_output(row: CigarComparison, countries: list[str]) -> dict:
    return {
        "cigar_id": row.cigar_id,
        "cigar": row.cigar,
        "brand": row.brand,
        "line": row.line,
        "prices": [row.prices[c].__dict__ for c in countries if c in row.prices],
        "differences": row.differences(countries),
    }


def comparison_csv_rows(rows: list[CigarComparison], countries: list[str]) -> list[list]:
    header = ["cigar_id", "cigar", "brand", "line"]
    for country in countries:
        header += [
            f"{country}_unit_price",
            f"{country}_currency",
            f"{country}_date",
            f"{country}_source",
            f"{country}_label",
            f"{country}_citation",
        ]
    for country in countries[1:]:
        header += [f"{country}_minus_{countries[0]}", f"{country}_vs_{countries[0]}_percent"]
    lines: list[list] = [header]
    for row in rows:
        line: list = [row.cigar_id, row.cigar, row.brand, row.line]
        for country in countries:
            price = row.prices.get(country)
            line += (
                [
                    price.unit_price,
                    price.currency,
                    price.effective_date.isoformat(),
                    price.source,
                    price.label,
                    price.citation,
                ]
                if price
                else [""] * 6
            )
        for difference in row.differences(countries):
            line += [
                "" if difference["amount"] is None else difference["amount"],
                "" if difference["percent"] is None else difference["percent"],
            ]
        lines.append(line)
    return lines


class PriceComparisonApi(GenericAPIView):
    """The latest per-cigar official price of catalogue cigars in each country asked, the
    date of each, and the difference with the first country."""

    permission_classes = [AnonymousReadOperatorWrite]
    pagination_class = PagePagination
    serializer_class = ComparisonOutput
    renderer_classes = [JSONRenderer, CsvRenderer]
    filter_backends: list = []

    @extend_schema(
        operation_id="prices_comparison",
        parameters=[
            ComparisonQuery,
            page_size_parameter(),
            OpenApiParameter(
                "format", OpenApiTypes.STR, enum=["json", "csv"], description="csv: export."
            ),
        ],
        responses={
            200: OpenApiResponse(
                ComparisonOutput(many=True),
                description="JSON pages (with `citations`), or the whole comparison as CSV.",
            )
        },
    )
    def get(self, request):
        query = validated_query(ComparisonQuery, request)
        countries = query["countries"]
        rows = price_comparison(
            countries=countries,
            brand=query.get("brand"),
            line=query.get("line"),
            priced_in_all=query["priced_in_all"],
        )
        if request.accepted_renderer.format == "csv":
            name = "price-comparison-" + "-".join(countries).lower() + ".csv"
            return Response(
                comparison_csv_rows(rows, countries),
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        page = self.paginate_queryset(rows)
        response = self.get_paginated_response(
            ComparisonOutput([_as_output(r, countries) for r in page], many=True).data
        )
        response.data["countries"] = countries
        response.data["citations"] = comparison_citations(page)
        return response

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            # DRF answers an unknown ?format= with a 404; here it is a bad parameter.
            raise ValidationError({"format": ["Either json or csv."]}) from None

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # Every API error is JSON, even when the CSV export was asked for.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response
