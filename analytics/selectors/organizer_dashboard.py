"""The organizer's dashboard on the admin index: each event not yet over, its sales and its door. Two queries."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from analytics.selectors.common import local_zone
from cafa.money import platform_fee, quantize_money
from events.models import Event
from events.selectors import annotate_event_stock, percentage
from tickets.models import ISSUED_TICKET_STATUSES, Ticket

DASHBOARD_EVENTS = 12


@dataclass(frozen=True)
class SalesDay:
    date: date
    tickets_sold: int
    cumulative_tickets: int


@dataclass(frozen=True)
class EventDashboard:
    event_id: int
    title: str
    slug: str
    starts_at: datetime
    status: str
    is_published: bool
    total_tickets: int
    tickets_sold: int
    sales_percentage: float
    gross_revenue: Decimal
    net_revenue: Decimal
    tickets_checked_in: int
    check_in_percentage: float
    sales: list[SalesDay]


def organizer_dashboard(organizer, *, now: datetime | None = None) -> list[EventDashboard]:
    """The organizer's upcoming and ongoing events (not cancelled), soonest first (at most 12), with their figures and
    daily sales (Africa/Accra days with sales, ascending). Sold = issued, as everywhere (§1.11)."""
    now = now or timezone.now()
    events = list(annotate_event_stock(_not_over(organizer, now)).order_by("starts_at", "id")[:DASHBOARD_EVENTS])
    sales = _daily_sales([event.pk for event in events])
    return [_event_dashboard(event, sales.get(event.pk, [])) for event in events]


def _not_over(organizer, now):
    """Upcoming and ongoing events; a cancelled one is over whatever its dates."""
    return Event.objects.filter(organizer=organizer, ends_at__gte=now, cancelled_at__isnull=True)


def _daily_sales(event_ids: list[int]) -> dict[int, list[SalesDay]]:
    rows = (
        Ticket.objects.filter(event_id__in=event_ids, status__in=ISSUED_TICKET_STATUSES, issued_at__isnull=False)
        .annotate(day=TruncDate("issued_at", tzinfo=local_zone()))
        .order_by()
        .values("event_id", "day")
        .annotate(tickets_sold=Count("pk"))
        .order_by("event_id", "day")
    )
    by_event: dict[int, list[SalesDay]] = {}
    for row in rows:
        days = by_event.setdefault(row["event_id"], [])
        cumulative = (days[-1].cumulative_tickets if days else 0) + row["tickets_sold"]
        days.append(SalesDay(date=row["day"], tickets_sold=row["tickets_sold"], cumulative_tickets=cumulative))
    return by_event


def _event_dashboard(event: Event, sales: list[SalesDay]) -> EventDashboard:
    gross = quantize_money(event.gross_revenue)
    return EventDashboard(
        event_id=event.pk,
        title=event.title,
        slug=event.slug,
        starts_at=event.starts_at,
        status=event.status,
        is_published=event.is_published,
        total_tickets=event.total_tickets,
        tickets_sold=event.tickets_sold,
        sales_percentage=percentage(event.tickets_sold, event.total_tickets),
        gross_revenue=gross,
        net_revenue=gross - platform_fee(gross),
        tickets_checked_in=event.tickets_checked_in,
        check_in_percentage=percentage(event.tickets_checked_in, event.tickets_sold),
        sales=sales,
    )
