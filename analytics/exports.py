"""The attendee CSV (C2's list, unpaginated): one writer for the API export and `manage.py export_attendees`."""

import csv

from analytics.selectors import attendees
from analytics.selectors.attendees import AttendeeFilters
from analytics.serializers.dashboards import CSV_COLUMNS, AttendeeSerializer, attendee_csv_row
from cafa.progress import Track, no_progress
from events.models import Event


def write_attendees_csv(stream, *, event: Event, filters: AttendeeFilters, track: Track = no_progress) -> int:
    """Write the header and one row per attendee matching `filters` to `stream`; returns the row count."""
    tickets = attendees.event_attendees(event, filters)
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    rows = AttendeeSerializer(tickets, many=True).data
    for item in track(rows, len(rows)):
        writer.writerow(attendee_csv_row(item))
    return len(rows)
