"""Reads of the tickets domain: stock counts for the catalogue, purchases and tickets."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DateTimeField,
    DecimalField,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from tickets.models import (
    ISSUED_TICKET_STATUSES,
    DeliveryStatus,
    Purchase,
    PurchaseStatus,
    SentReminder,
    Ticket,
    TicketDelivery,
    TicketStatus,
    issued_ticket,
    live_reservation,
)

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
            "tickets_reserved": _count(tickets.live_reservations(now), "ticket_type"),
            "revenue": _aggregate(issued, "ticket_type", Sum("price_paid"), MONEY, ZERO_MONEY),
        }

    def for_ticket_type_groups(self, now) -> dict:
        """The same sold / reserved counts as aggregates over a ticket type's `tickets`, for one GROUP BY
        query over many ticket types (a page of the public catalogue)."""
        return {
            "tickets_sold": Count("tickets", filter=issued_ticket(via="tickets__")),
            "tickets_reserved": Count("tickets", filter=live_reservation(now, via="tickets__")),
        }

    def for_events(self, now) -> dict:
        tickets = Ticket.objects.filter(event=OuterRef("pk"))
        issued = tickets.filter(status__in=ISSUED_TICKET_STATUSES)
        completed = Purchase.objects.filter(event=OuterRef("pk"), status=PurchaseStatus.COMPLETED)
        return {
            "tickets_sold": _count(issued, "event"),
            "tickets_reserved": _count(tickets.live_reservations(now), "event"),
            "tickets_checked_in": _count(issued.filter(checked_in_at__isnull=False), "event"),
            "completed_purchases": _count(completed, "event"),
            "gross_revenue": _aggregate(completed, "event", Sum("subtotal"), MONEY, ZERO_MONEY),
            "last_sale_date": _aggregate(
                completed, "event", Max("completed_at"), DateTimeField(), Value(None, output_field=DateTimeField())
            ),
            # Purchases keep their event (PROTECT): any purchase at all means the event stays.
            "has_sales_history": Exists(Purchase.objects.filter(event=OuterRef("pk"))),
        }


# --- A buyer's tickets, documents and reminders (CONTRACT.md §7, §15) ---------------------------


# Stored statuses a ticket can have once it has been issued (reservations never reach the buyer's lists).
ONCE_ISSUED_TICKET_STATUSES = (*ISSUED_TICKET_STATUSES, TicketStatus.CANCELLED, TicketStatus.REFUNDED)
REPORTED_TICKET_STATUSES = ("active", "used", "expired", "cancelled", "refunded")


def _with_purchase_date(queryset):
    return queryset.annotate(purchase_date=Coalesce("purchase__completed_at", "purchase__created_at"))


def buyer_tickets(buyer):
    """Tickets the buyer was ever issued (active, used, later cancelled or refunded), never reservations.

    Rows carry `event__category`, `ticket_type` and `purchase__payment` (one query per page) and a
    `purchase_date` annotation (payment completion, else purchase creation).
    """
    tickets = Ticket.objects.filter(
        purchase__buyer=buyer, issued_at__isnull=False, status__in=ONCE_ISSUED_TICKET_STATUSES
    ).select_related("event__category", "ticket_type", "purchase__payment")
    return _with_purchase_date(tickets)


def filter_by_reported_status(queryset, status: str, now=None):
    """Filter tickets by the status clients see (§1.11): `active` + past event is reported `expired`."""
    now = now or timezone.now()
    if status == TicketStatus.ACTIVE:
        return queryset.filter(status=TicketStatus.ACTIVE, event__ends_at__gte=now)
    if status == TicketStatus.EXPIRED:
        return queryset.filter(status=TicketStatus.ACTIVE, event__ends_at__lt=now)
    if status in REPORTED_TICKET_STATUSES:
        return queryset.filter(status=status)
    return queryset


def buyer_ticket(buyer, ticket_id: str):
    """Any ticket of the buyer by its public id (case-insensitive), with what T2/T3 show; None if not theirs."""
    tickets = Ticket.objects.filter(purchase__buyer=buyer, ticket_id=str(ticket_id).strip().upper())
    tickets = tickets.select_related("event__category", "event__organizer", "ticket_type", "purchase__payment")
    return _with_purchase_date(tickets).first()


def attended_tickets(buyer):
    """The buyer's checked-in tickets, most recent first check-in first."""
    return (
        Ticket.objects.filter(purchase__buyer=buyer, checked_in_at__isnull=False)
        .select_related("event__category", "ticket_type")
        .order_by("-checked_in_at", "-id")
    )


def purchase_for_delivery(purchase_pk: int):
    """A purchase with its issued tickets (`issued_tickets`) and what their PDFs print; None if unknown."""
    issued = Ticket.objects.filter(status__in=ISSUED_TICKET_STATUSES).select_related("ticket_type").order_by("id")
    purchase = (
        Purchase.objects.select_related("event__organizer", "ticket_type", "buyer")
        .prefetch_related(Prefetch("tickets", queryset=issued, to_attr="issued_tickets"))
        .filter(pk=purchase_pk)
        .first()
    )
    if purchase is not None:
        for ticket in purchase.issued_tickets:
            ticket.purchase, ticket.event = purchase, purchase.event
    return purchase


def purchases_due_reminder(*, kind: str, starts_after, starts_until):
    """Completed purchases holding active tickets for events starting in (starts_after, starts_until],
    whose buyer wants event reminders, and that have had no reminder of `kind` yet."""
    active = Ticket.objects.filter(purchase=OuterRef("pk"), status=TicketStatus.ACTIVE)
    sent = SentReminder.objects.filter(purchase=OuterRef("pk"), kind=kind)
    return (
        Purchase.objects.filter(
            status=PurchaseStatus.COMPLETED,
            buyer__is_active=True,
            buyer__event_reminders=True,
            event__starts_at__gt=starts_after,
            event__starts_at__lte=starts_until,
        )
        .filter(Exists(active))
        .exclude(Exists(sent))
        .order_by("event__starts_at", "id")
    )


# Ticket e-mails still to send: their tickets were issued (or a resend was asked) a while ago.
TICKET_EMAIL_DUE_AFTER = timedelta(minutes=1)


def due_ticket_deliveries(now):
    """Purchase pks whose ticket e-mail has been due over a minute, unclaimed and not backing off; oldest first."""
    due = TicketDelivery.objects.filter(status=DeliveryStatus.DUE, due_since__lte=now - TICKET_EMAIL_DUE_AFTER)
    due = due.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
    due = due.filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
    return due.order_by("due_since", "pk").values_list("purchase_id", flat=True)
