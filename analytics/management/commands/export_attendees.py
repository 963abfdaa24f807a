"""`manage.py export_attendees <event id|slug> [--output FILE] [--payment-status …] [--check-in-status …]`.

Writes exactly the CSV of the organizers' export (`events/{event}/attendees/export/`, C2's columns and
filters; issued tickets by default) to FILE or to stdout. Read-only, so there is no --dry-run; the
summary goes to stderr when the CSV goes to stdout.
"""

from django.core.management.base import CommandError

from analytics.exports import write_attendees_csv
from analytics.serializers.dashboards import AttendeeQuerySerializer
from cafa.api.exceptions import DomainError
from cafa.commands import OperatorCommand
from events import selectors as events_selectors


class Command(OperatorCommand):
    help = "Export an event's attendees as CSV (the columns and filters of the organizers' export)."
    writes = False

    def add_options(self, parser):
        parser.add_argument("event", help="The event's id or slug.")
        parser.add_argument("--output", "-o", help="Write the CSV to this file (default: stdout).")
        for name in FILTERS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, help=f"C2's `{name}` filter.")

    def handle(self, *args, event, output=None, **options):
        try:
            found = events_selectors.event_by_id_or_slug(event)
        except DomainError:
            raise CommandError(f"No event with id or slug {event!r}.") from None
        query = AttendeeQuerySerializer(data={key: value for key, value in options.items() if key in FILTERS and value})
        if not query.is_valid():
            problems = "; ".join(
                f"--{key.replace('_', '-')}: {' '.join(map(str, errors))}" for key, errors in query.errors.items()
            )
            raise CommandError(problems)
        try:
            stream = open(output, "w", newline="", encoding="utf-8") if output else self.stdout._out  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        try:
            rows = write_attendees_csv(stream, event=found, filters=query.filters(), track=self.track("attendees"))
        finally:
            if output:
                stream.close()
        line = f"attendees: {rows} rows of event {found.pk} ({found.slug}) written to {output or 'stdout'}"
        (self.stdout if output else self.stderr).write(line)


FILTERS = ("payment_status", "check_in_status", "ticket_type_id", "search", "sort_by")


def _problems(errors: dict) -> str:
    return "; ".join(f"--{key.replace('_', '-')}: {' '.join(map(str, messages))}" for key, messages in errors.items())
