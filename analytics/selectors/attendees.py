"""C2 attendees (CONTRACT.md §8.2): an event's tickets as attendee rows, and the summary over them."""

from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import Event
from events.selectors import percentage
from tickets.models import ISSUED_TICKET_STATUSES, Ticket, TicketStatus, lapsed_reservation, live_reservation

PAYMENT_STATUSES = ("paid", "pending", "failed", "cancelled", "refunded", "all")
CHECK_IN_STATUSES = ("checked_in", "not_checked_in", "all")
ATTENDEE_SORTS = {
    "-purchase_date": (F("purchase_date").desc(), "-id"),
    "purchase_date": (F("purchase_date").asc(), "id"),
    "attendee_name": ("attendee_name", "id"),
    "-attendee_name": ("-attendee_name", "-id"),
    "ticket_type": ("ticket_type__name", "id"),
    "-ticket_type": ("-ticket_type__name", "-id"),
    "check_in_time": (F("checked_in_at").asc(nulls_last=True), "id"),
    "-check_in_time": (F("checked_in_at").desc(nulls_last=True), "-id"),
}


@dataclass(frozen=True)
class AttendeeFilters:
    payment_status: str = "paid"
    check_in_status: str = "all"
    ticket_type_id: int | None = None
    search: str = ""
    sort_by: str = "-purchase_date"


@dataclass(frozen=True)
class AttendanceSummary:
    total_attendees: int
    checked_in: int
    not_checked_in: int
    check_in_percentage: float


def payment_status_conditions(now) -> dict[str, Q]:
    """What each attendee `payment_status` means in ticket states (lapsed reservations are `failed`)."""
    return {
        "paid": Q(status__in=ISSUED_TICKET_STATUSES),
        "pending": live_reservation(now),
        "failed": Q(status=TicketStatus.EXPIRED) | lapsed_reservation(now),
        "cancelled": Q(status=TicketStatus.CANCELLED),
        "refunded": Q(status=TicketStatus.REFUNDED),
    }


def event_attendees(event: Event, filters: AttendeeFilters, now=None) -> QuerySet:
    """The event's tickets as attendee rows (C2 items and the CSV export), filtered and ordered."""
    now = now or timezone.now()
    conditions = payment_status_conditions(now)
    queryset = (
        Ticket.objects.filter(event=event)
        .select_related("ticket_type", "purchase__payment", "checked_in_by")
        .annotate(
            purchase_date=Coalesce("purchase__completed_at", "purchase__created_at"),
            payment_status=Case(
                *(When(condition, then=Value(name)) for name, condition in conditions.items()),
                default=Value("failed"),
                output_field=CharField(),
            ),
        )
    )
    if filters.payment_status != "all":
        queryset = queryset.filter(conditions[filters.payment_status])
    if filters.check_in_status == "checked_in":
        queryset = queryset.filter(checked_in_at__isnull=False)
    elif filters.check_in_status == "not_checked_in":
        queryset = queryset.filter(checked_in_at__isnull=True)
    if filters.ticket_type_id is not None:
        queryset = queryset.filter(ticket_type_id=filters.ticket_type_id)
    if filters.search:
        term = filters.search
        queryset = queryset.filter(
            Q(attendee_name__icontains=term)
            | Q(attendee_email__icontains=term)
            | Q(attendee_phone__icontains=term)
            | Q(ticket_id__icontains=term)
        )
    return queryset.order_by(*ATTENDEE_SORTS[filters.sort_by])


def attendance_summary(event: Event) -> AttendanceSummary:
    """C2 `summary` over every issued ticket of the event, ignoring list filters. One query."""
    totals = Ticket.objects.filter(event=event, status__in=ISSUED_TICKET_STATUSES).aggregate(
        total=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False))
    )
    return AttendanceSummary(
        total_attendees=totals["total"],
        checked_in=totals["checked_in"],
        not_checked_in=totals["total"] - totals["checked_in"],
        check_in_percentage=percentage(totals["checked_in"], totals["total"]),
    )
