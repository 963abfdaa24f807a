"""Reads of the payments domain: the checkout's event lookup, payments for display, history and summary.

Every payment shown over HTTP is loaded here with its purchase, event, organizer and tickets in a
fixed number of queries, so no endpoint grows queries with the size of a page or a purchase.
"""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from cafa.money import quantize_money
from events.exceptions import EventNotFound
from events.models import Event, TicketType
from events.selectors import event_lookup, ticket_type_is_available, ticket_types_with_stock
from payments.exceptions import CheckoutSessionNotFound, LegacyPurchaseNotFound, PaymentNotFound
from payments.models import Payment, PaymentStatus
from tickets.models import ISSUED_TICKET_STATUSES, Purchase, Ticket

REFERENCE_PREFIX = "CAFA-"


def published_event(*, event_id=None, event_slug: str | None = None) -> Event:
    """The published event named by id (preferred) or slug; EventNotFound otherwise."""
    lookup = str(event_id) if event_id is not None else (event_slug or "")
    if not lookup:
        raise EventNotFound()
    try:  # id and slug are unique: no ordering, no LIMIT 1 to build (a purchase pays for each step)
        return Event.objects.get(event_lookup(lookup), is_published=True)
    except Event.DoesNotExist:
        raise EventNotFound() from None


def _with_details(queryset: QuerySet) -> QuerySet:
    """Purchase, ticket type, event and organizer joined; the purchase's tickets prefetched in one query."""
    tickets = Ticket.objects.select_related("ticket_type").order_by("created_at", "id")
    return queryset.select_related(
        "user",
        "purchase__ticket_type",
        "purchase__promo_code",
        "purchase__event__organizer",
        "purchase__event__category",
    ).prefetch_related(Prefetch("purchase__tickets", queryset=tickets))


def payment_by_reference(reference: str) -> Payment:
    """The payment with this provider reference (the unguessable `CAFA-…`, never the `PAY-` id)."""
    reference = (reference or "").strip()
    payment = None
    if reference.upper().startswith(REFERENCE_PREFIX):
        payment = _with_details(Payment.objects.filter(reference=reference)).first()
    if payment is None:
        raise PaymentNotFound()
    return payment


def owned_payment(user, payment_id: str) -> Payment:
    """One of the caller's payments by its `PAY-` id; anyone else's is PaymentNotFound (404)."""
    payment = _with_details(Payment.objects.filter(payment_id=payment_id, user=user)).first()
    if payment is None:
        raise PaymentNotFound("No payment of yours matches this id.")
    return payment


def reload_payment(payment: Payment) -> Payment:
    """The same payment, freshly read with everything needed to display it (after a read-through)."""
    return _with_details(Payment.objects.filter(pk=payment.pk)).get()


def payment_history(
    user, *, status: str | None = None, date_from: date | None = None, date_to: date | None = None
) -> QuerySet:
    """The caller's payments, newest first, optionally by status and by the date they were created."""
    queryset = Payment.objects.filter(user=user)
    if status:
        queryset = queryset.filter(status=status)
    if date_from:
        queryset = queryset.filter(created_at__date__gte=date_from)
    if date_to:
        queryset = queryset.filter(created_at__date__lte=date_to)
    return _with_details(queryset).order_by("-created_at", "-id")


def payment_summary(user) -> dict:
    """Totals over all of the caller's payments, ignoring list filters. One query."""
    totals = Payment.objects.filter(user=user).aggregate(
        total_spent=Coalesce(Sum("amount", filter=Q(status=PaymentStatus.COMPLETED)), Decimal("0")),
        total_transactions=Count("id"),
        completed_transactions=Count("id", filter=Q(status=PaymentStatus.COMPLETED)),
        pending_transactions=Count("id", filter=Q(status=PaymentStatus.PENDING)),
    )
    totals["total_spent"] = quantize_money(totals["total_spent"])
    return totals


def issued_tickets(payment: Payment) -> list[Ticket]:
    """The purchase's admissions (active or used), from the prefetched tickets when present."""
    return [ticket for ticket in payment.purchase.tickets.all() if ticket.status in ISSUED_TICKET_STATUSES]


def payment_by_public_id(value: str) -> Payment | None:
    """A payment by its `PAY-` id or its purchase's `PUR-` id (operators' commands); None when unknown."""
    value = (value or "").strip().upper()
    lookup = Q(purchase__purchase_id=value) if value.startswith("PUR-") else Q(payment_id=value)
    return Payment.objects.select_related("purchase__event").filter(lookup).first()


# --- The legacy Stripe endpoints (CONTRACT.md §13) ----------------------------------------------------------


def ticket_types_on_sale(event: Event) -> list[TicketType]:
    """The event's ticket types a buyer can pick right now, cheapest first."""
    ticket_types = ticket_types_with_stock().filter(event=event)
    on_sale = []
    for ticket_type in ticket_types:
        ticket_type.event = event
        if ticket_type_is_available(ticket_type):
            on_sale.append(ticket_type)
    return on_sale


def first_ticket_type_id(event: Event) -> int | None:
    return event.ticket_types.order_by("id").values_list("pk", flat=True).first()


def payment_by_checkout_session(session_id: str) -> Payment:
    """The payment a hosted checkout session belongs to; CheckoutSessionNotFound otherwise."""
    payment = None
    if session_id:
        payment = Payment.objects.select_related("purchase").filter(checkout_session_id=session_id).first()
    if payment is None:
        raise CheckoutSessionNotFound()
    return payment


def legacy_purchase(ticket_id: int | str) -> Purchase:
    """A purchase by the legacy `ticket_id`: its number, or its `PUR-…` id; LegacyPurchaseNotFound otherwise."""
    match = Q(pk=ticket_id) if isinstance(ticket_id, int) else Q(purchase_id=ticket_id)
    purchase = Purchase.objects.select_related("payment").filter(match).first()
    if purchase is None:
        raise LegacyPurchaseNotFound()
    return purchase


def issued_tickets_of(purchase: Purchase) -> list[Ticket]:
    """The purchase's admissions (active or used), in issue order."""
    return list(purchase.tickets.filter(status__in=ISSUED_TICKET_STATUSES).order_by("created_at", "id"))
