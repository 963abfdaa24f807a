"""The attendee export (CONTRACT.md §8.2's rows as CSV), one writer for the API, the admin and commands."""

import csv

from django.http import HttpResponse
from django.utils import timezone

from analytics.selectors import attendees
from analytics.serializers.dashboards import CSV_COLUMNS, AttendeeSerializer, attendee_csv_row
from events.models import Event


def write_attendees_csv(out, event: Event, filters: attendees.AttendeeFilters) -> None:
    """Write the header and one row per attendee of `event` matching `filters` to the text stream `out`."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in AttendeeSerializer(attendees.event_attendees(event, filters), many=True).data:
        writer.writerow(attendee_csv_row(item))


def attendees_csv_response(event: Event, filters: attendees.AttendeeFilters) -> HttpResponse:
    """The export as a download named after the event and the time."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attendees-{event.slug}-{stamp}.csv"'
    write_attendees_csv(response, event, filters)
    return response
