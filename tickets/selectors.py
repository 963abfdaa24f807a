"""Reads of the tickets domain: stock counts for the catalogue, purchases and tickets."""

from decimal import Decimal

from django.db.models import (
    Count,
    DateTimeField,
    DecimalField,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from tickets.models import ISSUED_TICKET_STATUSES, Purchase, PurchaseStatus, Ticket, TicketStatus

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO_MONEY = Value(Decimal("0.00"), output_field=MONEY)


def _aggregate(queryset, group_by: str, expression, output_field, default):
    """A correlated sub-query: one aggregate per outer row."""
    rows = queryset.order_by().values(group_by).annotate(value=expression).values("value")[:1]
    return Coalesce(Subquery(rows, output_field=output_field), default, output_field=output_field)


def _count(queryset, group_by):
    return _aggregate(queryset, group_by, Count("pk"), IntegerField(), Value(0))


class TicketCountExpressions:
    """Sold / reserved / revenue sub-queries for the events catalogue (see events.selectors)."""

    def for_ticket_types(self, now) -> dict:
        tickets = Ticket.objects.filter(ticket_type=OuterRef("pk"))
        issued = tickets.filter(status__in=ISSUED_TICKET_STATUSES)
        return {
            "tickets_sold": _count(issued, "ticket_type"),
            "tickets_reserved": _count(
                tickets.filter(status=TicketStatus.RESERVED, reserved_until__gt=now), "ticket_type"
            ),
            "revenue": _aggregate(issued, "ticket_type", Sum("price_paid"), MONEY, ZERO_MONEY),
        }

    def for_events(self, now) -> dict:
        tickets = Ticket.objects.filter(event=OuterRef("pk"))
        issued = tickets.filter(status__in=ISSUED_TICKET_STATUSES)
        completed = Purchase.objects.filter(event=OuterRef("pk"), status=PurchaseStatus.COMPLETED)
        return {
            "tickets_sold": _count(issued, "event"),
            "tickets_reserved": _count(tickets.filter(status=TicketStatus.RESERVED, reserved_until__gt=now), "event"),
            "tickets_checked_in": _count(issued.filter(checked_in_at__isnull=False), "event"),
            "completed_purchases": _count(completed, "event"),
            "gross_revenue": _aggregate(completed, "event", Sum("subtotal"), MONEY, ZERO_MONEY),
            "last_sale_date": _aggregate(
                completed, "event", Max("completed_at"), DateTimeField(), Value(None, output_field=DateTimeField())
            ),
            # Purchases keep their event (PROTECT): any purchase at all means the event stays.
            "has_sales_history": Exists(Purchase.objects.filter(event=OuterRef("pk"))),
        }


def open_purchases_of(buyer, now):
    """The buyer's unpaid purchases that still hold stock."""
    return Purchase.objects.filter(
        Q(status__in=(PurchaseStatus.RESERVED, PurchaseStatus.PENDING)), buyer=buyer, reservation_expires_at__gt=now
    )
