"""Pagination envelope and money rendering shared by every list (CONTRACT.md §1.5, §1.8)."""

from decimal import Decimal

import pytest
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from cafa.api.fields import MoneyField
from cafa.api.pagination import LargePagination, StandardPagination
from cafa.money import quantize_money


def _paginate(pagination_class, query):
    request = Request(APIRequestFactory().get("/api/v1/things/", query))
    paginator = pagination_class()
    page = paginator.paginate_queryset(list(range(45)), request)
    return paginator.get_paginated_response(page, summary={"total": 45}).data


def test_page_envelope_keeps_query_parameters_and_counts_pages():
    body = _paginate(StandardPagination, {"page": 2, "page_size": 20, "search": "jazz"})
    assert body["count"] == 45
    assert body["current_page"] == 2
    assert body["total_pages"] == 3
    assert body["page_size"] == 20
    assert body["results"] == list(range(20, 40))
    assert body["summary"] == {"total": 45}
    assert "search=jazz" in body["next"] and "page=3" in body["next"]


def test_page_size_is_clamped_to_the_maximum():
    assert _paginate(StandardPagination, {"page_size": 5000})["page_size"] == 100
    assert _paginate(LargePagination, {"page_size": 5000})["page_size"] == 1000


def test_page_beyond_the_last_is_not_found():
    with pytest.raises(NotFound, match=r"Invalid page\."):
        _paginate(StandardPagination, {"page": 9})


def test_empty_list_has_one_page():
    request = Request(APIRequestFactory().get("/api/v1/things/"))
    paginator = StandardPagination()
    paginator.paginate_queryset([], request)
    assert paginator.get_paginated_response([]).data["total_pages"] == 1


def test_money_is_a_json_number_rounded_half_up():
    field = MoneyField()
    assert field.to_representation(Decimal("52.50")) == 52.5
    assert field.to_representation(Decimal("0")) == 0
    assert quantize_money(Decimal("2.625")) == Decimal("2.63")
