"""Merchants REST API (/api/v1/merchants/…): authenticated read, operators queue crawls."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django_q.tasks import async_task
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.permissions import AuthenticatedReadOperatorWrite
from cigarspace.api import PagePagination, page_size_parameter
from merchants import selectors
from merchants.models import Merchant
from merchants.serializers import (
    CrawlInput,
    CrawlQueuedOutput,
    CrawlRunOutput,
    MerchantOutput,
    MerchantProductOutput,
)

PAGE_SIZE = page_size_parameter()


class MerchantsApi(GenericAPIView):
    permission_classes = [AuthenticatedReadOperatorWrite]
    pagination_class = PagePagination
    filter_backends: list = []
    queryset = Merchant.objects.none()  # schema generation only; selectors do the reads


def _merchant(slug: str) -> Merchant:
    return get_object_or_404(Merchant, slug=slug)


class MerchantListApi(MerchantsApi):
    serializer_class = MerchantOutput

    @extend_schema(
        operation_id="merchants_list", parameters=[PAGE_SIZE], responses=MerchantOutput(many=True)
    )
    def get(self, request):
        page = self.paginate_queryset(Merchant.objects.order_by("name"))
        return self.get_paginated_response(MerchantOutput(page, many=True).data)


class MerchantDetailApi(MerchantsApi):
    serializer_class = MerchantOutput

    @extend_schema(operation_id="merchants_retrieve")
    def get(self, request, slug: str):
        return Response(MerchantOutput(_merchant(slug)).data)


class MerchantRunsApi(MerchantsApi):
    serializer_class = CrawlRunOutput

    @extend_schema(
        operation_id="merchants_runs_list",
        parameters=[PAGE_SIZE],
        responses=CrawlRunOutput(many=True),
    )
    def get(self, request, slug: str):
        runs = selectors.crawl_run_list(merchant=_merchant(slug))
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(CrawlRunOutput(page, many=True).data)


class MerchantProductsApi(MerchantsApi):
    serializer_class = MerchantProductOutput

    @extend_schema(
        operation_id="merchants_products_list",
        parameters=[PAGE_SIZE],
        responses=MerchantProductOutput(many=True),
    )
    def get(self, request, slug: str):
        products = selectors.merchant_product_list(merchant=_merchant(slug)).order_by("id")
        page = self.paginate_queryset(products)
        return self.get_paginated_response(MerchantProductOutput(page, many=True).data)


class MerchantCrawlApi(MerchantsApi):
    serializer_class = CrawlInput

    @extend_schema(
        operation_id="merchants_crawl",
        request=CrawlInput,
        responses={202: CrawlQueuedOutput},
        description="Queue a crawl of the merchant (operators only).",
    )
    def post(self, request, slug: str):
        merchant = _merchant(slug)
        data = CrawlInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not merchant.enabled:
            raise ValidationError({"merchant": f"{merchant.slug} is disabled."})
        resume = data.validated_data["resume"]
        task = "merchants.tasks.crawl_merchant" if resume else "merchants.tasks.crawl_merchant_new"
        transaction.on_commit(lambda: async_task(task, merchant.slug))
        body = {"merchant": merchant.slug, "resume": resume, "queued": True}
        return Response(CrawlQueuedOutput(body).data, status=status.HTTP_202_ACCEPTED)
