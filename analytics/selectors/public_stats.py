"""§9.2 public stats: the landing page's figures, computed at most once every five minutes."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.models import VerificationStatus
from analytics.selectors.common import local_zone, month_starts
from cafa.money import quantize_money
from events.models import Event
from events.selectors import annotate_event_stock
from tickets.models import ISSUED_TICKET_STATUSES, SALES_AMOUNT, Purchase, PurchaseStatus, Ticket

# v2: the cached value became a PublicStats dataclass (issue 11); a v1 dict left in the cache is ignored.
PUBLIC_STATS_CACHE_KEY = "analytics:public-stats:v2"
PUBLIC_STATS_SECONDS = 5 * 60


@dataclass(frozen=True)
class PublicOverview:
    total_upcoming_events: int
    total_tickets_sold: int
    total_organizers: int
    total_attendees_checked_in: int
    total_events_published: int
    active_events_now: int


@dataclass(frozen=True)
class PublicRevenue:
    total_revenue: Decimal
    currency: str


@dataclass(frozen=True)
class PopularEvent:
    id: int
    slug: str
    title: str
    tickets_sold: int
    category: str


@dataclass(frozen=True)
class Highlights:
    most_popular_event: PopularEvent | None
    events_this_month: int
    new_organizers_this_month: int


@dataclass(frozen=True)
class PublicStats:
    overview: PublicOverview
    revenue: PublicRevenue
    highlights: Highlights
    last_updated: datetime


def public_stats() -> PublicStats:
    """The §9.2 `data` block, computed at most once every 5 minutes (Django cache)."""
    cached = cache.get(PUBLIC_STATS_CACHE_KEY)
    if cached is None:
        cached = _compute_public_stats(timezone.now())
        cache.set(PUBLIC_STATS_CACHE_KEY, cached, PUBLIC_STATS_SECONDS)
    return cached


def _compute_public_stats(now) -> PublicStats:
    published = Event.objects.filter(is_published=True)
    month_start = datetime.combine(month_starts(now, 1)[0], datetime.min.time(), tzinfo=local_zone())
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    events = published.aggregate(
        total_events_published=Count("id"),
        total_upcoming_events=Count("id", filter=Q(starts_at__gt=now, cancelled_at__isnull=True)),
        active_events_now=Count("id", filter=Q(starts_at__lte=now, ends_at__gte=now, cancelled_at__isnull=True)),
        events_this_month=Count("id", filter=Q(starts_at__gte=month_start, starts_at__lt=next_month)),
    )
    tickets = Ticket.objects.filter(status__in=ISSUED_TICKET_STATUSES).aggregate(
        sold=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False))
    )
    revenue = Purchase.objects.filter(status=PurchaseStatus.COMPLETED).aggregate(total=Sum(SALES_AMOUNT))["total"]
    verified = get_user_model().objects.filter(verification_status=VerificationStatus.VERIFIED)
    organizers = verified.aggregate(total=Count("pk"), new=Count("pk", filter=Q(verified_at__gte=month_start)))
    popular = (
        annotate_event_stock(published.select_related("category"))
        .filter(tickets_sold__gt=0)
        .order_by("-tickets_sold", "id")
        .first()
    )
    return PublicStats(
        overview=PublicOverview(
            total_upcoming_events=events["total_upcoming_events"],
            total_tickets_sold=tickets["sold"],
            total_organizers=organizers["total"],
            total_attendees_checked_in=tickets["checked_in"],
            total_events_published=events["total_events_published"],
            active_events_now=events["active_events_now"],
        ),
        revenue=PublicRevenue(total_revenue=quantize_money(revenue), currency="GHS"),
        highlights=Highlights(
            most_popular_event=_popular_event(popular),
            events_this_month=events["events_this_month"],
            new_organizers_this_month=organizers["new"],
        ),
        last_updated=now,
    )


def _popular_event(event) -> PopularEvent | None:
    if event is None:
        return None
    return PopularEvent(
        id=event.pk, slug=event.slug, title=event.title, tickets_sold=event.tickets_sold, category=event.category.name
    )
