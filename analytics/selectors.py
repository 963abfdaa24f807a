"""Reads behind the organizer's dashboards and the stats pages (CONTRACT.md §8, §9).

Every selector answers in a fixed number of queries, whatever the number of tickets: figures are
aggregated in the database, never by walking rows in Python. "Sold" always means issued (active or
used): checked-in tickets count as sold, refunded and cancelled ones do not (§1.11).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractHour, TruncDate, TruncMonth
from django.utils import timezone

from accounts.models import VerificationStatus
from cafa.money import ZERO, platform_fee, quantize_money
from events.exceptions import EventNotFound
from events.models import Event
from events.selectors import annotate_event_stock, event_lookup, percentage, ticket_types_with_stock, traffic
from tickets.models import (
    ISSUED_TICKET_STATUSES,
    CheckIn,
    CheckInOutcome,
    Purchase,
    PurchaseStatus,
    Ticket,
    TicketStatus,
    lapsed_reservation,
    live_reservation,
)

RECENT_SALES = 10
CHECK_IN_HISTORY = 50
RECENT_ACTIVITY = 10
REVENUE_MONTHS = 6
PUBLIC_STATS_CACHE_KEY = "analytics:public-stats:v1"
PUBLIC_STATS_SECONDS = 5 * 60


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.EVENT_TIME_ZONE)


# --- Event lookups ----------------------------------------------------------------------------


def owned_event_with_stock(organizer, lookup: str) -> Event:
    """One of the organizer's events with the stock annotations of `annotate_event_stock`; else 404."""
    event = annotate_event_stock(Event.objects.filter(event_lookup(lookup), organizer=organizer)).first()
    if event is None:
        raise EventNotFound()
    return event


# --- C1 event analytics -----------------------------------------------------------------------


def event_analytics(event: Event) -> dict:
    """The C1 body (without serialization) of an event annotated by `owned_event_with_stock`. 5 queries."""
    ticket_types = list(ticket_types_with_stock().filter(event=event))
    issued = Ticket.objects.filter(event=event, status__in=ISSUED_TICKET_STATUSES)
    return {
        "event_id": event.pk,
        "event_title": event.title,
        "event_slug": event.slug,
        "event_status": event.status,
        "overview": _overview(event, ticket_types),
        "sales_by_ticket_type": _sales_by_ticket_type(ticket_types, event.tickets_sold),
        "sales_timeline": _sales_timeline(issued),
        "sales_by_hour": _sales_by_hour(issued),
        "traffic": traffic(event),
        "recent_sales": _recent_sales(issued),
    }


def _overview(event, ticket_types) -> dict:
    gross = quantize_money(event.gross_revenue)
    fee = platform_fee(gross)
    service_fees = Purchase.objects.filter(event=event, status=PurchaseStatus.COMPLETED).aggregate(
        total=Sum("service_fee")
    )["total"]
    sold = event.tickets_sold
    return {
        "total_tickets": event.total_tickets,
        "tickets_sold": sold,
        "tickets_remaining": event.tickets_available,
        "tickets_reserved": event.tickets_reserved,
        "tickets_checked_in": event.tickets_checked_in,
        "sales_percentage": percentage(sold, event.total_tickets),
        "check_in_percentage": percentage(event.tickets_checked_in, sold),
        "gross_revenue": gross,
        "platform_fee": fee,
        "platform_fee_percentage": float(settings.PLATFORM_FEE_PERCENT),
        "net_revenue": gross - fee,
        "service_fees_collected": quantize_money(service_fees),
        "average_ticket_price": quantize_money(gross / sold) if sold else ZERO,
        "projected_revenue": quantize_money(sum((t.price * t.quantity for t in ticket_types), ZERO)),
    }


def _sales_by_ticket_type(ticket_types, event_sold) -> list[dict]:
    return [
        {
            "ticket_type_id": ticket_type.pk,
            "ticket_type": ticket_type.name,
            "price": ticket_type.price,
            "tickets_sold": ticket_type.tickets_sold,
            "total_quantity": ticket_type.quantity,
            "revenue": quantize_money(ticket_type.revenue),
            "percentage_of_total_sales": percentage(ticket_type.tickets_sold, event_sold),
            "percentage_of_quantity_sold": percentage(ticket_type.tickets_sold, ticket_type.quantity),
        }
        for ticket_type in ticket_types
    ]


def _sales_timeline(issued: QuerySet) -> list[dict]:
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
            {
                "date": row["day"],
                "tickets_sold": row["tickets_sold"],
                "revenue": quantize_money(row["revenue"]),
                "cumulative_tickets": tickets,
                "cumulative_revenue": revenue,
            }
        )
    return timeline


def _sales_by_hour(issued: QuerySet) -> list[dict]:
    rows = (
        issued.filter(issued_at__isnull=False)
        .annotate(hour=ExtractHour("issued_at", tzinfo=local_zone()))
        .order_by()
        .values("hour")
        .annotate(tickets_sold=Count("pk"), revenue=Sum("price_paid"))
    )
    by_hour = {row["hour"]: row for row in rows}
    return [
        {
            "hour": f"{hour:02d}:00",
            "tickets_sold": by_hour.get(hour, {}).get("tickets_sold", 0),
            "revenue": quantize_money(by_hour.get(hour, {}).get("revenue")),
        }
        for hour in range(24)
    ]


def _recent_sales(issued: QuerySet) -> list[dict]:
    tickets = issued.select_related("ticket_type", "purchase").order_by(F("issued_at").desc(nulls_last=True), "-id")[
        :RECENT_SALES
    ]
    return [
        {
            "ticket_id": ticket.ticket_id,
            "ticket_type": ticket.ticket_type.name,
            "amount": ticket.price_paid,
            "buyer_name": ticket.purchase.attendee_name,
            "purchase_date": ticket.purchase.completed_at or ticket.issued_at,
        }
        for ticket in tickets
    ]


# --- C2 attendees -----------------------------------------------------------------------------

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


def payment_status_conditions(now) -> dict[str, Q]:
    """What each attendee `payment_status` means in ticket states (lapsed reservations are `failed`)."""
    return {
        "paid": Q(status__in=ISSUED_TICKET_STATUSES),
        "pending": live_reservation(now),
        "failed": Q(status=TicketStatus.EXPIRED) | lapsed_reservation(now),
        "cancelled": Q(status=TicketStatus.CANCELLED),
        "refunded": Q(status=TicketStatus.REFUNDED),
    }


@dataclass(frozen=True)
class AttendeeFilters:
    payment_status: str = "paid"
    check_in_status: str = "all"
    ticket_type_id: int | None = None
    search: str = ""
    sort_by: str = "-purchase_date"


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


def attendance_summary(event: Event) -> dict:
    """C2 `summary` over every issued ticket of the event, ignoring list filters. One query."""
    totals = Ticket.objects.filter(event=event, status__in=ISSUED_TICKET_STATUSES).aggregate(
        total=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False))
    )
    return {
        "total_attendees": totals["total"],
        "checked_in": totals["checked_in"],
        "not_checked_in": totals["total"] - totals["checked_in"],
        "check_in_percentage": percentage(totals["checked_in"], totals["total"]),
    }


def check_in_stats(event: Event) -> dict:
    """C3 `event_stats`: distinct checked-in tickets among the issued ones. One query."""
    summary = attendance_summary(event)
    return {
        "total_checked_in": summary["checked_in"],
        "total_attendees": summary["total_attendees"],
        "check_in_percentage": summary["check_in_percentage"],
    }


# --- C4 check-in history ----------------------------------------------------------------------


def check_in_history(event: Event) -> list[CheckIn]:
    """The event's last admissions, newest first (re-admissions are separate rows). One query."""
    return list(
        CheckIn.objects.filter(event=event, outcome=CheckInOutcome.ADMITTED)
        .select_related("ticket__ticket_type", "scanned_by")
        .order_by("-created_at", "-id")[:CHECK_IN_HISTORY]
    )


# --- §9.1 user stats --------------------------------------------------------------------------


def user_stats_block(user) -> dict:
    """The figures of the User object's `stats` block (accounts' `collect_user_stats`). 3 queries."""
    tickets = _buyer_ticket_totals(user)
    return {
        "total_tickets_purchased": tickets["purchased"],
        "total_events_attended": tickets["events_attended"],
        "events_organized": Event.objects.filter(organizer=user).count(),
        "total_spent": _total_spent(user),
    }


def _buyer_ticket_totals(user) -> dict:
    """Issued tickets bought by `user` and distinct events attended (a checked-in issued ticket)."""
    issued = Q(status__in=ISSUED_TICKET_STATUSES)
    return Ticket.objects.filter(purchase__buyer=user).aggregate(
        purchased=Count("pk", filter=issued),
        events_attended=Count("event", distinct=True, filter=issued & Q(checked_in_at__isnull=False)),
    )


def _total_spent(user) -> Decimal:
    total = Purchase.objects.filter(buyer=user, status=PurchaseStatus.COMPLETED).aggregate(total=Sum("total"))["total"]
    return quantize_money(total)


def account_age_display(joined: datetime, now: datetime) -> str:
    """`"45 days"`, `"3 hours"`, `"12 minutes"` or `"Just now"`."""
    age = now - joined
    for unit, seconds in (("day", 86400), ("hour", 3600), ("minute", 60)):
        count = int(age.total_seconds() // seconds)
        if count >= 1:
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "Just now"


def user_dashboard(user) -> dict:
    """The §9.1 body (without serialization): overview, purchasing, organizing, recent activity."""
    now = timezone.now()
    tickets = _buyer_ticket_totals(user)
    spent = _total_spent(user)
    organizing = _organizing_stats(user, now)
    return {
        "user_id": user.pk,
        "username": user.username,
        "overview": {
            "tickets_purchased": tickets["purchased"],
            "events_organized": organizing["total_events_created"],
            "events_attended": tickets["events_attended"],
            "total_spent": spent,
            "total_revenue": organizing["total_revenue"],
            "account_age_days": (now - user.date_joined).days,
            "account_age_display": account_age_display(user.date_joined, now),
        },
        "purchasing_stats": _purchasing_stats(user, spent, now),
        "organizing_stats": organizing,
        "recent_activity": _recent_activity(user),
    }


def _purchasing_stats(user, spent, now) -> dict:
    own = Ticket.objects.filter(purchase__buyer=user)
    issued = Q(status__in=ISSUED_TICKET_STATUSES)
    counts = own.aggregate(
        active_tickets=Count("pk", filter=Q(status=TicketStatus.ACTIVE, event__ends_at__gte=now)),
        used_tickets=Count("pk", filter=Q(status=TicketStatus.USED)),
        upcoming_events=Count("event", distinct=True, filter=issued & Q(event__starts_at__gt=now)),
        past_events=Count("event", distinct=True, filter=issued & Q(event__ends_at__lt=now)),
    )
    categories = (
        Purchase.objects.filter(buyer=user, status=PurchaseStatus.COMPLETED)
        .order_by()
        .values(category=F("event__category__name"))
        .annotate(count=Sum("quantity"), total_spent=Sum("total"))
        .order_by("-count", "category")
    )
    return {
        **counts,
        "total_spent": spent,
        "tickets_by_category": [
            {"category": row["category"], "count": row["count"], "total_spent": quantize_money(row["total_spent"])}
            for row in categories
        ],
    }


def _organizing_stats(user, now) -> dict:
    events = annotate_event_stock(Event.objects.filter(organizer=user))
    totals = events.aggregate(
        total_events_created=Count("id"),
        active_events=Count("id", filter=Q(is_published=True, ends_at__gte=now)),
        past_events=Count("id", filter=Q(ends_at__lt=now)),
        total_tickets_sold=Sum("tickets_sold"),
        total_revenue=Sum("gross_revenue"),
        total_attendees=Sum("tickets_checked_in"),
    )
    created, sold = totals["total_events_created"], totals["total_tickets_sold"] or 0
    best = (
        events.filter(tickets_sold__gt=0).order_by("-tickets_sold", "id").values("id", "title", "slug", "tickets_sold")
    )
    return {
        "total_events_created": created,
        "active_events": totals["active_events"],
        "past_events": totals["past_events"],
        "total_tickets_sold": sold,
        "total_revenue": quantize_money(totals["total_revenue"]),
        "total_attendees": totals["total_attendees"] or 0,
        "average_tickets_per_event": round(sold / created, 1) if created else 0.0,
        "best_selling_event": best.first(),
        "revenue_by_month": _revenue_by_month(user, now),
    }


def _month_starts(now, count) -> list[date]:
    """The first days of the last `count` months (local time), oldest first, this month last."""
    month = now.astimezone(local_zone()).date().replace(day=1)
    months = [month]
    for _ in range(count - 1):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def _revenue_by_month(user, now) -> list[dict]:
    months = _month_starts(now, REVENUE_MONTHS)
    start = datetime.combine(months[0], datetime.min.time(), tzinfo=local_zone())
    rows = (
        Purchase.objects.filter(event__organizer=user, status=PurchaseStatus.COMPLETED, completed_at__gte=start)
        .annotate(month=TruncMonth("completed_at", tzinfo=local_zone()))
        .order_by()
        .values("month")
        .annotate(revenue=Sum("subtotal"), tickets_sold=Sum("quantity"))
    )
    by_month = {_as_date(row["month"]): row for row in rows}
    return [
        {
            "month": f"{month:%Y-%m}",
            "revenue": quantize_money(by_month.get(month, {}).get("revenue")),
            "tickets_sold": by_month.get(month, {}).get("tickets_sold") or 0,
        }
        for month in months
    ]


def _as_date(value) -> date:
    return value.astimezone(local_zone()).date() if isinstance(value, datetime) else value


def _recent_activity(user) -> list[dict]:
    """The newest purchases, sales and created events of `user`, merged. 3 queries."""
    bought = (
        Purchase.objects.filter(buyer=user, status=PurchaseStatus.COMPLETED)
        .select_related("event")
        .order_by("-completed_at")[:RECENT_ACTIVITY]
    )
    sold = (
        Purchase.objects.filter(event__organizer=user, status=PurchaseStatus.COMPLETED)
        .select_related("event")
        .order_by("-completed_at")[:RECENT_ACTIVITY]
    )
    created = Event.objects.filter(organizer=user).only("title", "slug", "created_at").order_by("-created_at")
    activity = [
        *(_purchase_activity("ticket_purchase", purchase, purchase.total) for purchase in bought),
        *(_purchase_activity("ticket_sale", purchase, purchase.subtotal) for purchase in sold),
        *(
            {"type": "event_created", "event_title": event.title, "event_slug": event.slug, "date": event.created_at}
            for event in created[:RECENT_ACTIVITY]
        ),
    ]
    activity.sort(key=lambda item: item["date"], reverse=True)
    return activity[:RECENT_ACTIVITY]


def _purchase_activity(kind, purchase, amount) -> dict:
    return {
        "type": kind,
        "event_title": purchase.event.title,
        "event_slug": purchase.event.slug,
        "date": purchase.completed_at,
        "amount": quantize_money(amount),
    }


# --- §9.2 public stats ------------------------------------------------------------------------


def public_stats() -> dict:
    """The §9.2 `data` block, computed at most once every 5 minutes (Django cache)."""
    cached = cache.get(PUBLIC_STATS_CACHE_KEY)
    if cached is None:
        cached = _compute_public_stats(timezone.now())
        cache.set(PUBLIC_STATS_CACHE_KEY, cached, PUBLIC_STATS_SECONDS)
    return cached


def _compute_public_stats(now) -> dict:
    published = Event.objects.filter(is_published=True)
    month_start = datetime.combine(_month_starts(now, 1)[0], datetime.min.time(), tzinfo=local_zone())
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    events = published.aggregate(
        total_events_published=Count("id"),
        total_upcoming_events=Count("id", filter=Q(starts_at__gt=now)),
        active_events_now=Count("id", filter=Q(starts_at__lte=now, ends_at__gte=now)),
        events_this_month=Count("id", filter=Q(starts_at__gte=month_start, starts_at__lt=next_month)),
    )
    tickets = Ticket.objects.filter(status__in=ISSUED_TICKET_STATUSES).aggregate(
        sold=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False))
    )
    revenue = Purchase.objects.filter(status=PurchaseStatus.COMPLETED).aggregate(total=Sum("subtotal"))["total"]
    verified = get_user_model().objects.filter(verification_status=VerificationStatus.VERIFIED)
    organizers = verified.aggregate(total=Count("pk"), new=Count("pk", filter=Q(verified_at__gte=month_start)))
    popular = (
        annotate_event_stock(published.select_related("category"))
        .filter(tickets_sold__gt=0)
        .order_by("-tickets_sold", "id")
        .first()
    )
    return {
        "overview": {
            "total_upcoming_events": events["total_upcoming_events"],
            "total_tickets_sold": tickets["sold"],
            "total_organizers": organizers["total"],
            "total_attendees_checked_in": tickets["checked_in"],
            "total_events_published": events["total_events_published"],
            "active_events_now": events["active_events_now"],
        },
        "revenue": {"total_revenue": quantize_money(revenue), "currency": "GHS"},
        "highlights": {
            "most_popular_event": _popular_event(popular),
            "events_this_month": events["events_this_month"],
            "new_organizers_this_month": organizers["new"],
        },
        "last_updated": now,
    }


def _popular_event(event) -> dict | None:
    if event is None:
        return None
    return {
        "id": event.pk,
        "slug": event.slug,
        "title": event.title,
        "tickets_sold": event.tickets_sold,
        "category": event.category.name,
    }
