"""P1-P4: the public catalogue (CONTRACT.md §4)."""

import hashlib

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from cafa.api.pagination import LargePagination
from events import selectors, services
from events.filters import PastEventFilter, PublicEventFilter, run_filterset
from events.models import Event
from events.serializers.outputs import CategorySerializer, EventCardSerializer, PublicEventDetailSerializer


def visitor_key(request) -> str:
    """Who counts as one unique visitor: the user id, else a hash of the client address and user agent."""
    if request.user and request.user.is_authenticated:
        return f"user-{request.user.pk}"
    address = BaseThrottle().get_ident(request) or ""
    agent = request.META.get("HTTP_USER_AGENT", "")
    return hashlib.sha256(f"{address}|{agent}".encode()).hexdigest()


class CategoryListView(GenericAPIView):
    """P1 `event-categories/`: `{count, categories}` with live event counts (not paginated)."""

    permission_classes = [AllowAny]
    serializer_class = CategorySerializer

    def get(self, request):
        categories = self.get_serializer(selectors.active_categories_with_counts(), many=True).data
        return Response({"count": len(categories), "categories": categories})


class PublicEventListView(GenericAPIView):
    """P2 `events/`: published upcoming/ongoing events, filtered, ordered and paginated (≤ 1000 a page)."""

    permission_classes = [AllowAny]
    pagination_class = LargePagination
    serializer_class = EventCardSerializer
    filterset_class = PublicEventFilter
    queryset = Event.objects.none()  # for the schema only; rows come from the selectors

    @extend_schema(responses=EventCardSerializer(many=True))
    def get(self, request):
        filterset = run_filterset(self.filterset_class, request, selectors.public_events())
        page = self.paginate_queryset(filterset.qs)
        data = self.get_serializer(page, many=True).data
        return self.paginator.get_paginated_response(data, filters_applied=filterset.applied())


class PastEventListView(PublicEventListView):
    """P3 `events/past/`: published past events, most recently ended first."""

    filterset_class = PastEventFilter


class PublicEventDetailView(GenericAPIView):
    """P4 `events/{event}/`: a published event by slug or id; counts the view in the cache."""

    permission_classes = [AllowAny]
    serializer_class = PublicEventDetailSerializer

    def get(self, request, event):
        instance = selectors.public_event_detail(event)
        services.record_event_view(event_id=instance.pk, visitor=visitor_key(request))
        context = {
            **self.get_serializer_context(),
            "organizer_stats": selectors.organizer_public_stats(instance.organizer),
            "similar_events": selectors.similar_events(instance),
        }
        return Response(PublicEventDetailSerializer(instance, context=context).data)
