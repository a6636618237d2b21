"""Catalogue REST API (/api/v1/): anonymous read, operator writes, all through services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from accounts.permissions import AnonymousReadOperatorWrite
from catalogue import selectors, services
from catalogue.models import Strength
from catalogue.packages import ParsedPackage
from catalogue.serializers import (
    BrandInput,
    BrandOutput,
    CigarDetailOutput,
    CigarInput,
    CigarSearchOutput,
    LineInput,
    LineOutput,
    SimilarOutput,
    TastingNoteInput,
    TastingNoteOutput,
)
from cigarspace.api import KeysetPagination, PagePagination, page_size_parameter


class CatalogueApi(GenericAPIView):
    permission_classes = [AnonymousReadOperatorWrite]
    # The project's throttles (settings) when configured, else DRF's "anon"/"user" scopes.
    throttle_classes: Sequence[Any] = api_settings.DEFAULT_THROTTLE_CLASSES or [
        AnonRateThrottle,
        UserRateThrottle,
    ]
    filter_backends: list = []  # the selectors apply the FilterSets


# --- brands ----------------------------------------------------------------------------------


class BrandListApi(CatalogueApi):
    serializer_class = BrandOutput
    pagination_class = PagePagination

    @extend_schema(
        operation_id="brands_list",
        parameters=[OpenApiParameter("country", OpenApiTypes.STR), page_size_parameter()],
        responses=BrandOutput(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.brand_list(filters=request.query_params))
        return self.get_paginated_response(BrandOutput(page, many=True).data)

    @extend_schema(operation_id="brands_create", request=BrandInput, responses={201: BrandOutput})
    def post(self, request):
        data = BrandInput(data=request.data)
        data.is_valid(raise_exception=True)
        brand = services.brand_create(**data.validated_data)
        return Response(BrandOutput(brand).data, status=status.HTTP_201_CREATED)


class BrandDetailApi(CatalogueApi):
    serializer_class = BrandOutput

    @extend_schema(operation_id="brands_retrieve", responses=BrandOutput)
    def get(self, request, pk: int):
        return Response(BrandOutput(selectors.brand_get(pk=pk)).data)

    @extend_schema(operation_id="brands_partial_update", request=BrandInput, responses=BrandOutput)
    def patch(self, request, pk: int):
        brand = selectors.brand_get(pk=pk)
        data = BrandInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        brand = services.brand_update(brand=brand, **data.validated_data)
        return Response(BrandOutput(brand).data)

    @extend_schema(operation_id="brands_destroy", responses={204: None})
    def delete(self, request, pk: int):
        services.brand_delete(brand=selectors.brand_get(pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- lines -----------------------------------------------------------------------------------


class LineListApi(CatalogueApi):
    serializer_class = LineOutput
    pagination_class = PagePagination

    @extend_schema(
        operation_id="lines_list",
        parameters=[
            OpenApiParameter("brand", OpenApiTypes.STR, description="Brand id or slug."),
            page_size_parameter(),
        ],
        responses=LineOutput(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.line_list(filters=request.query_params))
        return self.get_paginated_response(LineOutput(page, many=True).data)

    @extend_schema(operation_id="lines_create", request=LineInput, responses={201: LineOutput})
    def post(self, request):
        data = LineInput(data=request.data)
        data.is_valid(raise_exception=True)
        line = services.line_create(**data.validated_data)
        return Response(LineOutput(line).data, status=status.HTTP_201_CREATED)


class LineDetailApi(CatalogueApi):
    serializer_class = LineOutput

    @extend_schema(operation_id="lines_retrieve", responses=LineOutput)
    def get(self, request, pk: int):
        return Response(LineOutput(selectors.line_get(pk=pk)).data)

    @extend_schema(operation_id="lines_partial_update", request=LineInput, responses=LineOutput)
    def patch(self, request, pk: int):
        line = selectors.line_get(pk=pk)
        data = LineInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        line = services.line_update(line=line, **data.validated_data)
        return Response(LineOutput(line).data)

    @extend_schema(operation_id="lines_destroy", responses={204: None})
    def delete(self, request, pk: int):
        services.line_delete(line=selectors.line_get(pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- cigars ----------------------------------------------------------------------------------

CIGAR_FILTER_PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description="Hybrid search (trigram similarity on the normalised full name, fused "
        "with vector neighbours when embeddings exist). With q, results come ranked by "
        "relevance in one page of at most page_size items (no cursor).",
    ),
    OpenApiParameter("brand", OpenApiTypes.STR, description="Brand id or slug."),
    OpenApiParameter("line", OpenApiTypes.INT, description="Line id."),
    OpenApiParameter("length_min", OpenApiTypes.NUMBER, description="Minimum length (mm)."),
    OpenApiParameter("length_max", OpenApiTypes.NUMBER, description="Maximum length (mm)."),
    OpenApiParameter("ring_min", OpenApiTypes.INT, description="Minimum ring gauge."),
    OpenApiParameter("ring_max", OpenApiTypes.INT, description="Maximum ring gauge."),
    OpenApiParameter(
        "origin", OpenApiTypes.STR, description="Country of manufacture or of a leaf."
    ),
    OpenApiParameter("strength", OpenApiTypes.STR, enum=Strength.values, many=True, explode=True),
    OpenApiParameter("discontinued", OpenApiTypes.BOOL),
    # Implemented by matching (registered into CigarFilter from its AppConfig.ready()).
    OpenApiParameter(
        "has_official_price",
        OpenApiTypes.BOOL,
        description="true: only cigars with an official (customs) price, i.e. an accepted "
        "match; false: only cigars without one. Any other value is a 400.",
    ),
    page_size_parameter(),
]


def _packages(validated: dict) -> None:
    if "packages" in validated:
        validated["packages"] = [
            ParsedPackage(p["pack_size"], p["packaging"], p.get("description", ""))
            for p in validated["packages"]
        ]


class CigarListApi(CatalogueApi):
    serializer_class = CigarSearchOutput
    pagination_class = KeysetPagination
    ordering = ("full_name", "id")

    @extend_schema(
        operation_id="cigars_list",
        parameters=CIGAR_FILTER_PARAMETERS,
        responses=CigarSearchOutput(many=True),
        description="Cigars ordered by full name (cursor pagination), or ranked by `q`.",
    )
    def get(self, request):
        query = request.query_params.get("q", "").strip()
        if query:
            if len(query) > 200:
                raise serializers.ValidationError({"q": "At most 200 characters."})
            paginator = cast(KeysetPagination, self.paginator)
            k = paginator.get_page_size(request) or KeysetPagination.page_size
            cigars = selectors.cigar_search_list(query=query, filters=request.query_params, k=k)
            return Response(
                {
                    "next": None,
                    "previous": None,
                    "results": CigarSearchOutput(cigars, many=True).data,
                }
            )
        page = self.paginate_queryset(selectors.cigar_list(filters=request.query_params))
        return self.get_paginated_response(CigarSearchOutput(page, many=True).data)

    @extend_schema(
        operation_id="cigars_create", request=CigarInput, responses={201: CigarDetailOutput}
    )
    def post(self, request):
        data = CigarInput(data=request.data)
        data.is_valid(raise_exception=True)
        validated = dict(data.validated_data)
        _packages(validated)
        cigar = services.cigar_create(**validated)
        return Response(
            CigarDetailOutput(selectors.cigar_detail(pk=cigar.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class CigarDetailApi(CatalogueApi):
    serializer_class = CigarDetailOutput

    @extend_schema(operation_id="cigars_retrieve", responses=CigarDetailOutput)
    def get(self, request, pk: int):
        return Response(CigarDetailOutput(selectors.cigar_detail(pk=pk)).data)

    @extend_schema(
        operation_id="cigars_partial_update", request=CigarInput, responses=CigarDetailOutput
    )
    def patch(self, request, pk: int):
        cigar = selectors.cigar_get(pk=pk)
        data = CigarInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        validated = dict(data.validated_data)
        _packages(validated)
        with transaction.atomic():
            services.cigar_update(cigar=cigar, **validated)
        return Response(CigarDetailOutput(selectors.cigar_detail(pk=pk)).data)

    @extend_schema(
        operation_id="cigars_destroy",
        responses={
            204: None,
            409: OpenApiResponse(
                description="Something refers to the cigar (matches, aliases, pictures…): "
                "`details.references` counts them; merge the duplicate instead "
                "(POST /cigars/{id}/merge/)."
            ),
        },
    )
    def delete(self, request, pk: int):
        try:
            services.cigar_delete(cigar=selectors.cigar_get(pk=pk))
        except services.CigarInUse as exc:
            return Response(
                {
                    "error": {
                        "code": "cigar_in_use",
                        "message": str(exc),
                        "details": {"references": exc.references},
                    }
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CigarSimilarApi(CatalogueApi):
    serializer_class = SimilarOutput

    @extend_schema(
        operation_id="cigars_similar",
        parameters=[
            OpenApiParameter(
                "limit", OpenApiTypes.INT, description="How many neighbours (1 to 50, default 10)."
            )
        ],
        responses=SimilarOutput,
        description="Nearest cigars by embedding (HNSW, cosine); by name trigrams when the "
        "cigar has no embedding yet.",
    )
    def get(self, request, pk: int):
        limit = serializers.IntegerField(min_value=1, max_value=50, default=10).run_validation(
            request.query_params.get("limit", 10)
        )
        method, cigars = selectors.cigar_similar(cigar=selectors.cigar_get(pk=pk), k=limit)
        return Response({"method": method, "results": CigarSearchOutput(cigars, many=True).data})


# --- tasting notes ------------------------------------------------------------------------


class TastingNoteListApi(CatalogueApi):
    serializer_class = TastingNoteOutput
    pagination_class = PagePagination

    @extend_schema(
        operation_id="tasting_notes_list",
        parameters=[
            OpenApiParameter("cigar", OpenApiTypes.INT),
            OpenApiParameter("score_min", OpenApiTypes.INT),
            page_size_parameter(),
        ],
        responses=TastingNoteOutput(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.tasting_note_list(filters=request.query_params))
        return self.get_paginated_response(TastingNoteOutput(page, many=True).data)

    @extend_schema(
        operation_id="tasting_notes_create",
        request=TastingNoteInput,
        responses={201: TastingNoteOutput},
    )
    def post(self, request):
        data = TastingNoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.tasting_note_create(**data.validated_data)
        return Response(TastingNoteOutput(note).data, status=status.HTTP_201_CREATED)


class TastingNoteDetailApi(CatalogueApi):
    serializer_class = TastingNoteOutput

    @extend_schema(operation_id="tasting_notes_retrieve", responses=TastingNoteOutput)
    def get(self, request, pk: int):
        return Response(TastingNoteOutput(selectors.tasting_note_get(pk=pk)).data)

    @extend_schema(
        operation_id="tasting_notes_partial_update",
        request=inline_serializer(
            "TastingNotePatch",
            fields={
                "reviewer": serializers.CharField(required=False),
                "score": serializers.IntegerField(required=False, allow_null=True),
                "text": serializers.CharField(required=False),
                "pairings": serializers.ListField(child=serializers.CharField(), required=False),
                "tasted_on": serializers.DateField(required=False, allow_null=True),
            },
        ),
        responses=TastingNoteOutput,
    )
    def patch(self, request, pk: int):
        note = selectors.tasting_note_get(pk=pk)
        data = TastingNoteInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "cigar" in fields:
            raise serializers.ValidationError({"cigar": "A note cannot move to another cigar."})
        note = services.tasting_note_update(note=note, **fields)
        return Response(TastingNoteOutput(note).data)

    @extend_schema(operation_id="tasting_notes_destroy", responses={204: None})
    def delete(self, request, pk: int):
        services.tasting_note_delete(note=selectors.tasting_note_get(pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
