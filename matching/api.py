"""Matches API (/api/v1/matches/…), the entry-level decisions (/api/v1/entries/{id}/…),
merging a duplicate cigar and a cigar's official price history: thin views over the
selectors and the services.

``GET matches/{id}`` sends an ``ETag``; a ``PATCH`` with ``If-Match`` that no longer names
the current version answers 412 instead of overwriting another reviewer's decision, and a
decision that conflicts under the lock (decided meanwhile) answers 409. The entry-level
decisions (not in the catalogue, create a cigar) take the ETag of the entry's best match
the same way (or its ``expected_updated_at`` in the body), checked again under the lock.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import APIException
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.permissions import (
    AnonymousReadOperatorWrite,
    AuthenticatedReadOperatorWrite,
    IsOperator,
)
from catalogue.models import Cigar
from cigarspace.api import PagePagination, page_size_parameter, validated_query
from customs.models import CustomsPriceEntry
from matching import selectors
from matching.models import CigarCustomsMatch, MatchStatus
from matching.serializers import (
    CigarMergeInput,
    CigarMergeOutput,
    EntryCreateCigarInput,
    EntryDecisionInput,
    MatchDecisionInput,
    MatchDetailOutput,
    MatchOutput,
    MatchQuery,
    PriceSeriesOutput,
)
from matching.services import (
    DecisionConflict,
    entry_create_cigar,
    entry_mark_not_in_catalogue,
    entry_repoint,
    match_accept,
    match_reject,
)
from matching.services.merge import MergeRefused, cigar_merge

# Reviewers' tools and exports page through whole editions' matches: pages of up to 500
# cut the round trips. Authenticated reads only; public lists keep the kernel's 200.
MAX_PAGE_SIZE = 500


class PreconditionFailed(APIException):
    status_code = http.HTTP_412_PRECONDITION_FAILED
    default_detail = "The match changed since you loaded it; reload it and decide again."
    default_code = "precondition_failed"


class Conflict(APIException):
    status_code = http.HTTP_409_CONFLICT
    default_detail = "The match was decided by someone else."
    default_code = "conflict"


PAGE_SIZE = page_size_parameter(MAX_PAGE_SIZE)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="The ETag of the match as loaded; a stale one answers 412.",
)


def match_etag(match: CigarCustomsMatch) -> str:
    return f'"m{match.pk}-{int(match.updated_at.timestamp() * 1_000_000)}"'


def _match(pk: int) -> CigarCustomsMatch:
    return get_object_or_404(
        CigarCustomsMatch.objects.select_related(
            "cigar", "price_entry__publication__source", "decided_by"
        ),
        pk=pk,
    )


def _detail(match: CigarCustomsMatch) -> dict:
    # Read by MatchDetailOutput (not model fields).
    match.alternatives = [  # type: ignore[attr-defined]
        m for m in selectors.entry_candidates(entry=match.price_entry) if m.pk != match.pk
    ]
    match.explanation = selectors.match_explanation(match=match)  # type: ignore[attr-defined]
    return MatchDetailOutput(match).data


class MatchListApi(GenericAPIView):
    permission_classes = [AuthenticatedReadOperatorWrite]
    pagination_class = PagePagination
    max_page_size = MAX_PAGE_SIZE
    serializer_class = MatchOutput
    filter_backends: list = []

    @extend_schema(
        operation_id="matches_list",
        parameters=[MatchQuery, PAGE_SIZE],
        responses=MatchOutput(many=True),
    )
    def get(self, request):
        query = validated_query(MatchQuery, request)
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
        return _match(pk)

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


# --- entry-level decisions ---------------------------------------------------------------


ENTRY_DECISION_RESPONSES = {
    400: OpenApiResponse(description="Invalid input."),
    409: OpenApiResponse(description="A human already decided this entry."),
    412: OpenApiResponse(description="The entry's best match changed since it was loaded."),
}


class EntryDecisionApi(GenericAPIView):
    """Base of the decisions on an entry as a whole (not one of its matches).

    Their version is the entry's best match: ``If-Match`` with its ETag (from
    ``GET /matches/{id}``), or ``expected_updated_at`` in the body; the service checks it
    again under the entry lock.
    """

    permission_classes = [IsOperator]
    filter_backends: list = []

    @staticmethod
    def _entry(pk: int) -> CustomsPriceEntry:
        return get_object_or_404(
            CustomsPriceEntry.objects.select_related("publication__source"), pk=pk
        )

    @staticmethod
    def _expected(request, entry: CustomsPriceEntry, data: dict):
        best = next(iter(selectors.entry_candidates(entry=entry, limit=1)), None)
        if_match = request.headers.get("If-Match")
        if if_match and if_match.strip() != "*":
            tags = [t.strip() for t in if_match.split(",")]
            if best is None or match_etag(best) not in tags:
                raise PreconditionFailed(
                    "The entry's best match changed since you loaded it; reload it."
                )
            return best.updated_at
        return data.get("expected_updated_at")

    @staticmethod
    def _conflict(exc: DecisionConflict, expected) -> APIException:
        return PreconditionFailed(str(exc)) if expected is not None else Conflict(str(exc))


class EntryNotInCatalogueApi(EntryDecisionApi):
    serializer_class = EntryDecisionInput

    @extend_schema(
        operation_id="entries_not_in_catalogue",
        request=EntryDecisionInput,
        parameters=[IF_MATCH],
        responses={204: None, **ENTRY_DECISION_RESPONSES},
    )
    def post(self, request, pk: int):
        entry = self._entry(pk)
        data = EntryDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        expected = self._expected(request, entry, data.validated_data)
        try:
            entry_mark_not_in_catalogue(
                entry=entry,
                actor=request.user,
                note=data.validated_data["note"],
                expected_updated_at=expected,
            )
        except DecisionConflict as exc:
            raise self._conflict(exc, expected) from exc
        return Response(status=http.HTTP_204_NO_CONTENT)


class EntryCreateCigarApi(EntryDecisionApi):
    serializer_class = EntryCreateCigarInput

    @extend_schema(
        operation_id="entries_create_cigar",
        request=EntryCreateCigarInput,
        parameters=[IF_MATCH],
        responses={201: MatchDetailOutput, **ENTRY_DECISION_RESPONSES},
    )
    def post(self, request, pk: int):
        entry = self._entry(pk)
        data = EntryCreateCigarInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        expected = self._expected(request, entry, fields)
        fields.pop("expected_updated_at", None)
        note = fields.pop("note")
        cigar_fields = {k: v for k, v in fields.items() if v not in (None, "")}
        try:
            match = entry_create_cigar(
                entry=entry,
                actor=request.user,
                note=note,
                expected_updated_at=expected,
                **cigar_fields,
            )
        except DecisionConflict as exc:
            raise self._conflict(exc, expected) from exc
        match = _match(match.pk)
        return Response(
            _detail(match), status=http.HTTP_201_CREATED, headers={"ETag": match_etag(match)}
        )


class CigarMergeApi(GenericAPIView):
    """Merge this (duplicate) cigar into another: decisions, aliases and data move."""

    permission_classes = [IsOperator]
    serializer_class = CigarMergeInput
    filter_backends: list = []

    @extend_schema(
        operation_id="cigars_merge",
        request=CigarMergeInput,
        responses={
            200: CigarMergeOutput,
            409: OpenApiResponse(description="Refused: contradicting decisions (nothing moved)."),
        },
    )
    def post(self, request, pk: int):
        duplicate = get_object_or_404(Cigar, pk=pk)
        data = CigarMergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        into = get_object_or_404(Cigar, pk=data.validated_data["into"])
        try:
            result = cigar_merge(
                duplicate=duplicate,
                into=into,
                actor=request.user,
                reason=data.validated_data["reason"],
            )
        except MergeRefused as exc:
            raise Conflict(str(exc)) from exc
        return Response(CigarMergeOutput(result).data)


class CigarPricesApi(GenericAPIView):
    """A cigar's official price history, grouped by country and source (then zone and pack
    size), by effective date; a series whose source requires a citation carries it."""

    permission_classes = [AnonymousReadOperatorWrite]
    pagination_class = PagePagination
    max_page_size = MAX_PAGE_SIZE
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
