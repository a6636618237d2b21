"""Matches API (/api/v1/matches/…) and a cigar's official price history: thin views over
the selectors and the decision services.

``GET matches/{id}`` sends an ``ETag``; a ``PATCH`` with ``If-Match`` that no longer names
the current version answers 412 instead of overwriting another reviewer's decision, and a
decision that conflicts under the lock (decided meanwhile) answers 409.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import APIException
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from accounts.permissions import AnonymousReadOperatorWrite, AuthenticatedReadOperatorWrite
from catalogue.models import Cigar
from matching import selectors
from matching.models import CigarCustomsMatch, MatchStatus
from matching.serializers import (
    MatchDecisionInput,
    MatchDetailOutput,
    MatchOutput,
    MatchQuery,
    PriceSeriesOutput,
)
from matching.services import DecisionConflict, entry_repoint, match_accept, match_reject

MAX_PAGE_SIZE = 500


class MatchPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class PreconditionFailed(APIException):
    status_code = http.HTTP_412_PRECONDITION_FAILED
    default_detail = "The match changed since you loaded it; reload it and decide again."
    default_code = "precondition_failed"


class Conflict(APIException):
    status_code = http.HTTP_409_CONFLICT
    default_detail = "The match was decided by someone else."
    default_code = "conflict"


PAGE_SIZE = OpenApiParameter(
    "page_size", OpenApiTypes.INT, description=f"Items per page (max {MAX_PAGE_SIZE})."
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="The ETag of the match as loaded; a stale one answers 412.",
)


def match_etag(match: CigarCustomsMatch) -> str:
    return f'"m{match.pk}-{int(match.updated_at.timestamp() * 1_000_000)}"'


def _query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _detail(match: CigarCustomsMatch) -> dict:
    match.alternatives = [
        m for m in selectors.entry_candidates(entry=match.price_entry) if m.pk != match.pk
    ]
    match.explanation = selectors.match_explanation(match=match)
    return MatchDetailOutput(match).data


class MatchListApi(GenericAPIView):
    permission_classes = [AuthenticatedReadOperatorWrite]
    pagination_class = MatchPagination
    serializer_class = MatchOutput
    filter_backends: list = []

    @extend_schema(
        operation_id="matches_list",
        parameters=[MatchQuery, PAGE_SIZE],
        responses=MatchOutput(many=True),
    )
    def get(self, request):
        query = _query(MatchQuery, request)
        matches = selectors.match_list(
            status=query.get("status"),
            source_slug=query.get("source"),
            publication_id=query.get("publication"),
            score_min=query.get("score_min"),
            score_max=query.get("score_max"),
            cigar_id=query.get("cigar"),
            entry_id=query.get("entry"),
            rank=query.get("rank"),
        ).select_related("decided_by")
        page = self.paginate_queryset(matches)
        return self.get_paginated_response(MatchOutput(page, many=True).data)


class MatchDetailApi(GenericAPIView):
    permission_classes = [AuthenticatedReadOperatorWrite]
    serializer_class = MatchDetailOutput

    def _get(self, pk: int) -> CigarCustomsMatch:
        return get_object_or_404(
            CigarCustomsMatch.objects.select_related(
                "cigar", "price_entry__publication__source", "decided_by"
            ),
            pk=pk,
        )

    @extend_schema(operation_id="matches_retrieve")
    def get(self, request, pk: int):
        match = self._get(pk)
        return Response(_detail(match), headers={"ETag": match_etag(match)})

    @extend_schema(
        operation_id="matches_decide",
        request=MatchDecisionInput,
        parameters=[IF_MATCH],
        responses={
            200: MatchDetailOutput,
            409: OpenApiResponse(description="Decided by someone else meanwhile."),
            412: OpenApiResponse(description="If-Match names an older version."),
        },
    )
    def patch(self, request, pk: int):
        match = self._get(pk)
        data = MatchDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        if_match = request.headers.get("If-Match")
        expected = None
        if if_match and if_match.strip() != "*":
            if match_etag(match) not in [t.strip() for t in if_match.split(",")]:
                raise PreconditionFailed()
            # Checked again under the lock: a decision landing after this read loses too.
            expected = match.updated_at
        note = data.validated_data.get("note", "")
        try:
            if "cigar" in data.validated_data:
                cigar = get_object_or_404(Cigar, pk=data.validated_data["cigar"])
                result = entry_repoint(
                    entry=match.price_entry,
                    cigar=cigar,
                    actor=request.user,
                    note=note,
                    expected_updated_at=expected,
                )
            elif data.validated_data["status"] == MatchStatus.HUMAN_ACCEPTED:
                result = match_accept(
                    match=match, actor=request.user, note=note, expected_updated_at=expected
                )
            else:
                result = match_reject(
                    match=match, actor=request.user, note=note, expected_updated_at=expected
                )
        except DecisionConflict as exc:
            if expected is not None:
                raise PreconditionFailed(str(exc)) from exc
            raise Conflict(str(exc)) from exc
        result = self._get(result.pk)
        return Response(_detail(result), headers={"ETag": match_etag(result)})


class CigarPricesApi(GenericAPIView):
    """A cigar's official price history, per source and pack size, by effective date."""

    permission_classes = [AnonymousReadOperatorWrite]
    pagination_class = MatchPagination
    serializer_class = PriceSeriesOutput
    filter_backends: list = []  # nothing to filter: the cigar is in the path

    @extend_schema(
        operation_id="cigars_prices_list",
        parameters=[PAGE_SIZE],
        responses=PriceSeriesOutput(many=True),
    )
    def get(self, request, pk: int):
        cigar = get_object_or_404(Cigar, pk=pk)
        page = self.paginate_queryset(selectors.cigar_price_history(cigar=cigar))
        return self.get_paginated_response(PriceSeriesOutput(page, many=True).data)
