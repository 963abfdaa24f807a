"""Reads of the events app: annotated querysets and plain data, one place per read shape.

Stock and sales figures (CONTRACT.md §1.11) are computed only by `annotate_ticket_type_stock` and
`annotate_event_stock`; every list, detail, summary and rule in this app reads them from there.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    DecimalField,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from cafa.api.parsing import is_ascii_digits
from cafa.money import platform_fee, quantize_money
from events.exceptions import EventNotFound, TicketTypeNotFound
from events.models import Category, Event, EventStatus, TicketType
from events.page_view_buffer import ViewCounts, buffered_view_counts

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO_MONEY = Value(Decimal("0.00"), output_field=MONEY)
ZERO_COUNT = Value(0, output_field=IntegerField())
MAX_ID_DIGITS = 18  # larger all-digit lookups cannot be ids (and would overflow the column)


# --- Stock ------------------------------------------------------------------------------------


class TicketCounts(Protocol):
    """Sold, reserved, revenue and waiting-list sub-queries, supplied by the app that owns tickets.

    Each method returns annotation expressions correlated to `OuterRef("pk")` of a ticket type or
    an event, evaluated at `now` so lapsed reservations stop counting without any job.
    """

    def for_ticket_types(self, now) -> dict: ...

    def for_events(self, now) -> dict: ...


_ticket_counts: TicketCounts | None = None


def register_ticket_counts(counts: TicketCounts) -> None:
    """Called by the tickets app when it is ready; events never imports tickets."""
    global _ticket_counts
    _ticket_counts = counts


def _ticket_type_counts() -> dict:
    if _ticket_counts is None:
        return {
            "tickets_sold": ZERO_COUNT,
            "tickets_reserved": ZERO_COUNT,
            "revenue": ZERO_MONEY,
            "waiting_count": ZERO_COUNT,
        }
    return _ticket_counts.for_ticket_types(timezone.now())


def _event_counts() -> dict:
    if _ticket_counts is None:
        return {
            "tickets_sold": ZERO_COUNT,
            "tickets_reserved": ZERO_COUNT,
            "tickets_checked_in": ZERO_COUNT,
            "completed_purchases": ZERO_COUNT,
            "gross_revenue": ZERO_MONEY,
            "last_sale_date": Value(None, output_field=DateTimeField()),
            "has_sales_history": Value(False, output_field=BooleanField()),
        }
    return _ticket_counts.for_events(timezone.now())


def annotate_ticket_type_stock(queryset: QuerySet) -> QuerySet:
    """Annotate ticket types with `tickets_sold`, `tickets_reserved`, `tickets_remaining`, `revenue` and
    `waiting_count`.

    `tickets_sold` counts issued tickets (active or used), `tickets_reserved` live reservations (waiting
    list offers included), `waiting_count` the entries queuing for the type, `tickets_remaining` =
    max(0, quantity - sold - reserved), or 0 while anyone queues: freed seats go to the queue, never to
    the public (CONTRACT.md §17). `revenue` is the gross revenue of the type.
    """
    free = Greatest(F("quantity") - F("tickets_sold") - F("tickets_reserved"), Value(0))
    return queryset.annotate(**_ticket_type_counts()).annotate(
        tickets_remaining=Case(When(waiting_count__gt=0, then=Value(0)), default=free, output_field=IntegerField())
    )


def _ticket_type_aggregate(expression):
    """A correlated sub-query aggregating the ticket types of the outer event."""
    rows = TicketType.objects.filter(event=OuterRef("pk")).order_by().values("event")
    return Subquery(rows.annotate(value=expression).values("value")[:1])


def annotate_event_stock(queryset: QuerySet) -> QuerySet:
    """Annotate events with their ticket totals, price range and sales (CONTRACT.md §1.11).

    Names: `total_tickets` (Σ quantity), `tickets_sold`, `tickets_reserved`, `tickets_available`
    (total - sold - reserved, never negative), `lowest_price` / `highest_price` (0 without ticket types),
    `gross_revenue`, plus `tickets_checked_in`, `completed_purchases`, `last_sale_date` and
    `has_sales_history` (any purchase ever paid or still holding stock).
    """
    return queryset.annotate(
        total_tickets=Coalesce(_ticket_type_aggregate(Sum("quantity")), ZERO_COUNT),
        lowest_price=Coalesce(_ticket_type_aggregate(Min("price")), ZERO_MONEY, output_field=MONEY),
        highest_price=Coalesce(_ticket_type_aggregate(Max("price")), ZERO_MONEY, output_field=MONEY),
        **_event_counts(),
    ).annotate(tickets_available=Greatest(F("total_tickets") - F("tickets_sold") - F("tickets_reserved"), Value(0)))


def ticket_types_with_stock() -> QuerySet:
    """Ticket types in display order (price, then id) with their stock annotations."""
    return annotate_ticket_type_stock(TicketType.objects.order_by("price", "id"))


def event_ticket_activity(event: Event) -> dict:
    """`{tickets_sold, tickets_reserved, has_sales_history}`: what blocks deleting an event."""
    row = (
        annotate_event_stock(Event.objects.filter(pk=event.pk))
        .values("tickets_sold", "tickets_reserved", "has_sales_history")
        .first()
    )
    return row or {"tickets_sold": 0, "tickets_reserved": 0, "has_sales_history": False}


# --- Lookups ----------------------------------------------------------------------------------


def event_lookup(value: str) -> Q:
    """`{event}` path segments: all digits = id, anything else = slug (CONTRACT.md §1.1)."""
    value = str(value)
    if is_ascii_digits(value):
        return Q(pk=int(value)) if len(value) <= MAX_ID_DIGITS else Q(pk__in=[])
    return Q(slug=value)


def filter_by_status(queryset: QuerySet, status: str, now=None) -> QuerySet:
    """Restrict events to `upcoming`, `ongoing`, `past`, or `live` (upcoming + ongoing); `all` = no filter.

    A cancelled event has none of those statuses (it shows only under `all`).
    """
    now = now or timezone.now()
    if status in (EventStatus.UPCOMING, EventStatus.ONGOING, EventStatus.PAST, "live"):
        queryset = queryset.filter(cancelled_at__isnull=True)
    if status == EventStatus.UPCOMING:
        return queryset.filter(starts_at__gt=now)
    if status == EventStatus.ONGOING:
        return queryset.filter(starts_at__lte=now, ends_at__gte=now)
    if status == EventStatus.PAST:
        return queryset.filter(ends_at__lt=now)
    if status == "live":
        return queryset.filter(ends_at__gte=now)
    return queryset


# --- Public catalogue -------------------------------------------------------------------------


def active_categories_with_counts() -> QuerySet:
    """Active categories by name, each with `event_count` = its published events (any status). One query."""
    return (
        Category.objects.filter(is_active=True)
        .annotate(event_count=Count("events", filter=Q(events__is_published=True)))
        .order_by("name", "id")
    )


def public_events() -> QuerySet:
    """Published events with organizer, category and stock annotations (EventCard rows)."""
    return annotate_event_stock(Event.objects.filter(is_published=True).select_related("organizer", "category"))


def is_cancelled(event_id: int) -> bool:
    """Whether the event is cancelled, read now (not from an event row loaded earlier)."""
    return Event.objects.filter(pk=event_id, cancelled_at__isnull=False).exists()


def event_by_id_or_slug(value: str) -> Event:
    """Any event by id or slug (operators' commands); EventNotFound otherwise."""
    event = Event.objects.select_related("organizer").filter(event_lookup(value)).first()
    if event is None:
        raise EventNotFound()
    return event


def public_event_detail(lookup: str) -> Event:
    """A published event by slug or id, with ticket types (in display order) and images; else EventNotFound."""
    queryset = public_events().prefetch_related(Prefetch("ticket_types", queryset=ticket_types_with_stock()), "images")
    event = queryset.filter(event_lookup(lookup)).first()
    if event is None:
        raise EventNotFound()
    return event


def published_event(lookup: str) -> Event:
    """A bare published event by slug or id (a buyer's `{event}` path); EventNotFound otherwise."""
    event = Event.objects.filter(event_lookup(lookup), is_published=True).first()
    if event is None:
        raise EventNotFound()
    return event


def organizer_public_stats(organizer) -> dict:
    """`{events_organized, total_tickets_sold}` over the organizer's published events."""
    published = Event.objects.filter(organizer=organizer, is_published=True)
    totals = published.annotate(tickets_sold=_event_counts()["tickets_sold"]).aggregate(
        events_organized=Count("id"), total_tickets_sold=Sum("tickets_sold")
    )
    return {
        "events_organized": totals["events_organized"] or 0,
        "total_tickets_sold": totals["total_tickets_sold"] or 0,
    }


def similar_events(event: Event, limit: int = 3) -> list[Event]:
    """Up to `limit` published upcoming/ongoing events of the same category, soonest first, self excluded."""
    queryset = filter_by_status(Event.objects.filter(is_published=True, category_id=event.category_id), "live")
    lowest_price = Coalesce(_ticket_type_aggregate(Min("price")), ZERO_MONEY, output_field=MONEY)
    return list(queryset.exclude(pk=event.pk).annotate(lowest_price=lowest_price).order_by("starts_at", "id")[:limit])


# --- Organizer --------------------------------------------------------------------------------


def organizer_events(organizer) -> QuerySet:
    """All events of an organizer (published or not) with stock annotations and their ticket types."""
    queryset = Event.objects.filter(organizer=organizer).select_related("organizer", "category", "payment_profile")
    return annotate_event_stock(queryset).prefetch_related(Prefetch("ticket_types", queryset=ticket_types_with_stock()))


def organizer_event_detail(organizer, lookup: str) -> Event:
    """One of the organizer's events (any state) for O5; another user's event is EventNotFound."""
    event = organizer_events(organizer).prefetch_related("images").filter(event_lookup(lookup)).first()
    if event is None:
        raise EventNotFound()
    return event


def owned_event(organizer, lookup: str, *, for_update: bool = False) -> Event:
    """A bare event owned by `organizer` (optionally row-locked); EventNotFound otherwise."""
    queryset = Event.objects.filter(event_lookup(lookup), organizer=organizer)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    event = queryset.first()
    if event is None:
        raise EventNotFound()
    return event


def organizer_summary(organizer) -> dict:
    """The O4 summary over every event of the organizer, ignoring list filters. One query."""
    now = timezone.now()
    totals = annotate_event_stock(Event.objects.filter(organizer=organizer)).aggregate(
        total_events=Count("id"),
        upcoming_events=Count("id", filter=Q(starts_at__gt=now, cancelled_at__isnull=True)),
        ongoing_events=Count("id", filter=Q(starts_at__lte=now, ends_at__gte=now, cancelled_at__isnull=True)),
        past_events=Count("id", filter=Q(ends_at__lt=now, cancelled_at__isnull=True)),
        total_revenue=Sum("gross_revenue"),
        total_tickets_sold=Sum("tickets_sold"),
    )
    totals["total_revenue"] = totals["total_revenue"] or Decimal("0")
    totals["total_tickets_sold"] = totals["total_tickets_sold"] or 0
    return totals


def event_ticket_type(event: Event, ticket_type_id: int) -> TicketType:
    """A ticket type of `event` with stock annotations; TicketTypeNotFound for unknown ids or other events."""
    ticket_type = ticket_types_with_stock().filter(event=event, pk=ticket_type_id).first()
    if ticket_type is None:
        raise TicketTypeNotFound()
    ticket_type.event = event
    return ticket_type


def capacity_in_use(event: Event, *, excluding: TicketType | None = None) -> int:
    """Σ quantity of the event's ticket types (optionally without one of them)."""
    queryset = TicketType.objects.filter(event=event)
    if excluding is not None:
        queryset = queryset.exclude(pk=excluding.pk)
    return queryset.aggregate(total=Sum("quantity"))["total"] or 0


# --- Derived values ---------------------------------------------------------------------------


def percentage(part, whole) -> float:
    """`part / whole * 100` rounded to 2 dp; 0 when `whole` is 0 (CONTRACT.md §1.6)."""
    return round(float(part) * 100 / float(whole), 2) if whole else 0.0


def ticket_type_status(ticket_type: TicketType, now=None) -> str:
    """`expired`, `sold_out`, `inactive` or `active` (CONTRACT.md §1.11); needs the stock annotations."""
    now = now or timezone.now()
    if ticket_type.event.status != EventStatus.UPCOMING or (
        ticket_type.available_until and ticket_type.available_until < now
    ):
        return "expired"
    if ticket_type.tickets_remaining <= 0:
        return "sold_out"
    if ticket_type.available_from and ticket_type.available_from > now:
        return "inactive"
    return "active"


def ticket_type_is_available(ticket_type: TicketType) -> bool:
    """On sale now: status `active` on a published upcoming event."""
    event = ticket_type.event
    return event.is_published and event.is_upcoming and ticket_type_status(ticket_type) == "active"


def ticket_type_waitlist_open(ticket_type: TicketType, now=None) -> bool:
    """Can a buyer queue for the type now (CONTRACT.md §17)? It is sold out (to the public: while anyone
    queues it is) on a published upcoming event whose sale window is open."""
    now = now or timezone.now()
    opened = ticket_type.available_from is None or ticket_type.available_from <= now
    return ticket_type.event.is_published and opened and ticket_type_status(ticket_type, now) == "sold_out"


def sales_analytics(event: Event) -> dict:
    """The per-event `analytics` block of O4/O5, from the stock annotations of `annotate_event_stock`."""
    gross = quantize_money(event.gross_revenue)
    fee = platform_fee(gross)
    return {
        "total_tickets": event.total_tickets,
        "tickets_sold": event.tickets_sold,
        "tickets_remaining": event.tickets_available,
        "tickets_checked_in": event.tickets_checked_in,
        "sales_percentage": percentage(event.tickets_sold, event.total_tickets),
        "gross_revenue": gross,
        "net_revenue": gross - fee,
        "platform_fee": fee,
        **traffic(event),
        "last_sale_date": event.last_sale_date,
    }


# --- Traffic ----------------------------------------------------------------------------------


def with_current_view_counts(events: Iterable[Event]) -> list[Event]:
    """The events, each with `current_view_counts`: the stored counts plus those still buffered.

    One cache read for all of them. The rows are read before the buffer, so a flush running in
    between can only hide a few views for a moment, never count one twice.
    """
    events = list(events)
    buffered = buffered_view_counts(event.pk for event in events)
    for event in events:
        stored = ViewCounts(event.page_views, event.unique_visitors)
        event.current_view_counts = stored + buffered[event.pk]
    return events


def traffic(event: Event) -> dict:
    """`page_views`, `unique_visitors` and `conversion_rate` as of now (CONTRACT.md §5.4, §8.1).

    Needs `completed_purchases` from `annotate_event_stock`; reads the view buffer itself unless
    `with_current_view_counts` already did.
    """
    if not hasattr(event, "current_view_counts"):
        with_current_view_counts([event])
    counts = event.current_view_counts
    return {
        "page_views": counts.page_views,
        "unique_visitors": counts.unique_visitors,
        "conversion_rate": percentage(event.completed_purchases, counts.unique_visitors),
    }
