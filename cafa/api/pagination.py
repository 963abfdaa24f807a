"""Page-number pagination with the contract's envelope (CONTRACT.md §1.8)."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class StandardPagination(PageNumberPagination):
    """`count, next, previous, current_page, total_pages, page_size, results` (+ `summary`)."""

    page_size = 20
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
