"""C1-C4 and the attendee export (CONTRACT.md §8): the event owner's day-of-event dashboards.

Another user's event is a 404 on every route, exactly like an unknown one.
"""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.exports import write_attendees_csv
from analytics.selectors import attendees, check_in, event_analytics
from analytics.serializers.dashboards import (
    AdmittedTicketSerializer,
    AttendanceSummarySerializer,
    AttendeeQuerySerializer,
    AttendeeSerializer,
    CheckInHistorySerializer,
    CheckInRequestSerializer,
    EventAnalyticsSerializer,
    EventCheckInStatsSerializer,
)
from analytics.throttling import CheckInThrottle
from cafa.api.exceptions import SuccessFlagMixin
from cafa.api.pagination import StandardPagination
from events.selectors import owned_event
from tickets.services import checkin


class EventAnalyticsView(APIView):
    """C1 `events/{event}/analytics/` = `events/my-events/{event}/analytics/`."""

    @extend_schema(responses={200: EventAnalyticsSerializer})
    def get(self, request, event):
        instance = event_analytics.owned_event_with_stock(request.user, event)
        return Response(EventAnalyticsSerializer(event_analytics.event_analytics(instance)).data)


def _attendee_filters(request):
    query = AttendeeQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.filters()


class EventAttendeesView(APIView):
    """C2 `events/{event}/attendees/`: paginated tickets plus a summary over every issued ticket."""

    @extend_schema(parameters=[AttendeeQuerySerializer], responses={200: AttendeeSerializer(many=True)})
    def get(self, request, event):
        instance = owned_event(request.user, event)
        filters = _attendee_filters(request)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(attendees.event_attendees(instance, filters), request, view=self)
        summary = AttendanceSummarySerializer(attendees.attendance_summary(instance)).data
        return paginator.get_paginated_response(AttendeeSerializer(page, many=True).data, summary=summary)


class EventAttendeesExportView(APIView):
    """`events/{event}/attendees/export/`: the C2 list (same filters, unpaginated) as CSV."""

    @extend_schema(
        parameters=[AttendeeQuerySerializer], responses={(200, "text/csv"): OpenApiResponse(description="CSV")}
    )
    def get(self, request, event):
        instance = owned_event(request.user, event)
        filters = _attendee_filters(request)
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="attendees-{instance.slug}-{stamp}.csv"'
        write_attendees_csv(response, event=instance, filters=filters)
        return response


class CheckInView(SuccessFlagMixin, APIView):
    """C3 `events/{event}/checkin/`: scan a ticket id or QR text at the door."""

    throttle_classes = [CheckInThrottle]

    @extend_schema(request=CheckInRequestSerializer, responses={200: AdmittedTicketSerializer})
    def post(self, request, event):
        instance = owned_event(request.user, event)
        scan = CheckInRequestSerializer(data=request.data)
        scan.is_valid(raise_exception=True)
        result = checkin.check_in(event=instance, scanned_value=scan.validated_data["ticket_id"], scanner=request.user)
        return Response(
            {
                "success": True,
                "message": "Check-in successful",
                "ticket": AdmittedTicketSerializer(result).data,
                "event_stats": EventCheckInStatsSerializer(check_in.check_in_stats(instance)).data,
            }
        )


class CheckInHistoryView(APIView):
    """C4 `events/{event}/checkin-history/`: a bare array of the last 50 admissions, newest first."""

    @extend_schema(responses={200: CheckInHistorySerializer(many=True)})
    def get(self, request, event):
        instance = owned_event(request.user, event)
        return Response(CheckInHistorySerializer(check_in.check_in_history(instance), many=True).data)
