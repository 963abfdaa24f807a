"""Reads of the tickets domain: stock counts for the catalogue, purchases and tickets.

Over 300 lines on purpose: every read of stock, purchases and tickets shares the few expressions that
define them (live hold, issued ticket, promo use); one module keeps each defined once.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cache

from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    DecimalField,
    Exists,
    F,
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

from events.models import Event, TicketType
from tickets.models import (
    ISSUED_TICKET_STATUSES,
    OPEN_PURCHASE_STATUSES,
    OPEN_WAITLIST_STATUSES,
    SALES_AMOUNT,
    DeliveryStatus,
    PromoCode,
    Purchase,
    PurchaseStatus,
    SentReminder,
    Ticket,
    TicketDelivery,
    TicketStatus,
    WaitlistEntry,
    WaitlistNotice,
    WaitlistStatus,
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
    """Sold / reserved / revenue sub-queries for the events catalogue (see events.selectors).

    Tickets sold are the type's issued counter (`TicketType.issued_count`), live reservations a count over
    the partial index of reserved tickets: neither reads the tickets sold, however many there are.
    """

    def for_ticket_types(self, now) -> dict:
        tickets = Ticket.objects.filter(ticket_type=OuterRef("pk"))
        issued = tickets.filter(status__in=ISSUED_TICKET_STATUSES)
        return {
            "tickets_sold": F("issued_count"),
            "tickets_reserved": _count(tickets.live_reservations(now), "ticket_type"),
            "revenue": _aggregate(issued, "ticket_type", Sum("price_paid"), MONEY, ZERO_MONEY),
            "waiting_count": _count(waiting_entries().filter(ticket_type=OuterRef("pk")), "ticket_type"),
        }

    def for_ticket_type_groups(self, now) -> dict:
        """The same sold / reserved / waiting figures for one query over many ticket types (a page of the
        public catalogue, `.values(...).annotate(...)`): the counter and two sub-queries, no join."""
        holds = Ticket.objects.filter(ticket_type=OuterRef("pk")).live_reservations(now)
        return {
            "tickets_sold": F("issued_count"),
            "tickets_reserved": _count(holds, "ticket_type"),
            "waiting_count": _count(waiting_entries().filter(ticket_type=OuterRef("pk")), "ticket_type"),
        }

    def for_events(self, now) -> dict:
        tickets = Ticket.objects.filter(event=OuterRef("pk"))
        issued = tickets.filter(status__in=ISSUED_TICKET_STATUSES)
        completed = Purchase.objects.filter(event=OuterRef("pk"), status=PurchaseStatus.COMPLETED)
        return {
            "tickets_sold": _aggregate(
                TicketType.objects.filter(event=OuterRef("pk")), "event", Sum("issued_count"), IntegerField(), Value(0)
            ),
            "tickets_reserved": _count(tickets.live_reservations(now), "event"),
            "tickets_checked_in": _count(issued.filter(checked_in_at__isnull=False), "event"),
            "completed_purchases": _count(completed, "event"),
            "gross_revenue": _aggregate(completed, "event", Sum(SALES_AMOUNT), MONEY, ZERO_MONEY),
            "last_sale_date": _aggregate(
                completed, "event", Max("completed_at"), DateTimeField(), Value(None, output_field=DateTimeField())
            ),
            # Purchases keep their event (PROTECT): any purchase at all means the event stays.
            "has_sales_history": Exists(Purchase.objects.filter(event=OuterRef("pk"))),
        }


# --- Stock, under the ticket type's lock (tickets.services.reservations) ---------------------------


def live_holds(ticket_type_id: int, now, *, excluding_purchase_id: int | None = None) -> int:
    """Reserved tickets of the type still holding stock at `now` (optionally not counting one purchase's
    own): one count over the partial index of reserved rows, whatever the type has sold."""
    holds = Ticket.objects.filter(live_reservation(now), ticket_type_id=ticket_type_id)
    if excluding_purchase_id is not None:
        holds = holds.exclude(purchase_id=excluding_purchase_id)
    return holds.count()


def stock_holding(ticket_type, now) -> int:
    """Tickets holding the type's stock at `now`: issued (the type's counter) plus live holds. Pass the
    type's row as read under its lock (`cafa.locking`): the counter is then current."""
    return ticket_type.issued_count + live_holds(ticket_type.pk, now)


def issued_tickets_of(ticket_type_id: int) -> int:
    """A full count of the type's issued tickets: what its `issued_count` must equal (the operators' check)."""
    return Ticket.objects.filter(issued_ticket(), ticket_type_id=ticket_type_id).count()


def issued_counts_against_counters():
    """Every ticket type with `counted`, a full count of its issued tickets, beside its `issued_count`."""
    issued = Ticket.objects.filter(issued_ticket(), ticket_type=OuterRef("pk"))
    return TicketType.objects.annotate(counted=_count(issued, "ticket_type"))


@dataclass(frozen=True)
class StockReading:
    """What a reservation reads once the ticket type is locked, in one round trip."""

    live_holds: int
    event_cancelled: bool
    queue_waiting: bool
    promo_uses: int | None = None  # of the code asked for (None: not asked)


def stock_reading(*, ticket_type_id: int, event_id: int, now, promo_code_id: int | None = None) -> StockReading:
    """The type's live holds, whether its event is cancelled and whether anyone queues for it, in one
    query; with `promo_code_id`, also that code's uses (`promo_use`). Call after the type's lock (and
    the code's) is granted: the statement's snapshot then sees every change the previous holder
    committed (a cancellation locks the types first; offers and holds change under it).

    Plain SQL, built once per shape: every buyer of the type waits while it runs, and the ORM would
    take longer to compile this statement than PostgreSQL takes to answer it (a few index probes).
    """
    at = connection.ops.adapt_datetimefield_value(now)
    params = [ticket_type_id, TicketStatus.RESERVED, at, event_id, ticket_type_id, WaitlistStatus.WAITING]
    if promo_code_id is not None:
        params += [promo_code_id, PurchaseStatus.COMPLETED, *OPEN_PURCHASE_STATUSES, at]
    with connection.cursor() as cursor:
        cursor.execute(_stock_reading_sql(with_promo=promo_code_id is not None), params)
        holds, cancelled, waiting, *uses = cursor.fetchone()
    return StockReading(
        live_holds=holds,
        event_cancelled=bool(cancelled),
        queue_waiting=bool(waiting),
        promo_uses=next(iter(uses), None),
    )


@cache
def _stock_reading_sql(*, with_promo: bool) -> str:
    """Table names are our models' (quoted); every value is a parameter."""
    tickets, events, entries, purchases = (
        connection.ops.quote_name(m._meta.db_table) for m in (Ticket, Event, WaitlistEntry, Purchase)
    )
    holds = f"SELECT COUNT(*) FROM {tickets} WHERE ticket_type_id = %s AND status = %s AND reserved_until > %s"  # noqa: S608
    cancelled = f"SELECT 1 FROM {events} WHERE id = %s AND cancelled_at IS NOT NULL"  # noqa: S608
    waiting = f"SELECT 1 FROM {entries} WHERE ticket_type_id = %s AND status = %s"  # noqa: S608
    reading = f"SELECT ({holds}), EXISTS ({cancelled}), EXISTS ({waiting})"
    if not with_promo:
        return reading
    open_statuses = ", ".join(["%s"] * len(OPEN_PURCHASE_STATUSES))
    uses = (
        f"SELECT COUNT(*) FROM {purchases} WHERE promo_code_id = %s"  # noqa: S608
        f" AND (status = %s OR (status IN ({open_statuses}) AND reservation_expires_at > %s))"
    )
    return f"{reading}, ({uses})"


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
        Purchase.objects.select_related("event__organizer", "ticket_type", "buyer", "promo_code")
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


# --- Promo codes (CONTRACT.md §16) -------------------------------------------------------------------


def promo_use(now, prefix: str = "") -> Q:
    """Purchases that use their code at `now`: completed, or holding a live reservation (the stock rule).

    `prefix` reaches the purchases through a relation (e.g. `purchases__` from a code).
    """
    return Q(**{f"{prefix}status": PurchaseStatus.COMPLETED}) | Q(
        **{f"{prefix}status__in": OPEN_PURCHASE_STATUSES, f"{prefix}reservation_expires_at__gt": now}
    )


def promo_code_uses(promo: PromoCode, now=None) -> int:
    """How many purchases use the code now."""
    return Purchase.objects.filter(promo_use(now or timezone.now()), promo_code=promo).count()


def event_promo_codes(event, now=None):
    """The event's codes, newest first, with `uses` and `discount_total` (Σ discount of completed purchases)
    and their ticket types prefetched: two queries for any page."""
    codes = with_promo_figures(PromoCode.objects.filter(event=event), now)
    return codes.prefetch_related("ticket_types").order_by("-created_at", "-id")


def with_promo_figures(codes, now=None):
    """`codes` annotated with PC1's `uses` and `discount_total`, in the same query."""
    now = now or timezone.now()
    purchases = Purchase.objects.filter(promo_code=OuterRef("pk"))
    completed = purchases.filter(status=PurchaseStatus.COMPLETED)
    return codes.annotate(
        uses=_count(purchases.filter(promo_use(now)), "promo_code"),
        discount_total=_aggregate(completed, "promo_code", Sum("discount"), MONEY, ZERO_MONEY),
    )


# --- Waiting list (CONTRACT.md §17) -------------------------------------------------------------


def waiting_entries():
    """Entries still queuing (not offered, settled or cancelled)."""
    return WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING)


def queue_is_waiting(ticket_type_id: int) -> bool:
    """Whether anyone queues for the ticket type (one indexed query)."""
    return waiting_entries().filter(ticket_type_id=ticket_type_id).exists()


def seats_held_for_queue(ticket_type_id: int, free: int) -> int:
    """How many of the type's `free` seats the public may not buy: all of them while anyone queues.

    Freed seats go to the waiting list first (CONTRACT.md §17), so until the queue is empty none of
    them is sold to the public, even before the offer job has run. No query when nothing is free.
    Call under the ticket type's lock, after the stock count.
    """
    return free if free > 0 and queue_is_waiting(ticket_type_id) else 0


def with_queue_position(entries):
    """`queue_ahead`: the waiting entries of the same type ahead in the queue (position = 1 + it, while waiting)."""
    ahead = (
        waiting_entries()
        .filter(ticket_type=OuterRef("ticket_type"))
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")))
    )
    return entries.annotate(queue_ahead=_count(ahead, "ticket_type"))


def _entry_rows(entries):
    return with_queue_position(entries.select_related("event", "ticket_type", "purchase", "user"))


def user_waitlist_entries(user, status: str | None = None):
    """WL2: the caller's entries, newest first, optionally of one status; one query a page."""
    entries = WaitlistEntry.objects.filter(user=user)
    if status:
        entries = entries.filter(status=status)
    return _entry_rows(entries).order_by("-created_at", "-id")


def owned_waitlist_entry(user, entry_id: str) -> WaitlistEntry | None:
    """One of the caller's entries by its `WL-` id (any case), or None."""
    entry_id = (entry_id or "").strip().upper()
    return _entry_rows(WaitlistEntry.objects.filter(user=user, entry_id=entry_id)).first()


def event_waitlist_entries(event, *, status: str | None = None, ticket_type_id: int | None = None):
    """WL5: the event's entries in queue order (first come first), optionally filtered; one query a page."""
    entries = WaitlistEntry.objects.filter(event=event)
    if status:
        entries = entries.filter(status=status)
    if ticket_type_id:
        entries = entries.filter(ticket_type_id=ticket_type_id)
    return _entry_rows(entries).order_by("created_at", "id")


def _summary_figures() -> dict:
    """WL5's `summary` as aggregates: entries per status, and the seats the waiting ones want."""
    return {
        **{status: Count("pk", filter=Q(status=status)) for status in WaitlistStatus.values},
        "seats_waiting": Coalesce(Sum("quantity", filter=Q(status=WaitlistStatus.WAITING)), 0),
    }


def event_waitlist_summary(event) -> dict:
    """WL5 `summary`: entries per status over the whole event, and the seats the waiting ones want."""
    return WaitlistEntry.objects.filter(event=event).aggregate(**_summary_figures())


def waitlist_summaries(entries) -> list[dict]:
    """WL5's summary of each event among `entries` (with `event_title`), soonest event first; one query."""
    return list(
        entries.order_by()
        .values("event_id")
        .annotate(event_title=Max("event__title"), starts_at=Max("event__starts_at"), **_summary_figures())
        .order_by("starts_at", "event_id")
    )


def ticket_type_queue(ticket_type_id: int):
    """The `waitlist show` view of a type: its open entries (waiting, then offered), in queue order."""
    return (
        WaitlistEntry.objects.filter(ticket_type_id=ticket_type_id, status__in=OPEN_WAITLIST_STATUSES)
        .select_related("user", "purchase")
        .order_by("created_at", "id")
    )


def waitlist_notices_due(now, after: timedelta):
    """Notice pks unsent `after` their creation and not held by a sender (or waiting out a retry), oldest first."""
    due = WaitlistNotice.objects.filter(sent_at__isnull=True, created_at__lte=now - after)
    due = due.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
    return due.order_by("created_at", "pk").values_list("pk", flat=True)
