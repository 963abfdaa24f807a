"""Reads of the events app: annotated querysets and plain data, one place per read shape.

Stock and sales figures (CONTRACT.md §1.11) are computed only by `annotate_ticket_type_stock` and
`annotate_event_stock`; every list, detail, summary and rule in this app reads them from there. The public
pages sum an event's figures from its annotated ticket types (`with_public_stock`): one query a page.

Over 300 lines on purpose: the stock and sales figures (§1.11) are defined once here and every read of
the app (catalogue, event page, organizer pages, sort keys) is built on them; split, they would be copied.
"""

from collections.abc import Iterable
from dataclasses import dataclass
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
from cafa.prepared import PreparedRead
from events.exceptions import EventNotFound, TicketTypeNotFound
from events.models import Category, Event, EventImage, EventStatus, TicketType
from events.page_view_buffer import ViewCounts, buffered_view_counts

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO_MONEY = Value(Decimal("0.00"), output_field=MONEY)
ZERO_COUNT = Value(0, output_field=IntegerField())
MAX_ID_DIGITS = 18  # larger all-digit lookups cannot be ids (and would overflow the column)


# --- Stock ------------------------------------------------------------------------------------


class TicketCounts(Protocol):
    """Sold, reserved, revenue and waiting-list sub-queries, supplied by the app that owns tickets.

    Each method returns annotation expressions correlated to `OuterRef("pk")` of a ticket type or
    an event (or, for `for_ticket_type_groups`, aggregates over a ticket type's `tickets`), evaluated at
    `now` so lapsed reservations stop counting without any job.
    """

    def for_ticket_types(self, now) -> dict: ...

    def for_ticket_type_groups(self, now) -> dict: ...

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


def _ticket_type_group_counts(now=None) -> dict:
    if _ticket_counts is None:
        return {"tickets_sold": ZERO_COUNT, "tickets_reserved": ZERO_COUNT, "waiting_count": ZERO_COUNT}
    return _ticket_counts.for_ticket_type_groups(now or timezone.now())


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


# The public pages read rows (`values()`) rather than model instances: under announcement traffic their
# cache misses are hot, and rows cost a fraction of instances to fetch and to shape (events.serializers.public).
ORGANIZER_MINI_COLUMNS = ("organizer_id", "organizer__username", "organizer__full_name", "organizer__profile_image")
CATEGORY_MINI_COLUMNS = ("category_id", "category__name", "category__slug", "category__description", "category__icon")
EVENT_CARD_COLUMNS = (
    *("id", "title", "slug", "short_description", "featured_image", "venue_name", "venue_city", "venue_country"),
    *("start_date", "end_date", "start_time", "end_time", "starts_at", "ends_at", "max_attendees"),
    *("cancelled_at", "is_recurring", "is_published", "created_at", "updated_at"),
    *ORGANIZER_MINI_COLUMNS,
    *CATEGORY_MINI_COLUMNS,
)
EVENT_PAGE_COLUMNS = (
    *EVENT_CARD_COLUMNS,
    *("description", "venue_address", "latitude", "longitude", "timezone", "recurrence_pattern", "check_in_policy"),
    *("organizer__email", "organizer__bio", "organizer__date_joined"),
)
STOCK_COLUMNS = ("id", "event_id", "price", "quantity")
TICKET_TYPE_COLUMNS = (
    *STOCK_COLUMNS,
    *("name", "description", "min_purchase", "max_purchase", "available_from", "available_until", "sold_out_at"),
)
SIMILAR_EVENT_COLUMNS = ("id", "title", "slug", "featured_image", "start_date", "venue_city", "lowest_price")
ZERO_PRICE = Decimal("0.00")


def public_events() -> QuerySet:
    """Published events, for the catalogue's filters and orderings (`with_sort_keys` adds sort keys); a page
    of them is read as rows of EVENT_CARD_COLUMNS, to which `with_public_stock` adds the figures."""
    return Event.objects.filter(is_published=True)


def is_cancelled(event_id: int) -> bool:
    """Whether the event is cancelled, read now (not from an event row loaded earlier)."""
    return Event.objects.filter(pk=event_id, cancelled_at__isnull=False).exists()


def event_by_id_or_slug(value: str) -> Event:
    """Any event by id or slug (operators' commands); EventNotFound otherwise."""
    event = Event.objects.select_related("organizer").filter(event_lookup(value)).first()
    if event is None:
        raise EventNotFound()
    return event


def _stock_query(columns, *, event_ids, now) -> QuerySet:
    queryset = TicketType.objects.filter(event_id__in=event_ids).order_by("price", "id")
    return queryset.values(*columns).annotate(**_ticket_type_group_counts(now))


_stock_rows = PreparedRead(_stock_query)


def with_public_stock(rows: list[dict], columns=STOCK_COLUMNS, now=None) -> dict[int, list[dict]]:
    """Add the §1.11 figures of `annotate_event_stock` to each event row, summed from its ticket types, read
    in one grouped query; returns each event's ticket-type rows (`columns`, e.g. TICKET_TYPE_COLUMNS, with
    `tickets_sold`, `tickets_reserved` and `tickets_remaining` as `annotate_ticket_type_stock` has them), in
    display order."""
    ticket_types = {row["id"]: [] for row in rows}
    for ticket_type in _stock_rows.rows(columns, event_ids=list(ticket_types), now=now or timezone.now()):
        committed = ticket_type["tickets_sold"] + ticket_type["tickets_reserved"]
        queued = ticket_type["waiting_count"] > 0  # freed seats are the queue's (CONTRACT.md §17)
        ticket_type["tickets_remaining"] = 0 if queued else max(0, ticket_type["quantity"] - committed)
        ticket_types[ticket_type["event_id"]].append(ticket_type)
    for row in rows:
        row.update(_event_figures(ticket_types[row["id"]]))
    return ticket_types


def _event_figures(ticket_types: list[dict]) -> dict:
    total = sum(ticket_type["quantity"] for ticket_type in ticket_types)
    sold = sum(ticket_type["tickets_sold"] for ticket_type in ticket_types)
    reserved = sum(ticket_type["tickets_reserved"] for ticket_type in ticket_types)
    prices = [ticket_type["price"] for ticket_type in ticket_types]
    return {
        "total_tickets": total,
        "tickets_sold": sold,
        "tickets_reserved": reserved,
        "tickets_available": max(0, total - sold - reserved),
        "lowest_price": min(prices, default=ZERO_PRICE),
        "highest_price": max(prices, default=ZERO_PRICE),
    }


@dataclass(frozen=True)
class EventPage:
    """What P4 shows: the event row (EVENT_PAGE_COLUMNS and its figures), its ticket types, the names of its
    additional images, its organizer's public totals and its similar events."""

    event: dict
    ticket_types: list[dict]
    images: list[str]
    organizer_stats: dict
    similar_events: list[dict]


def public_event_page(lookup: str) -> EventPage:
    """A published event by slug or id and everything its page shows, in five queries; else EventNotFound.

    Each query is compiled once per process (cafa/prepared.py): on a cache miss under announcement traffic,
    the ORM's building and compiling of these five costs several times what the database spends on them."""
    now = timezone.now()
    value = str(lookup)
    if is_ascii_digits(value):
        found = _event_page_rows.rows("id", value=int(value)) if len(value) <= MAX_ID_DIGITS else []
    else:
        found = _event_page_rows.rows("slug", value=value)
    if not found:
        raise EventNotFound()
    event = found[0]
    ticket_types = with_public_stock([event], TICKET_TYPE_COLUMNS, now)[event["id"]]
    images = [row["image"] for row in _image_rows.rows(None, event_id=event["id"])]
    return EventPage(
        event=event,
        ticket_types=ticket_types,
        images=images,
        organizer_stats=organizer_public_stats(event["organizer_id"]),
        similar_events=similar_events(event_id=event["id"], category_id=event["category_id"], now=now),
    )


def _event_page_query(field, *, value) -> QuerySet:
    queryset = public_events().filter(**{"pk" if field == "id" else "slug": value}).order_by("pk")
    return queryset.values(*EVENT_PAGE_COLUMNS)[:1]


def _image_query(shape, *, event_id) -> QuerySet:
    return EventImage.objects.filter(event_id=event_id).values("image")


_event_page_rows = PreparedRead(_event_page_query)
_image_rows = PreparedRead(_image_query)


def _lowest_price():
    return Coalesce(_ticket_type_aggregate(Min("price")), ZERO_MONEY, output_field=MONEY)


SORT_KEYS = {
    "lowest_price": _lowest_price,
    "tickets_sold": lambda: _event_counts()["tickets_sold"],
}


def with_sort_keys(queryset: QuerySet, terms) -> QuerySet:
    """Annotate the stock figures that `order_by(*terms)` sorts on, unless the rows carry them already."""
    names = {term.lstrip("-") for term in terms} & SORT_KEYS.keys()
    missing = names - queryset.query.annotations.keys()
    return queryset.annotate(**{name: SORT_KEYS[name]() for name in sorted(missing)}) if missing else queryset


def published_event(lookup: str) -> Event:
    """A bare published event by slug or id (a buyer's `{event}` path); EventNotFound otherwise."""
    event = Event.objects.filter(event_lookup(lookup), is_published=True).first()
    if event is None:
        raise EventNotFound()
    return event


def organizer_public_stats(organizer) -> dict:
    """`{events_organized, total_tickets_sold}` over the organizer's (a user or an id) published events."""
    organizer_id = getattr(organizer, "pk", organizer)
    rows = _organizer_stats_rows.rows(None, organizer_id=organizer_id)
    totals = rows[0] if rows else {}
    return {
        "events_organized": totals.get("events_organized") or 0,
        "total_tickets_sold": totals.get("total_tickets_sold") or 0,
    }


def _organizer_stats_query(shape, *, organizer_id) -> QuerySet:
    published = Event.objects.filter(organizer_id=organizer_id, is_published=True).order_by().values("organizer_id")
    return published.annotate(
        events_organized=Count("id"), total_tickets_sold=Sum(_event_counts()["tickets_sold"])
    ).values("events_organized", "total_tickets_sold")


def similar_events(*, event_id: int, category_id: int, limit: int = 3, now=None) -> list[dict]:
    """Up to `limit` published upcoming/ongoing events of the category, soonest first, `event_id` excluded
    (rows of SIMILAR_EVENT_COLUMNS)."""
    return _similar_rows.rows(limit, event_id=event_id, category_id=category_id, now=now or timezone.now())


def _similar_query(limit, *, event_id, category_id, now) -> QuerySet:
    queryset = filter_by_status(Event.objects.filter(is_published=True, category_id=category_id), "live", now)
    queryset = queryset.exclude(pk=event_id).annotate(lowest_price=_lowest_price()).order_by("starts_at", "id")
    return queryset.values(*SIMILAR_EVENT_COLUMNS)[:limit]


_organizer_stats_rows = PreparedRead(_organizer_stats_query)
_similar_rows = PreparedRead(_similar_query)


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


def sale_status(*, event_status: str, available_from, available_until, tickets_remaining: int, now) -> str:
    """`expired`, `sold_out`, `inactive` or `active` (CONTRACT.md §1.11)."""
    if event_status != EventStatus.UPCOMING or (available_until and available_until < now):
        return "expired"
    if tickets_remaining <= 0:
        return "sold_out"
    if available_from and available_from > now:
        return "inactive"
    return "active"


def ticket_type_status(ticket_type: TicketType, now=None) -> str:
    """The `sale_status` of a ticket type with the stock annotations (and its event)."""
    return sale_status(
        event_status=ticket_type.event.status,
        available_from=ticket_type.available_from,
        available_until=ticket_type.available_until,
        tickets_remaining=ticket_type.tickets_remaining,
        now=now or timezone.now(),
    )


def ticket_type_is_available(ticket_type: TicketType) -> bool:
    """On sale now: status `active` on a published upcoming event."""
    event = ticket_type.event
    return event.is_published and event.is_upcoming and ticket_type_status(ticket_type) == "active"


def waitlist_open(*, event_published: bool, sale_status: str, available_from, now) -> bool:
    """Can a buyer queue for a ticket type now (CONTRACT.md §17)? It is sold out (to the public: while
    anyone queues it is) on a published upcoming event whose sale window is open."""
    opened = available_from is None or available_from <= now
    return event_published and opened and sale_status == "sold_out"


def ticket_type_waitlist_open(ticket_type: TicketType, now=None) -> bool:
    """`waitlist_open` of a ticket type with the stock annotations (and its event)."""
    now = now or timezone.now()
    return waitlist_open(
        event_published=ticket_type.event.is_published,
        sale_status=ticket_type_status(ticket_type, now),
        available_from=ticket_type.available_from,
        now=now,
    )


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
