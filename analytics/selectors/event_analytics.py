"""C1 event analytics (CONTRACT.md §8.1): one event's sales, stock and traffic, in 5 queries."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import ExtractHour, TruncDate

from analytics.selectors.common import local_zone
from cafa.money import ZERO, platform_fee, quantize_money
from events.exceptions import EventNotFound
from events.models import Event
from events.selectors import annotate_event_stock, event_lookup, percentage, ticket_types_with_stock, traffic
from tickets.models import ISSUED_TICKET_STATUSES, Purchase, PurchaseStatus, Ticket

RECENT_SALES = 10


@dataclass(frozen=True)
class Overview:
    total_tickets: int
    tickets_sold: int
    tickets_remaining: int
    tickets_reserved: int
    tickets_checked_in: int
    sales_percentage: float
    check_in_percentage: float
    gross_revenue: Decimal
    platform_fee: Decimal
    platform_fee_percentage: float
    net_revenue: Decimal
    service_fees_collected: Decimal
    discounts_given: Decimal  # promo codes (CONTRACT.md §16): already taken off gross_revenue
    average_ticket_price: Decimal
    projected_revenue: Decimal


@dataclass(frozen=True)
class TicketTypeSales:
    ticket_type_id: int
    ticket_type: str
    price: Decimal
    tickets_sold: int
    total_quantity: int
    revenue: Decimal
    percentage_of_total_sales: float
    percentage_of_quantity_sold: float


@dataclass(frozen=True)
class TimelineDay:
    date: date
    tickets_sold: int
    revenue: Decimal
    cumulative_tickets: int
    cumulative_revenue: Decimal


@dataclass(frozen=True)
class HourSales:
    hour: str
    tickets_sold: int
    revenue: Decimal


@dataclass(frozen=True)
class Traffic:
    page_views: int
    unique_visitors: int
    conversion_rate: float


@dataclass(frozen=True)
class RecentSale:
    ticket_id: str
    ticket_type: str
    amount: Decimal
    buyer_name: str
    purchase_date: datetime


@dataclass(frozen=True)
class EventAnalytics:
    event_id: int
    event_title: str
    event_slug: str
    event_status: str
    overview: Overview
    sales_by_ticket_type: list[TicketTypeSales]
    sales_timeline: list[TimelineDay]
    sales_by_hour: list[HourSales]
    traffic: Traffic
    recent_sales: list[RecentSale]


def owned_event_with_stock(organizer, lookup: str) -> Event:
    """One of the organizer's events with the stock annotations of `annotate_event_stock`; else 404."""
    event = annotate_event_stock(Event.objects.filter(event_lookup(lookup), organizer=organizer)).first()
    if event is None:
        raise EventNotFound()
    return event


def event_analytics(event: Event) -> EventAnalytics:
    """The C1 figures of an event annotated by `owned_event_with_stock`. 5 queries."""
    ticket_types = list(ticket_types_with_stock().filter(event=event))
    issued = Ticket.objects.filter(event=event, status__in=ISSUED_TICKET_STATUSES)
    return EventAnalytics(
        event_id=event.pk,
        event_title=event.title,
        event_slug=event.slug,
        event_status=event.status,
        overview=_overview(event, ticket_types),
        sales_by_ticket_type=_sales_by_ticket_type(ticket_types, event.tickets_sold),
        sales_timeline=_sales_timeline(issued),
        sales_by_hour=_sales_by_hour(issued),
        traffic=Traffic(**traffic(event)),
        recent_sales=_recent_sales(issued),
    )


def _overview(event, ticket_types) -> Overview:
    gross = quantize_money(event.gross_revenue)
    fee = platform_fee(gross)
    paid = Purchase.objects.filter(event=event, status=PurchaseStatus.COMPLETED).aggregate(
        service_fees=Sum("service_fee"), discounts=Sum("discount")
    )
    sold = event.tickets_sold
    return Overview(
        total_tickets=event.total_tickets,
        tickets_sold=sold,
        tickets_remaining=event.tickets_available,
        tickets_reserved=event.tickets_reserved,
        tickets_checked_in=event.tickets_checked_in,
        sales_percentage=percentage(sold, event.total_tickets),
        check_in_percentage=percentage(event.tickets_checked_in, sold),
        gross_revenue=gross,
        platform_fee=fee,
        platform_fee_percentage=float(settings.PLATFORM_FEE_PERCENT),
        net_revenue=gross - fee,
        service_fees_collected=quantize_money(paid["service_fees"]),
        discounts_given=quantize_money(paid["discounts"]),
        average_ticket_price=quantize_money(gross / sold) if sold else ZERO,
        projected_revenue=quantize_money(sum((t.price * t.quantity for t in ticket_types), ZERO)),
    )


def _sales_by_ticket_type(ticket_types, event_sold) -> list[TicketTypeSales]:
    return [
        TicketTypeSales(
            ticket_type_id=ticket_type.pk,
            ticket_type=ticket_type.name,
            price=ticket_type.price,
            tickets_sold=ticket_type.tickets_sold,
            total_quantity=ticket_type.quantity,
            revenue=quantize_money(ticket_type.revenue),
            percentage_of_total_sales=percentage(ticket_type.tickets_sold, event_sold),
            percentage_of_quantity_sold=percentage(ticket_type.tickets_sold, ticket_type.quantity),
        )
        for ticket_type in ticket_types
    ]


def _sales_timeline(issued: QuerySet) -> list[TimelineDay]:
    rows = (
        issued.filter(issued_at__isnull=False)
        .annotate(day=TruncDate("issued_at", tzinfo=local_zone()))
        .order_by()
        .values("day")
        .annotate(tickets_sold=Count("pk"), revenue=Sum("price_paid"))
        .order_by("day")
    )
    timeline, tickets, revenue = [], 0, ZERO
    for row in rows:
        tickets += row["tickets_sold"]
        revenue += quantize_money(row["revenue"])
        timeline.append(
            TimelineDay(
                date=row["day"],
                tickets_sold=row["tickets_sold"],
                revenue=quantize_money(row["revenue"]),
                cumulative_tickets=tickets,
                cumulative_revenue=revenue,
            )
        )
    return timeline


def _sales_by_hour(issued: QuerySet) -> list[HourSales]:
    rows = (
        issued.filter(issued_at__isnull=False)
        .annotate(hour=ExtractHour("issued_at", tzinfo=local_zone()))
        .order_by()
        .values("hour")
        .annotate(tickets_sold=Count("pk"), revenue=Sum("price_paid"))
    )
    by_hour = {row["hour"]: row for row in rows}
    return [
        HourSales(
            hour=f"{hour:02d}:00",
            tickets_sold=by_hour.get(hour, {}).get("tickets_sold", 0),
            revenue=quantize_money(by_hour.get(hour, {}).get("revenue")),
        )
        for hour in range(24)
    ]


def _recent_sales(issued: QuerySet) -> list[RecentSale]:
    tickets = issued.select_related("ticket_type", "purchase").order_by(F("issued_at").desc(nulls_last=True), "-id")
    return [
        RecentSale(
            ticket_id=ticket.ticket_id,
            ticket_type=ticket.ticket_type.name,
            amount=ticket.price_paid,
            buyer_name=ticket.purchase.attendee_name,
            purchase_date=ticket.purchase.completed_at or ticket.issued_at,
        )
        for ticket in tickets[:RECENT_SALES]
    ]
