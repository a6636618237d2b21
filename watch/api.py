"""Price watch API (/api/v1/watchlists/…, webhooks/…, prices/…): thin views over the
selectors and the services.

Watchlists and webhook endpoints belong to the user (or the API key's owner) who made
them: another user's answer 404, as if they did not exist. Prices by date are public like
the catalogue's prices.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import AnonymousReadOperatorWrite
from catalogue.models import Cigar
from cigarspace.api import PagePagination, page_size_parameter, validated_query
from watch import prices
from watch.models import WatchEvent, Watchlist, WebhookDelivery, WebhookEndpoint
from watch.selectors import with_event_data
from watch.serializers import (
    CigarPricesNowOutput,
    DateQuery,
    TariffOutput,
    TariffQuery,
    UpcomingOutput,
    UpcomingQuery,
    WatchEventOutput,
    WatchlistInput,
    WatchlistOutput,
    WebhookDeliveryOutput,
    WebhookEndpointCreatedOutput,
    WebhookEndpointInput,
    WebhookEndpointOutput,
    WebhookEndpointPatch,
)
from watch.services import (
    ItemSpec,
    WatchItemInvalid,
    WebhookUrlRefused,
    endpoint_create,
    endpoint_enable,
    watchlist_create,
    watchlist_delete,
    watchlist_update,
)
from watch.services.webhooks import endpoint_disable
from watch.tariff import CONTENT_TYPES, tariff_csv, tariff_json, tariff_on, tariff_xlsx

PAGE_SIZE = page_size_parameter()


def _body(serializer_class, request, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _item_specs(items: list[dict] | None) -> list[ItemSpec] | None:
    if items is None:
        return None
    return [ItemSpec(scope=i["scope"], target_id=i["id"]) for i in items]


def _watchlists(request):
    return Watchlist.objects.filter(owner=request.user).prefetch_related(
        "items__cigar", "items__line__brand", "items__brand", "items__source"
    )


def _invalid_items(exc: WatchItemInvalid) -> ValidationError:
    return ValidationError({"items": [str(exc)], "missing": exc.missing})


class WatchlistListApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PagePagination
    serializer_class = WatchlistOutput
    filter_backends: list = []

    @extend_schema(
        operation_id="watchlists_list", parameters=[PAGE_SIZE], responses=WatchlistOutput(many=True)
    )
    def get(self, request):
        page = self.paginate_queryset(_watchlists(request))
        return self.get_paginated_response(WatchlistOutput(page, many=True).data)

    @extend_schema(
        operation_id="watchlists_create",
        request=WatchlistInput,
        responses={201: WatchlistOutput},
    )
    def post(self, request):
        data = _body(WatchlistInput, request)
        try:
            watchlist = watchlist_create(
                owner=request.user,
                name=data["name"],
                items=_item_specs(data.get("items")) or [],
                country=data.get("country", ""),
                language=data.get("language", "en"),
                email_digest=data.get("email_digest", True),
            )
        except WatchItemInvalid as exc:
            raise _invalid_items(exc) from None
        return Response(
            WatchlistOutput(_watchlists(request).get(pk=watchlist.pk)).data,
            status=http.HTTP_201_CREATED,
        )


class WatchlistDetailApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = WatchlistOutput

    def _get(self, request, pk: int) -> Watchlist:
        return get_object_or_404(_watchlists(request), pk=pk)

    @extend_schema(operation_id="watchlists_retrieve", responses=WatchlistOutput)
    def get(self, request, pk: int):
        return Response(WatchlistOutput(self._get(request, pk)).data)

    @extend_schema(
        operation_id="watchlists_partial_update",
        request=WatchlistInput(partial=True),
        responses=WatchlistOutput,
        description="Change the given fields; `items`, when given, replaces what is watched.",
    )
    def patch(self, request, pk: int):
        watchlist = self._get(request, pk)
        data = _body(WatchlistInput, request, partial=True)
        items = _item_specs(data.pop("items", None))
        try:
            watchlist_update(watchlist=watchlist, items=items, **data)
        except WatchItemInvalid as exc:
            raise _invalid_items(exc) from None
        return Response(WatchlistOutput(self._get(request, pk)).data)

    @extend_schema(operation_id="watchlists_destroy", responses={204: None})
    def delete(self, request, pk: int):
        watchlist_delete(watchlist=self._get(request, pk))
        return Response(status=http.HTTP_204_NO_CONTENT)


class WatchlistEventsApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PagePagination
    serializer_class = WatchEventOutput
    filter_backends: list = []

    @extend_schema(
        operation_id="watchlists_events_list",
        parameters=[PAGE_SIZE],
        responses=WatchEventOutput(many=True),
        description="The watchlist's events, newest first (held ones included, with `hold`).",
    )
    def get(self, request, pk: int):
        watchlist = get_object_or_404(Watchlist, owner=request.user, pk=pk)
        events = with_event_data(WatchEvent.objects.filter(watchlist=watchlist)).order_by(
            "-created_at", "-pk"
        )
        page = self.paginate_queryset(events)
        return self.get_paginated_response(WatchEventOutput(page, many=True).data)


def _endpoints(request):
    return WebhookEndpoint.objects.filter(owner=request.user).order_by("pk")


class WebhookListApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PagePagination
    serializer_class = WebhookEndpointOutput
    filter_backends: list = []

    @extend_schema(
        operation_id="webhooks_list",
        parameters=[PAGE_SIZE],
        responses=WebhookEndpointOutput(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(_endpoints(request))
        return self.get_paginated_response(WebhookEndpointOutput(page, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        request=WebhookEndpointInput,
        responses={201: WebhookEndpointCreatedOutput},
        description="The answer carries the endpoint's signing secret, shown this once.",
    )
    def post(self, request):
        data = _body(WebhookEndpointInput, request)
        watchlist = None
        if data.get("watchlist"):
            watchlist = Watchlist.objects.filter(owner=request.user, pk=data["watchlist"]).first()
            if watchlist is None:
                raise ValidationError({"watchlist": ["No such watchlist of yours."]})
        try:
            endpoint, secret = endpoint_create(
                owner=request.user,
                url=data["url"],
                watchlist=watchlist,
                description=data.get("description", ""),
            )
        except WebhookUrlRefused as exc:
            raise ValidationError({"url": [str(exc)]}) from None
        endpoint.secret = secret
        return Response(WebhookEndpointCreatedOutput(endpoint).data, status=http.HTTP_201_CREATED)


class WebhookDetailApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = WebhookEndpointOutput

    @extend_schema(operation_id="webhooks_retrieve", responses=WebhookEndpointOutput)
    def get(self, request, pk: int):
        return Response(WebhookEndpointOutput(get_object_or_404(_endpoints(request), pk=pk)).data)

    @extend_schema(
        operation_id="webhooks_partial_update",
        request=WebhookEndpointPatch,
        responses=WebhookEndpointOutput,
    )
    def patch(self, request, pk: int):
        endpoint = get_object_or_404(_endpoints(request), pk=pk)
        data = _body(WebhookEndpointPatch, request, partial=True)
        if "description" in data:
            endpoint.description = data["description"]
            endpoint.save(update_fields=["description", "updated_at"])
        if data.get("is_active") is True and not endpoint.is_active:
            endpoint_enable(endpoint=endpoint)
        elif data.get("is_active") is False and endpoint.is_active:
            endpoint_disable(endpoint=endpoint, reason="Paused by its owner.", now=timezone.now())
        endpoint.refresh_from_db()
        return Response(WebhookEndpointOutput(endpoint).data)

    @extend_schema(operation_id="webhooks_destroy", responses={204: None})
    def delete(self, request, pk: int):
        get_object_or_404(_endpoints(request), pk=pk).delete()
        return Response(status=http.HTTP_204_NO_CONTENT)


class WebhookDeliveriesApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PagePagination
    serializer_class = WebhookDeliveryOutput
    filter_backends: list = []

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        parameters=[PAGE_SIZE],
        responses=WebhookDeliveryOutput(many=True),
        description="The endpoint's delivery log, newest first.",
    )
    def get(self, request, pk: int):
        endpoint = get_object_or_404(_endpoints(request), pk=pk)
        deliveries = (
            WebhookDelivery.objects.filter(endpoint=endpoint)
            .select_related("event")
            .order_by("-created_at", "-pk")
        )
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliveryOutput(page, many=True).data)


class UpcomingPricesApi(GenericAPIView):
    permission_classes = [AnonymousReadOperatorWrite]
    pagination_class = PagePagination
    serializer_class = UpcomingOutput
    filter_backends: list = []

    @extend_schema(
        operation_id="prices_upcoming",
        parameters=[UpcomingQuery, PAGE_SIZE],
        responses=UpcomingOutput(many=True),
        description="Changes published but not yet in force (effective after `date`), each "
        "with the price in force on `date`.",
    )
    def get(self, request):
        query = validated_query(UpcomingQuery, request)
        items = prices.prices_upcoming(
            today=query.get("date") or timezone.localdate(),
            source=query.get("source"),
            cigar_id=query.get("cigar"),
        )
        page = self.paginate_queryset(items)
        return self.get_paginated_response(UpcomingOutput(page, many=True).data)


class CigarPricesNowApi(GenericAPIView):
    permission_classes = [AnonymousReadOperatorWrite]
    serializer_class = CigarPricesNowOutput

    @extend_schema(
        operation_id="prices_cigar_now_and_next",
        parameters=[DateQuery],
        responses=CigarPricesNowOutput,
        description="A cigar's official prices in force on `date` (today by default) and "
        "those that apply from a later date.",
    )
    def get(self, request, pk: int):
        cigar = get_object_or_404(Cigar, pk=pk)
        query = validated_query(DateQuery, request)
        result = prices.cigar_prices_now_and_next(
            cigar_id=cigar.pk, today=query.get("date") or timezone.localdate()
        )
        return Response(CigarPricesNowOutput(result).data)


class _FormatIsAQueryParameter(DefaultContentNegotiation):
    """``format`` names the tariff's file format here, not a DRF renderer."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)  # type: ignore[assignment]


class TariffApi(GenericAPIView):
    permission_classes = [AnonymousReadOperatorWrite]
    serializer_class = TariffOutput
    content_negotiation_class = _FormatIsAQueryParameter

    @extend_schema(
        operation_id="prices_tariff",
        parameters=[TariffQuery],
        responses={
            (200, "application/json"): TariffOutput,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV"),
            (200, CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX"),
        },
        description="Every catalogue cigar's official prices in force on `date` from one "
        "source, with the citation its terms ask for (a field in JSON, the last row in CSV "
        "and XLSX).",
    )
    def get(self, request):
        query = validated_query(TariffQuery, request)
        tariff = tariff_on(source=query["source"], on=query["date"])
        fmt = query["format"]
        if fmt == "json":
            return Response(TariffOutput(tariff_json(tariff)).data)
        body = tariff_csv(tariff) if fmt == "csv" else tariff_xlsx(tariff)
        name = f"tariff-{tariff.source.slug}-{tariff.date.isoformat()}.{fmt}"
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
