"""WL1 join, WL2 my entries, WL5 an event's entries (CONTRACT.md §17).

Leaving (WL3) and paying an offer (WL4) can involve a payment, so they live in payments' views.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cafa.api.exceptions import SuccessFlagMixin
from cafa.api.pagination import StandardPagination
from events import selectors as events_selectors
from tickets import selectors
from tickets.models import WaitlistEntry
from tickets.serializers.waitlist import (
    OrganizerWaitlistEntrySerializer,
    WaitlistEntrySerializer,
    WaitlistJoinSerializer,
    WaitlistQuerySerializer,
)
from tickets.services import waitlist
from tickets.services.reservations import Attendee
from tickets.throttling import WaitlistThrottle


def _filters(request) -> dict:
    query = WaitlistQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class WaitlistJoinView(SuccessFlagMixin, GenericAPIView):
    """WL1 `events/{event}/waitlist/`: queue for a sold-out ticket type."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [WaitlistThrottle]
    serializer_class = WaitlistJoinSerializer

    @extend_schema(request=WaitlistJoinSerializer, responses={201: WaitlistEntrySerializer})
    def post(self, request, event):
        published = events_selectors.published_event(event)
        order = self.get_serializer(data=request.data)
        order.is_valid(raise_exception=True)
        given = order.validated_data.get("attendee_info") or {}
        entry = waitlist.join_waitlist(
            user=request.user,
            event=published,
            ticket_type_id=order.validated_data["ticket_type_id"],
            quantity=order.validated_data["quantity"],
            attendee=Attendee(
                name=(given.get("name") or "").strip(), email=given.get("email") or "", phone=given.get("phone") or ""
            ),
        )
        shown = WaitlistEntrySerializer(selectors.owned_waitlist_entry(request.user, entry.entry_id)).data
        body = {"success": True, "message": "You are on the waiting list", "entry": shown}
        return Response(body, status=status.HTTP_201_CREATED)


class MyWaitlistView(GenericAPIView):
    """WL2 `waitlist/`: the caller's entries, newest first, optionally of one `status`."""

    permission_classes = [IsAuthenticated]
    serializer_class = WaitlistEntrySerializer
    pagination_class = StandardPagination
    queryset = WaitlistEntry.objects.none()  # for the schema only; rows come from the selectors

    def get(self, request):
        entries = selectors.user_waitlist_entries(request.user, status=_filters(request).get("status"))
        page = self.paginate_queryset(entries)
        return self.paginator.get_paginated_response(self.get_serializer(page, many=True).data)


class EventWaitlistView(GenericAPIView):
    """WL5 `events/{event}/waitlist/entries/`: the organizer's view of the queue, in queue order, with a summary."""

    serializer_class = OrganizerWaitlistEntrySerializer
    pagination_class = StandardPagination
    queryset = WaitlistEntry.objects.none()

    def get(self, request, event):
        owned = events_selectors.owned_event(request.user, event)
        filters = _filters(request)
        entries = selectors.event_waitlist_entries(
            owned, status=filters.get("status"), ticket_type_id=filters.get("ticket_type_id")
        )
        page = self.paginate_queryset(entries)
        summary = selectors.event_waitlist_summary(owned)
        return self.paginator.get_paginated_response(self.get_serializer(page, many=True).data, summary=summary)
