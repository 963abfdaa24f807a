"""O1-O5: organizer event management (CONTRACT.md §5.1-§5.5)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from cafa.api.pagination import StandardPagination
from events import selectors, services
from events.filters import OrganizerEventFilter, run_filterset
from events.models import Event
from events.serializers.inputs import EventInputSerializer
from events.serializers.outputs import (
    EventCreatedSerializer,
    MyEventDetailSerializer,
    MyEventSerializer,
    OrganizerSummarySerializer,
)


def _is_multipart(request) -> bool:
    return (request.content_type or "").startswith("multipart/")


def _input_serializer(request, instance=None):
    context = {"request": request, "multipart": _is_multipart(request)}
    return EventInputSerializer(instance, data=request.data, partial=instance is not None, context=context)


class EventCreateView(APIView):
    """O1 `events/create/` (multipart or JSON); verified organizers only."""

    @extend_schema(request=EventInputSerializer, responses={201: OpenApiResponse(description="Event created")})
    def post(self, request):
        services.ensure_can_create_events(request.user)
        serializer = _input_serializer(request)
        serializer.is_valid(raise_exception=True)
        event = services.create_event(organizer=request.user, data=serializer.validated_data)
        body = {
            "success": True,
            "message": "Event created successfully",
            "id": event.pk,
            "slug": event.slug,
            "data": EventCreatedSerializer(event).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class EventUpdateView(APIView):
    """O2 `events/{event}/update/` = `events/my-events/{event}/edit/`: always a partial update."""

    @extend_schema(request=EventInputSerializer, responses={200: MyEventDetailSerializer})
    def patch(self, request, event):
        instance = selectors.owned_event(request.user, event)
        services.ensure_event_editable(instance)
        serializer = _input_serializer(request, instance)
        serializer.is_valid(raise_exception=True)
        services.update_event(event=instance, organizer=request.user, data=serializer.validated_data)
        detail = selectors.organizer_event_detail(request.user, str(instance.pk))
        body = {
            "success": True,
            "message": "Event updated successfully",
            "id": detail.pk,
            "slug": detail.slug,
            "event": MyEventDetailSerializer(detail, context={"request": request}).data,
        }
        return Response(body)

    put = patch


class EventDeleteView(APIView):
    """O3 `events/{event}/delete/`: only before the event starts and without ticket sales."""

    @extend_schema(request=None, responses={200: OpenApiResponse(description="Event deleted")})
    def delete(self, request, event):
        services.delete_event(event=selectors.owned_event(request.user, event))
        return Response({"success": True, "message": "Event deleted successfully"})


class MyEventListView(GenericAPIView):
    """O4 `events/my-events/`: the caller's events with analytics, filters and an unfiltered summary."""

    pagination_class = StandardPagination
    serializer_class = MyEventSerializer
    filterset_class = OrganizerEventFilter
    queryset = Event.objects.none()  # for the schema only; rows come from the selectors

    @extend_schema(operation_id="events_my_events_list", responses=MyEventSerializer(many=True))
    def get(self, request):
        filterset = run_filterset(self.filterset_class, request, selectors.organizer_events(request.user))
        page = selectors.with_current_view_counts(self.paginate_queryset(filterset.qs))
        data = self.get_serializer(page, many=True).data
        summary = OrganizerSummarySerializer(selectors.organizer_summary(request.user)).data
        return self.paginator.get_paginated_response(data, summary=summary)


class MyEventDetailView(GenericAPIView):
    """O5 `events/my-events/{event}/`: any of the caller's events, with its check-in public key."""

    serializer_class = MyEventDetailSerializer

    def get(self, request, event):
        return Response(self.get_serializer(selectors.organizer_event_detail(request.user, event)).data)
