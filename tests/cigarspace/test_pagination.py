"""One paginator and one page-size parameter (cigarspace.api): the kernel's maximum,
unless a view states its own."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from catalogue.api import BrandListApi
from cigarspace.api import (
    MAX_PAGE_SIZE,
    PagePagination,
    page_size_parameter,
    view_max_page_size,
)
from customs.api import CustomsApi
from matching.api import MatchListApi


def _page_size(view, asked: int) -> int:
    request = Request(APIRequestFactory().get("/", {"page_size": asked}))
    paginator = PagePagination()
    paginator.max_page_size = view_max_page_size(view)
    return paginator.get_page_size(request)


def test_the_kernels_maximum_unless_the_view_states_one():
    assert _page_size(BrandListApi(), 10_000) == MAX_PAGE_SIZE == 200
    assert _page_size(CustomsApi(), 10_000) == 500
    assert _page_size(MatchListApi(), 10_000) == 500
    assert _page_size(BrandListApi(), 7) == 7


def test_paginate_queryset_takes_the_maximum_from_the_view():
    request = Request(APIRequestFactory().get("/", {"page_size": 10_000}))
    paginator = PagePagination()
    page = paginator.paginate_queryset(list(range(1000)), request, view=CustomsApi())
    assert len(page) == 500
    page = paginator.paginate_queryset(list(range(1000)), request, view=BrandListApi())
    assert len(page) == 200


def test_the_page_size_parameter_states_the_maximum():
    assert page_size_parameter().description == "Items per page (max 200)."
    assert page_size_parameter(500).description == "Items per page (max 500)."
