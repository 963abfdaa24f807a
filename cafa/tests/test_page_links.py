"""`next`/`previous` written for a request from its own query are the links DRF's paginator writes."""

import pytest
from rest_framework.utils.urls import remove_query_param, replace_query_param

from cafa.api.pagination import page_urls

QUERIES = [
    "",
    "page=2",
    "page_size=3&city=Accra&utm_source=radio",
    "city=Nowhere&city=Accra&page=4&page=5",
    "search=&page_size=03&q=caf%C3%A9&tag=a+b&x=%26",
    "search=café&page=2",
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("page", [1, 2, 7])
def test_the_same_links_as_drf(rf, query, page):
    request = rf.get(f"/api/v1/events/?{query}")
    url = request.build_absolute_uri()
    expected = remove_query_param(url, "page") if page == 1 else replace_query_param(url, "page", page)
    assert page_urls(request, {"next": page, "previous": None}) == {"next": expected, "previous": None}
