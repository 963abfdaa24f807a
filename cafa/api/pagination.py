"""Page-number pagination with the contract's envelope (CONTRACT.md §1.8)."""

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from django.core.paginator import EmptyPage, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import Count, Subquery, Value
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

PAGE_QUERY_PARAM = "page"
MAX_REMEMBERED_LINKS = 10_000

# (origin, path, query string, pages) -> page_urls' answer: a pure function of them, remembered because the
# hits of a list under announcement traffic ask for the same few again and again.
_page_links: dict[tuple, dict] = {}


def page_urls(request, pages: dict) -> dict:
    """For each name, `request`'s own URL with every query parameter kept and only `page` changed to that
    page (CONTRACT.md §1.8), exactly as DRF's paginator writes `next` and `previous`
    (`replace_query_param`; page 1 drops the parameter); no page, no link. The URL is parsed once."""
    if all(page is None for page in pages.values()):
        return dict.fromkeys(pages)
    origin = request._current_scheme_host  # what build_absolute_uri() starts with (the host checked)
    key = (origin, request.path, request.META.get("QUERY_STRING", ""), *pages.items())
    urls = _page_links.get(key)
    if urls is None:
        if len(_page_links) >= MAX_REMEMBERED_LINKS:
            _page_links.clear()
        urls = _page_links[key] = _page_urls(request.build_absolute_uri(), pages)
    return dict(urls)


def _page_urls(url: str, pages: dict) -> dict:
    scheme, netloc, path, query, fragment = urlsplit(url)
    params = parse_qs(query, keep_blank_values=True)
    params.pop(PAGE_QUERY_PARAM, None)
    urls = {}
    for name, page in pages.items():
        if page is None:
            urls[name] = None
            continue
        kept = params if page == 1 else {**params, PAGE_QUERY_PARAM: [str(page)]}
        urls[name] = urlunsplit((scheme, netloc, path, urlencode(sorted(kept.items()), doseq=True), fragment))
    return urls


class StandardPagination(PageNumberPagination):
    """`count, next, previous, current_page, total_pages, page_size, results` (+ `summary`)."""

    page_size = 20
    page_query_param = PAGE_QUERY_PARAM
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data, **extra):
        body = {
            "count": self.page.paginator.count,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "current_page": self.page.number,
            "total_pages": max(self.page.paginator.num_pages, 1),
            "page_size": self.page.paginator.per_page,
            "results": data,
        }
        body.update(extra)
        return Response(body)

    def get_paginated_response_schema(self, schema):
        base = super().get_paginated_response_schema(schema)
        base["properties"].update(
            current_page={"type": "integer"}, total_pages={"type": "integer"}, page_size={"type": "integer"}
        )
        return base


class SmallPagination(StandardPagination):
    """Lists whose contract default is 10 per page."""

    page_size = 10


class LargePagination(StandardPagination):
    """Event lists: the web sitemap asks for up to 1000 items at once."""

    max_page_size = 1000


class CountInPagePaginator(DjangoPaginator):
    """Reads a page and the total of the list in one query: the total is an uncorrelated `COUNT(*)`
    sub-query of the page query, which the database computes once. With `columns`, the page is rows
    (dicts) of those columns. A page past the end is only known to be past the end (EmptyPage)."""

    TOTAL = "pagination_total"

    def __init__(self, object_list, per_page, *, columns=(), **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.columns = tuple(columns)

    def page(self, number):
        number = self._page_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(page_with_total(self.object_list, self.columns, bottom, self.per_page))
        if rows:
            total = rows[0][self.TOTAL] if self.columns else getattr(rows[0], self.TOTAL)
        elif number == 1 and self.allow_empty_first_page:
            total = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        self.__dict__["count"] = total  # `count` is a cached_property: no second query
        return self._get_page(rows, number, self)

    def _page_number(self, number) -> int:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


def page_with_total(queryset, columns, offset: int, limit: int):
    """`limit` rows of `queryset` from `offset`, each with the total of the whole list as `pagination_total`
    (instances, or dicts of `columns` when given)."""
    queryset = queryset.annotate(**{CountInPagePaginator.TOTAL: _total_of(queryset)})
    if columns:
        queryset = queryset.values(*columns, CountInPagePaginator.TOTAL)
    return queryset[offset : offset + limit]


def _total_of(queryset) -> Subquery:
    rows = queryset.order_by().annotate(pagination_group=Value(1)).values("pagination_group")
    return Subquery(rows.annotate(total=Count("*")).values("total"))  # COUNT(*): an index can answer it


class OneQueryLargePagination(LargePagination):
    """LargePagination whose page (rows of `columns`, or instances) and total come from one query."""

    def __init__(self, columns=()):
        self.columns = columns

    def django_paginator_class(self, queryset, page_size):
        return CountInPagePaginator(queryset, page_size, columns=self.columns)
