"""Shapes of C1-C4 (CONTRACT.md §8); the figures come from `analytics.selectors`.

Figures computed by the selectors are dataclasses whose serializers are generated from them; the
attendee and check-in rows are tickets and check-ins, shaped field by field here.
"""

from rest_framework import serializers

from analytics.selectors.attendees import (
    ATTENDEE_SORTS,
    CHECK_IN_STATUSES,
    PAYMENT_STATUSES,
    AttendanceSummary,
    AttendeeFilters,
)
from analytics.selectors.check_in import EventCheckInStats
from analytics.selectors.event_analytics import EventAnalytics
from cafa.api.fields import MoneyField
from cafa.api.parsing import is_ascii_digits
from cafa.api.serializers import DataclassOutputSerializer
from tickets.serializers.outputs import TicketTypeMiniSerializer


class CheckerMiniSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()


# --- C1 ---------------------------------------------------------------------------------------


class EventAnalyticsSerializer(DataclassOutputSerializer):
    class Meta:
        dataclass = EventAnalytics


# --- C2 ---------------------------------------------------------------------------------------


class AttendeeQuerySerializer(serializers.Serializer):
    """C2 query parameters; a malformed value is a 400 keyed by the parameter (CONTRACT.md §1.3)."""

    payment_status = serializers.ChoiceField(choices=PAYMENT_STATUSES, default="paid")
    check_in_status = serializers.ChoiceField(choices=CHECK_IN_STATUSES, default="all")
    ticket_type_id = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    search = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    sort_by = serializers.ChoiceField(choices=tuple(ATTENDEE_SORTS), default="-purchase_date")

    def filters(self) -> AttendeeFilters:
        return AttendeeFilters(**self.validated_data)


class AttendanceSummarySerializer(DataclassOutputSerializer):
    class Meta:
        dataclass = AttendanceSummary


class AttendeeSerializer(serializers.Serializer):
    """One C2 item: a ticket of the event with its purchase, payment and check-in."""

    ticket_id = serializers.CharField()
    attendee_name = serializers.CharField()
    attendee_email = serializers.CharField()
    attendee_phone = serializers.SerializerMethodField()
    ticket_type = TicketTypeMiniSerializer()
    purchase_id = serializers.CharField(source="purchase.purchase_id")
    purchase_date = serializers.DateTimeField()
    payment_status = serializers.CharField()
    payment_reference = serializers.SerializerMethodField()
    amount_paid = MoneyField(source="price_paid")
    is_checked_in = serializers.SerializerMethodField()
    checked_in_at = serializers.DateTimeField()
    check_in_count = serializers.IntegerField()
    checked_in_by = CheckerMiniSerializer(allow_null=True)

    def get_attendee_phone(self, ticket) -> str | None:
        return ticket.attendee_phone or None

    def get_payment_reference(self, ticket) -> str | None:
        payment = getattr(ticket.purchase, "payment", None)
        return payment.reference if payment is not None else None

    def get_is_checked_in(self, ticket) -> bool:
        return ticket.checked_in_at is not None


CSV_COLUMNS = [
    "ticket_id",
    "attendee_name",
    "attendee_email",
    "attendee_phone",
    "ticket_type",
    "ticket_price",
    "purchase_id",
    "purchase_date",
    "payment_status",
    "payment_reference",
    "amount_paid",
    "is_checked_in",
    "checked_in_at",
    "check_in_count",
    "checked_in_by",
]


def attendee_csv_row(item: dict) -> list:
    """A serialized attendee flattened into the CSV columns (nested objects become names)."""
    ticket_type, checker = item["ticket_type"], item["checked_in_by"]
    flat = {
        **item,
        "ticket_type": ticket_type["name"],
        "ticket_price": ticket_type["price"],
        "is_checked_in": "yes" if item["is_checked_in"] else "no",
        "checked_in_by": (checker["full_name"] or checker["username"]) if checker else "",
    }
    return [_csv_safe(flat[column]) for column in CSV_COLUMNS]


def _csv_safe(value):
    """Blank for null; text a spreadsheet would run as a formula is prefixed with a quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "@", "\t", "\r", "+", "-") and not _is_signed_number(value):
        return "'" + value
    return value


def _is_signed_number(value: str) -> bool:
    return value[:1] in ("+", "-") and is_ascii_digits(value[1:].replace(".", "", 1))


# --- C3 / C4 ----------------------------------------------------------------------------------


class CheckInRequestSerializer(serializers.Serializer):
    ticket_id = serializers.CharField(max_length=2000, trim_whitespace=True)


class AdmittedTicketSerializer(serializers.Serializer):
    """The C3 success `ticket`: the ticket as admitted by this scan."""

    ticket_id = serializers.CharField(source="ticket.ticket_id")
    attendee_name = serializers.CharField(source="ticket.attendee_name")
    attendee_email = serializers.CharField(source="ticket.attendee_email")
    ticket_type = TicketTypeMiniSerializer(source="ticket.ticket_type")
    is_checked_in = serializers.SerializerMethodField()
    checked_in_at = serializers.DateTimeField(source="admitted_at")
    check_in_count = serializers.IntegerField(source="ticket.check_in_count")
    checked_in_by = CheckerMiniSerializer(source="scanner")

    def get_is_checked_in(self, result) -> bool:
        return True


class EventCheckInStatsSerializer(DataclassOutputSerializer):
    class Meta:
        dataclass = EventCheckInStats


class CheckInHistorySerializer(serializers.Serializer):
    """One C4 entry: one admission (re-admissions are separate entries)."""

    ticket_id = serializers.CharField(source="ticket.ticket_id")
    attendee_name = serializers.CharField(source="ticket.attendee_name")
    attendee_email = serializers.CharField(source="ticket.attendee_email")
    ticket_type = TicketTypeMiniSerializer(source="ticket.ticket_type")
    checked_in_at = serializers.DateTimeField(source="created_at")
    checked_in_by = CheckerMiniSerializer(source="scanned_by")
