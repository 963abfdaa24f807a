"""P1-P4: the public catalogue (CONTRACT.md §4)."""

import hashlib

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny

from cafa.api.http_cache import PublicRequest, SharedAnswerMixin
from cafa.api.pagination import CountInPagePaginator, OneQueryLargePagination
from cafa.api.throttling import client_address
from events import public_cache, selectors, services
from events.exceptions import EventNotFound
from events.filters import PastEventFilter, PublicEventFilter, plain_page, run_filterset
from events.models import Event
from events.serializers import public as shapes
from events.serializers.outputs import CategorySerializer, EventCardSerializer, PublicEventDetailSerializer


def visitor_key(request, user=None) -> str:
    """Who counts as one unique visitor: the user id, else a hash of the client address and user agent."""
    if user and user.is_authenticated:
        return f"user-{user.pk}"
    address = client_address(request)
    agent = request.META.get("HTTP_USER_AGENT", "")
    return hashlib.sha256(f"{address}|{agent}".encode()).hexdigest()


class CategoryListView(SharedAnswerMixin, GenericAPIView):
    """P1 `event-categories/`: `{count, categories}` with live event counts (not paginated)."""

    permission_classes = [AllowAny]
    serializer_class = CategorySerializer

    def get(self, request):
        return self.answer(request)

    def find_answer(self, public, request, *, user, rate_limit):
        return public_cache.find_categories_answer(rate_limit)

    def build_answer(self, public):
        categories = CategorySerializer(selectors.active_categories_with_counts(), many=True).data
        return {"count": len(categories), "categories": categories}, None


class PublicEventListView(SharedAnswerMixin, GenericAPIView):
    """P2 `events/`: published upcoming/ongoing events, filtered, ordered and paginated (≤ 1000 a page).

    The answer depends only on the canonical query (`public_cache.catalogue_query`); two queries build it:
    the page with the total, then the stock of the page's events. A query with no filter but status and
    ordering (the catalogue's front pages) is built without django-filter or DRF's paginator (`plain_answer`).
    """

    permission_classes = [AllowAny]
    pagination_class = OneQueryLargePagination
    paginated = True
    serializer_class = EventCardSerializer
    filterset_class = PublicEventFilter
    queryset = Event.objects.none()  # for the schema only; rows come from the selectors

    @extend_schema(responses=EventCardSerializer(many=True))
    def get(self, request):
        return self.answer(request)

    def public_request(self, request):
        query_string = request.META.get("QUERY_STRING", "")
        query = public_cache.catalogue_query(request.GET, self.filterset_class, self.pagination_class, query_string)
        return PublicRequest(request, query)

    def find_answer(self, public, request, *, user, rate_limit):
        return public_cache.find_list_answer(public, rate_limit)

    def build_answer(self, public):
        plain = self.plain_answer(public)
        if plain is not None:
            return plain, None
        filterset = run_filterset(self.filterset_class, public, selectors.public_events())
        paginator = self.pagination_class(columns=selectors.EVENT_CARD_COLUMNS)
        rows = paginator.paginate_queryset(filterset.qs, public, view=self)
        selectors.with_public_stock(rows)
        cards = shapes.event_cards(rows, public, timezone.now())
        return paginator.get_paginated_response(cards, filters_applied=filterset.applied()).data, None

    def plain_answer(self, public) -> dict | None:
        """The answer to a query with no filter but `status` and `ordering` (`plain_choices`), built without
        django-filter or DRF's paginator: the same bytes, in one query compiled once per shape. None for any
        other query, or a page past the end (whose error the paginator writes)."""
        choices = self.filterset_class.plain_choices(public.query_params)
        page = public.query_params.get("page", "1")
        if choices is None or not (page.isascii() and page.isdigit()) or int(page) < 1:
            return None
        number, status, ordering = int(page), *choices
        per_page = int(public.query_params.get("page_size") or self.pagination_class.page_size)
        now, first = timezone.now(), (number - 1) * per_page
        rows = plain_page(self.filterset_class, status=status, ordering=ordering, offset=first, limit=per_page, now=now)
        if not rows and number > 1:
            return None
        selectors.with_public_stock(rows, now=now)
        count = rows[0][CountInPagePaginator.TOTAL] if rows else 0
        pages = max(1, -(-count // per_page))
        return {
            "count": count,
            "next": number < pages or None,  # only whether there is one: links are written per request
            "previous": number > 1 or None,
            "current_page": number,
            "total_pages": pages,
            "page_size": per_page,
            "results": shapes.event_cards(rows, public, now),
            "filters_applied": self.filterset_class.plain_applied(status, ordering),
        }


class PastEventListView(PublicEventListView):
    """P3 `events/past/`: published past events, most recently ended first."""

    filterset_class = PastEventFilter


class PublicEventDetailView(SharedAnswerMixin, GenericAPIView):
    """P4 `events/{event}/`: a published event by slug or id; every answer served counts a page view."""

    permission_classes = [AllowAny]
    serializer_class = PublicEventDetailSerializer

    def get(self, request, event):
        return self.answer(request, event=event)

    def find_answer(self, public, request, *, user, rate_limit, event):
        return public_cache.find_event_answer(request, event, visitor_key(request, user), rate_limit)

    def build_answer(self, public, event):
        try:
            page = selectors.public_event_page(event)
        except EventNotFound:
            public_cache.remember_event(event, None)
            raise
        public_cache.remember_event(event, page.event["id"])
        return shapes.event_page(page, public, timezone.now()), page.event["id"]

    def answer_served(self, request, subject, *, user, counted):
        if not counted:
            services.record_event_view(event_id=subject, visitor=visitor_key(request, user))
