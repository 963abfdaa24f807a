"""Reads of payouts (CONTRACT.md §11): balances, the revenue report and withdrawals.

Every money figure is a sum of ledger entries (or of purchases, for ticket counts); nothing is a
stored counter. Sales figures are filtered by the purchase's completion time; balances ignore
the period.

Over 300 lines on purpose: every payout figure reads the same ledger sums, so the balances, the revenue
report and the withdrawals' reads share their expressions here rather than copy them.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from cafa.money import ZERO, quantize_money
from events.models import Event
from payments.models import Payment, PaymentStatus, ReasonCode
from payouts.models import (
    DEDUCTION_KINDS,
    EARNING_KINDS,
    OPEN_WITHDRAWAL_STATUSES,
    WITHDRAWAL_KINDS,
    LedgerEntry,
    LedgerKind,
    Withdrawal,
    WithdrawalStatus,
)
from tickets.models import Purchase, PurchaseStatus

PERIODS = ("all_time", "this_month", "last_month", "this_year")
GROSS_KINDS = (LedgerKind.SALE, LedgerKind.SALE_REVERSAL)
FEE_KINDS = (LedgerKind.PLATFORM_FEE, LedgerKind.PLATFORM_FEE_REVERSAL)


def _total(**filters):
    return Coalesce(Sum("amount", filter=Q(**filters)), Value(ZERO), output_field=DecimalField())


@dataclass(frozen=True)
class Balances:
    available_balance: Decimal
    pending_balance: Decimal
    on_hold_balance: Decimal
    total_earnings: Decimal
    total_withdrawn: Decimal
    total_paid_out: Decimal
    outstanding_deductions: Decimal
    minimum_withdrawal: Decimal
    next_payout_date: date | None

    def as_dict(self) -> dict:
        return asdict(self)


def balances(organizer_id: int, *, now: datetime | None = None) -> Balances:
    """The organizer's balances right now (two queries). `available_balance` is never negative."""
    now = now or timezone.now()
    sums = LedgerEntry.objects.filter(organizer_id=organizer_id).aggregate(
        earned=_total(kind__in=EARNING_KINDS),
        earned_available=_total(kind__in=EARNING_KINDS, **_withdrawable_events(now)),
        withdrawals=_total(kind__in=WITHDRAWAL_KINDS),
        pending=_total(kind=LedgerKind.WITHDRAWAL, withdrawal__status__in=OPEN_WITHDRAWAL_STATUSES),
        completed=_total(kind=LedgerKind.WITHDRAWAL, withdrawal__status=WithdrawalStatus.COMPLETED),
        deductions=_total(kind__in=DEDUCTION_KINDS),
    )
    return Balances(
        available_balance=quantize_money(max(sums["earned_available"] + sums["withdrawals"], ZERO)),
        pending_balance=quantize_money(-sums["pending"]),
        on_hold_balance=quantize_money(max(sums["earned"] - sums["earned_available"], ZERO)),
        total_earnings=quantize_money(sums["earned"]),
        total_withdrawn=quantize_money(-sums["completed"]),
        total_paid_out=quantize_money(-sums["completed"]),
        outstanding_deductions=quantize_money(max(-sums["deductions"], ZERO)),
        minimum_withdrawal=quantize_money(settings.MIN_WITHDRAWAL_AMOUNT),
        next_payout_date=next_payout_date(organizer_id, now=now),
    )


def available_balance(organizer_id: int, *, now: datetime | None = None) -> Decimal:
    return balances(organizer_id, now=now).available_balance


def amount_owed(organizer_id: int, *, now: datetime | None = None) -> Decimal:
    """What the organizer owes the platform: withdrawn earnings that were refunded afterwards (an event
    cancelled after its payout). Later earnings cover it first; until then nothing can be withdrawn."""
    now = now or timezone.now()
    sums = LedgerEntry.objects.filter(organizer_id=organizer_id).aggregate(
        earned_available=_total(kind__in=EARNING_KINDS, **_withdrawable_events(now)),
        withdrawals=_total(kind__in=WITHDRAWAL_KINDS),
    )
    return quantize_money(max(-(sums["earned_available"] + sums["withdrawals"]), ZERO))


def _withdrawable_events(now: datetime) -> dict:
    """Ledger filters: earnings of events past the payout hold and not cancelled. A cancelled event's
    earnings stop being withdrawable the moment it is cancelled, before its refunds reverse them."""
    return {"event__ends_at__lte": _hold_cutoff(now), "event__cancelled_at__isnull": True}


def outstanding_deductions(organizer_id: int) -> Decimal:
    """Verification fees not yet recovered by a withdrawal (never negative)."""
    total = LedgerEntry.objects.filter(organizer_id=organizer_id).aggregate(t=_total(kind__in=DEDUCTION_KINDS))["t"]
    return quantize_money(max(-total, ZERO))


def _hold_cutoff(now: datetime) -> datetime:
    """Earnings of events that ended before this are past the payout hold.

    The hold follows each event's current end, not the one stamped at sale time, so postponing an
    event (through the API or the admin) postpones its payout too.
    """
    return now - timedelta(days=settings.PAYOUT_HOLD_DAYS)


def next_payout_date(organizer_id: int, *, now: datetime) -> date | None:
    """The day the earliest held earnings become available."""
    held = (
        LedgerEntry.objects.filter(
            organizer_id=organizer_id,
            kind__in=EARNING_KINDS,
            event__ends_at__gt=_hold_cutoff(now),
            event__cancelled_at__isnull=True,
        )
        .values("event__ends_at")
        .annotate(total=Sum("amount"))
        .filter(total__gt=0)
        .order_by("event__ends_at")
        .first()
    )
    if held is None:
        return None
    return timezone.localtime(held["event__ends_at"] + timedelta(days=settings.PAYOUT_HOLD_DAYS)).date()


# --- the revenue report -------------------------------------------------------------------------


def period_bounds(period: str, *, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """[start, end) of a report period in the event time zone; (None, None) for all time."""
    now = timezone.localtime(now or timezone.now(), ZoneInfo(settings.EVENT_TIME_ZONE))
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if period == "this_month":
        return month_start, None
    if period == "last_month":
        return (month_start - timedelta(days=1)).replace(day=1), month_start
    if period == "this_year":
        return month_start.replace(month=1), None
    return None, None


def _completed_between(prefix: str, start, end) -> Q:
    q = Q()
    if start is not None:
        q &= Q(**{f"{prefix}completed_at__gte": start})
    if end is not None:
        q &= Q(**{f"{prefix}completed_at__lt": end})
    return q


def _money_sums():
    return {"gross": _total(kind__in=GROSS_KINDS), "fees": _total(kind__in=FEE_KINDS)}


def _figures(gross: Decimal, fees: Decimal) -> dict:
    gross, fee = quantize_money(gross), quantize_money(-fees)
    return {"gross_revenue": gross, "platform_fee": fee, "net_revenue": quantize_money(gross - fee)}


def revenue_report(*, organizer, period: str = "all_time", now: datetime | None = None) -> dict:
    """Everything `organizers/revenue/` shows, in a fixed number of queries."""
    start, end = period_bounds(period, now=now)
    sales = LedgerEntry.objects.filter(
        _completed_between("purchase__", start, end), organizer=organizer, kind__in=EARNING_KINDS
    )
    sold = Purchase.objects.filter(
        _completed_between("", start, end), event__organizer=organizer, status=PurchaseStatus.COMPLETED
    )
    return {
        "period": period,
        "summary": _summary(organizer, sales, sold),
        "payout_status": balances(organizer.pk, now=now).as_dict(),
        "revenue_by_event": _by_event(sales, sold),
        "revenue_by_month": _by_month(sales, sold),
        "recent_transactions": _recent(sold),
    }


def _summary(organizer, sales, sold) -> dict:
    money = sales.aggregate(**_money_sums())
    tickets = sold.aggregate(n=Coalesce(Sum("quantity"), 0))["n"]
    figures = _figures(money["gross"], money["fees"])
    average = quantize_money(figures["gross_revenue"] / tickets) if tickets else ZERO
    return {
        "gross_revenue": figures["gross_revenue"],
        "platform_fees": figures["platform_fee"],
        "net_revenue": figures["net_revenue"],
        "total_tickets_sold": tickets,
        "total_events": Event.objects.filter(organizer=organizer, is_published=True).count(),
        "average_ticket_price": average,
    }


def _by_event(sales, sold) -> list[dict]:
    rows = list(
        sales.values("event_id", "event__title", "event__slug")
        .annotate(**_money_sums())
        .filter(gross__gt=0)
        .order_by("-gross", "event_id")[:10]
    )
    ids = [row["event_id"] for row in rows]
    tickets = dict(sold.filter(event_id__in=ids).values_list("event_id").annotate(n=Sum("quantity")))
    return [
        {
            "event_id": row["event_id"],
            "event_title": row["event__title"],
            "event_slug": row["event__slug"],
            **_figures(row["gross"], row["fees"]),
            "tickets_sold": tickets.get(row["event_id"], 0),
        }
        for row in rows
    ]


def _by_month(sales, sold) -> list[dict]:
    rows = list(
        sales.annotate(month=TruncMonth("purchase__completed_at"))
        .values("month")
        .annotate(**_money_sums())
        .filter(gross__gt=0)
        .order_by("-month")[:12]
    )
    tickets = {
        month.strftime("%Y-%m"): n
        for month, n in sold.annotate(month=TruncMonth("completed_at")).values_list("month").annotate(n=Sum("quantity"))
    }
    out = []
    for row in rows:
        key = row["month"].strftime("%Y-%m")
        out.append({"month": key, **_figures(row["gross"], row["fees"]), "tickets_sold": tickets.get(key, 0)})
    return out


def _recent(sold) -> list[dict]:
    fee = LedgerEntry.objects.filter(purchase=OuterRef("pk"), kind=LedgerKind.PLATFORM_FEE).values("amount")[:1]
    purchases = (
        sold.annotate(fee=Coalesce(Subquery(fee), Value(ZERO), output_field=DecimalField()))
        .select_related("event", "ticket_type")
        .order_by(F("completed_at").desc(nulls_last=True), "-pk")[:20]
    )
    return [
        {
            "date": purchase.completed_at,
            "purchase_id": purchase.purchase_id,
            "event_title": purchase.event.title,
            "ticket_type": purchase.ticket_type.name,
            "quantity": purchase.quantity,
            "amount": quantize_money(purchase.sales_amount),
            "platform_fee": quantize_money(-purchase.fee),
            "net_amount": quantize_money(purchase.sales_amount + purchase.fee),
        }
        for purchase in purchases
    ]


# --- withdrawals ------------------------------------------------------------------------------


def organizer_withdrawals(organizer) -> QuerySet:
    """The organizer's withdrawals with their payout profile (W2-W4 never see anyone else's)."""
    return Withdrawal.objects.filter(organizer=organizer).select_related("payment_profile")


def open_withdrawal_exists(*, organizer=None, payment_profile=None) -> bool:
    """Whether a pending or processing withdrawal exists, of the organizer and/or into the profile."""
    filters = {"status__in": OPEN_WITHDRAWAL_STATUSES}
    if organizer is not None:
        filters["organizer"] = organizer
    if payment_profile is not None:
        filters["payment_profile"] = payment_profile
    return Withdrawal.objects.filter(**filters).exists()


# --- event cancellations ----------------------------------------------------------------------


@dataclass(frozen=True)
class CancellationFigures:
    """What an event's cancellation has done so far (the organizer's e-mail, the admin, the command)."""

    refunded_orders: int
    refunded_amount: Decimal
    free_orders: int
    sales_reversed: Decimal
    refunds_awaiting_provider: int
    refunds_failed: int


def cancellation_figures(event_id: int) -> CancellationFigures:
    """Refunds and ledger reversals of a cancelled event, read from the payments and the ledger."""
    refunded = Payment.objects.filter(
        purchase__event_id=event_id,
        status=PaymentStatus.REFUNDED,
        reason_code=ReasonCode.REFUNDED_EVENT_CANCELLED,
    )
    paid = refunded.filter(amount__gt=0)
    counts = paid.aggregate(
        orders=Count("pk"),
        amount=Coalesce(Sum("amount"), Value(ZERO), output_field=DecimalField()),
        awaiting=Count("pk", filter=Q(refund_requested_at__isnull=True)),
        failed=Count("pk", filter=Q(refund_status__in=("failed", "needs-attention"))),
    )
    reversed_sales = LedgerEntry.objects.filter(event_id=event_id).aggregate(
        total=_total(kind=LedgerKind.SALE_REVERSAL)
    )["total"]
    return CancellationFigures(
        refunded_orders=counts["orders"],
        refunded_amount=quantize_money(counts["amount"]),
        free_orders=refunded.filter(amount=0).count(),
        sales_reversed=quantize_money(-reversed_sales),
        refunds_awaiting_provider=counts["awaiting"],
        refunds_failed=counts["failed"],
    )
