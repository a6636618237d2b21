"""Customs REST API (/api/v1/customs/…): authenticated read (docs/api.md), thin over selectors."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.permissions import AuthenticatedReadOperatorWrite
from cigarspace.api import PagePagination, page_size_parameter, validated_query
from customs import selectors
from customs.models import CustomsPublication
from customs.serializers import (
    DIFF_KINDS,
    DiffOutput,
    DiffQuery,
    EntryOutput,
    EntryQuery,
    PublicationDetailOutput,
    PublicationOutput,
    PublicationQuery,
    SourceOutput,
)


class CustomsApi(GenericAPIView):
    permission_classes = [AuthenticatedReadOperatorWrite]
    pagination_class = PagePagination
    # Operators' tools page through whole editions (thousands of entries): pages of up to
    # 500 cut the round trips. Authenticated reads only; public lists keep the kernel's 200.
    max_page_size = 500
    filter_backends: list = []  # the selectors filter, from validated query serializers


PAGE_SIZE = page_size_parameter(CustomsApi.max_page_size)


class SourceListApi(CustomsApi):
    serializer_class = SourceOutput

    @extend_schema(
        operation_id="customs_sources_list",
        parameters=[PAGE_SIZE],
        responses=SourceOutput(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.source_list())
        return self.get_paginated_response(SourceOutput(page, many=True).data)


class PublicationListApi(CustomsApi):
    serializer_class = PublicationOutput

    @extend_schema(
        operation_id="customs_publications_list",
        parameters=[PublicationQuery, PAGE_SIZE],
        responses=PublicationOutput(many=True),
    )
    def get(self, request):
        query = validated_query(PublicationQuery, request)
        page = self.paginate_queryset(selectors.publication_list(**query))
        return self.get_paginated_response(PublicationOutput(page, many=True).data)


class PublicationDetailApi(CustomsApi):
    serializer_class = PublicationDetailOutput

    @extend_schema(operation_id="customs_publications_retrieve")
    def get(self, request, pk: int):
        publication = get_object_or_404(selectors.publication_list(), pk=pk)
        return Response(PublicationDetailOutput(publication).data)


class PublicationEntriesApi(CustomsApi):
    serializer_class = EntryOutput

    @extend_schema(
        operation_id="customs_publication_entries_list",
        parameters=[EntryQuery, PAGE_SIZE],
        responses=EntryOutput(many=True),
    )
    def get(self, request, pk: int):
        publication = get_object_or_404(CustomsPublication.objects.select_related("source"), pk=pk)
        query = validated_query(EntryQuery, request)
        page = self.paginate_queryset(selectors.entry_list(publication=publication, **query))
        response = self.get_paginated_response(EntryOutput(page, many=True).data)
        # The prices travel with the attribution their source requires (Spain).
        response.data["citation"] = selectors.publication_citation(publication=publication)
        return response


class PublicationDiffApi(CustomsApi):
    """The publication against the previous edition of the same source."""

    serializer_class = EntryOutput

    @extend_schema(
        operation_id="customs_publication_diff",
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=DIFF_KINDS),
            OpenApiParameter("page", OpenApiTypes.INT),
            PAGE_SIZE,
        ],
        responses=DiffOutput,
    )
    def get(self, request, pk: int):
        publication = get_object_or_404(CustomsPublication, pk=pk)
        kind = validated_query(DiffQuery, request)["kind"]
        diff = publication.metadata.get("diff") or {}
        disappeared_ids = diff.get("disappeared_entry_ids") or []
        if kind == "disappeared":
            entries = selectors.entries_by_id(ids=disappeared_ids)
        else:
            entries = selectors.entry_list(
                publication=publication, change_kind=None if kind == "all" else kind
            )
        page = self.paginate_queryset(entries)
        paginated = self.get_paginated_response(EntryOutput(page, many=True).data).data
        return Response(
            {
                "publication": publication.pk,
                "previous_publication": diff.get("previous_publication_id"),
                "counts": diff.get("counts") or {},
                "disappeared": len(disappeared_ids),
                "citation": selectors.publication_citation(publication=publication),
                **paginated,
            }
        )
