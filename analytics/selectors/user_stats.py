"""§9.1 stats: a signed-in user's figures, the User object's `stats` block and `auth/stats/`."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from analytics.selectors.common import as_local_date, local_zone, month_starts
from cafa.money import quantize_money
from events.models import Event
from events.selectors import annotate_event_stock
from tickets.models import ISSUED_TICKET_STATUSES, SALES_AMOUNT, Purchase, PurchaseStatus, Ticket, TicketStatus

RECENT_ACTIVITY = 10
REVENUE_MONTHS = 6


@dataclass(frozen=True)
class UserOverview:
    tickets_purchased: int
    events_organized: int
    events_attended: int
    total_spent: Decimal
    total_revenue: Decimal
    account_age_days: int
    account_age_display: str


@dataclass(frozen=True)
class CategorySpend:
    category: str
    count: int
    total_spent: Decimal


@dataclass(frozen=True)
class PurchasingStats:
    active_tickets: int
    used_tickets: int
    upcoming_events: int
    past_events: int
    total_spent: Decimal
    tickets_by_category: list[CategorySpend]


@dataclass(frozen=True)
class BestSellingEvent:
    id: int
    title: str
    slug: str
    tickets_sold: int


@dataclass(frozen=True)
class MonthRevenue:
    month: str
    revenue: Decimal
    tickets_sold: int


@dataclass(frozen=True)
class OrganizingStats:
    total_events_created: int
    active_events: int
    past_events: int
    total_tickets_sold: int
    total_revenue: Decimal
    total_attendees: int
    average_tickets_per_event: float
    best_selling_event: BestSellingEvent | None
    revenue_by_month: list[MonthRevenue]


@dataclass(frozen=True)
class Activity:
    """A purchase, a sale or a created event; only purchases and sales have an `amount`."""

    type: str
    event_title: str
    event_slug: str
    date: datetime
    amount: Decimal | None = None


@dataclass(frozen=True)
class UserDashboard:
    user_id: int
    username: str
    overview: UserOverview
    purchasing_stats: PurchasingStats
    organizing_stats: OrganizingStats
    recent_activity: list[Activity]


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


def user_dashboard(user) -> UserDashboard:
    """The §9.1 figures: overview, purchasing, organizing, recent activity."""
    now = timezone.now()
    tickets = _buyer_ticket_totals(user)
    spent = _total_spent(user)
    organizing = _organizing_stats(user, now)
    return UserDashboard(
        user_id=user.pk,
        username=user.username,
        overview=UserOverview(
            tickets_purchased=tickets["purchased"],
            events_organized=organizing.total_events_created,
            events_attended=tickets["events_attended"],
            total_spent=spent,
            total_revenue=organizing.total_revenue,
            account_age_days=(now - user.date_joined).days,
            account_age_display=account_age_display(user.date_joined, now),
        ),
        purchasing_stats=_purchasing_stats(user, spent, now),
        organizing_stats=organizing,
        recent_activity=_recent_activity(user),
    )


def _purchasing_stats(user, spent, now) -> PurchasingStats:
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
    return PurchasingStats(
        **counts,
        total_spent=spent,
        tickets_by_category=[
            CategorySpend(category=row["category"], count=row["count"], total_spent=quantize_money(row["total_spent"]))
            for row in categories
        ],
    )


def _organizing_stats(user, now) -> OrganizingStats:
    events = annotate_event_stock(Event.objects.filter(organizer=user))
    totals = events.aggregate(
        total_events_created=Count("id"),
        active_events=Count("id", filter=Q(is_published=True, ends_at__gte=now, cancelled_at__isnull=True)),
        past_events=Count("id", filter=Q(ends_at__lt=now)),
        total_tickets_sold=Sum("tickets_sold"),
        total_revenue=Sum("gross_revenue"),
        total_attendees=Sum("tickets_checked_in"),
    )
    created, sold = totals["total_events_created"], totals["total_tickets_sold"] or 0
    best = (
        events.filter(tickets_sold__gt=0).order_by("-tickets_sold", "id").values("id", "title", "slug", "tickets_sold")
    ).first()
    return OrganizingStats(
        total_events_created=created,
        active_events=totals["active_events"],
        past_events=totals["past_events"],
        total_tickets_sold=sold,
        total_revenue=quantize_money(totals["total_revenue"]),
        total_attendees=totals["total_attendees"] or 0,
        average_tickets_per_event=round(sold / created, 1) if created else 0.0,
        best_selling_event=BestSellingEvent(**best) if best else None,
        revenue_by_month=_revenue_by_month(user, now),
    )


def _revenue_by_month(user, now) -> list[MonthRevenue]:
    months = month_starts(now, REVENUE_MONTHS)
    start = datetime.combine(months[0], datetime.min.time(), tzinfo=local_zone())
    rows = (
        Purchase.objects.filter(event__organizer=user, status=PurchaseStatus.COMPLETED, completed_at__gte=start)
        .annotate(month=TruncMonth("completed_at", tzinfo=local_zone()))
        .order_by()
        .values("month")
        .annotate(revenue=Sum(SALES_AMOUNT), tickets_sold=Sum("quantity"))
    )
    by_month = {as_local_date(row["month"]): row for row in rows}
    return [
        MonthRevenue(
            month=f"{month:%Y-%m}",
            revenue=quantize_money(by_month.get(month, {}).get("revenue")),
            tickets_sold=by_month.get(month, {}).get("tickets_sold") or 0,
        )
        for month in months
    ]


def _recent_activity(user) -> list[Activity]:
    """The newest purchases, sales and created events of `user`, merged. 3 queries."""
    completed = Purchase.objects.filter(status=PurchaseStatus.COMPLETED).select_related("event")
    bought = completed.filter(buyer=user).order_by("-completed_at")[:RECENT_ACTIVITY]
    sold = completed.filter(event__organizer=user).order_by("-completed_at")[:RECENT_ACTIVITY]
    created = Event.objects.filter(organizer=user).only("title", "slug", "created_at").order_by("-created_at")
    activity = [
        *(_purchase_activity("ticket_purchase", purchase, purchase.total) for purchase in bought),
        *(_purchase_activity("ticket_sale", purchase, purchase.sales_amount) for purchase in sold),
        *(
            Activity(type="event_created", event_title=event.title, event_slug=event.slug, date=event.created_at)
            for event in created[:RECENT_ACTIVITY]
        ),
    ]
    activity.sort(key=lambda item: item.date, reverse=True)
    return activity[:RECENT_ACTIVITY]


def _purchase_activity(kind, purchase, amount) -> Activity:
    return Activity(
        type=kind,
        event_title=purchase.event.title,
        event_slug=purchase.event.slug,
        date=purchase.completed_at,
        amount=quantize_money(amount),
    )
