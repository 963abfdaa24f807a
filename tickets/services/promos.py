"""Promo codes (CONTRACT.md §16): the organizer's CRUD, the buyer's check (PC5), and redeeming.

A code's uses are never stored: they are counted from the purchases carrying it that are completed
or still hold a live reservation (the stock rule's meaning), so a lapsed or cancelled reservation
gives its use back the moment it ends and no counter can drift. Redeeming decides the limits with
the code's row locked inside the checkout's transaction, after the ticket type's lock
(`cafa.locking` order): a rush of buyers with one code, on one type or several, queues on that row
and can never pass `max_uses` or `max_uses_per_user` together. What needs no lock (which code, whether
it applies, the buyer's own uses) is looked up before the ticket type's lock; its total uses are
counted in the stock's one reading: the code adds a single statement (its lock) to the time every
buyer of the type waits for.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from cafa.locking import lock_row
from cafa.prepared import PreparedRead
from events.models import Event, TicketType
from tickets import selectors
from tickets.exceptions import PromoCodeInUse, PromoRefused
from tickets.models import DiscountType, PromoCode, Purchase
from tickets.pricing import Pricing, price_order

# Fields that price past purchases: frozen once a code has been used.
PRICING_FIELDS = ("code", "discount_type", "discount_value")


@dataclass(frozen=True)
class Quote:
    """PC5: the code and what the order would cost with it."""

    promo: PromoCode
    pricing: Pricing


def normalize(code: str) -> str:
    return (code or "").strip().upper()


# --- Redeeming (Y1, Y2, L1) and checking (PC5) ---------------------------------------------------


def quote(*, event: Event, ticket_type: TicketType, buyer, code: str, quantity: int) -> Quote:
    """PC5: whether `code` would apply to this order now, and the order's pricing with it.

    Reserves nothing and locks nothing. Raises PromoRefused with the contract's headline; an unknown,
    inactive and another event's code are the same "Invalid promo code".
    """
    promo = _applicable(_active_code(event, code), ticket_type.pk).first()
    if promo is None:
        raise PromoRefused()
    now = timezone.now()
    total, mine = _uses(promo, buyer.pk, now)
    _check(promo, applies=promo.covers or not promo.restricted, total=total, mine=mine, now=now)
    return Quote(promo=promo, pricing=price_order(ticket_type.price, quantity, promo))


@dataclass(frozen=True)
class Redemption:
    """A code named on an order, from its look-up before the ticket type's lock to its check under it.

    `named` is whether the order names a code at all; `promo_id` the event's active code of that name
    (None: no such code), with its `max_uses`, whether it `applies` to the ordered type and `buyer_uses`
    (the buyer's own uses, counted with the buyer's row locked: only their own checkouts, which wait for
    that lock, could add one).
    """

    named: bool
    promo_id: int | None = None
    max_uses: int | None = None
    applies: bool = False
    buyer_uses: int = 0

    def rows_to_lock(self) -> QuerySet:
        """The code's row, for `lock_rows` beside the ticket type's (none for an unknown code)."""
        return PromoCode.objects.filter(pk=self.promo_id) if self.promo_id else PromoCode.objects.none()

    def counted_code_id(self) -> int | None:
        """The code whose uses the stock reading counts under the locks: only a code with `max_uses`."""
        return self.promo_id if self.max_uses is not None else None


NO_CODE = Redemption(named=False)


def look_up(*, event: Event, ticket_type_id: int, buyer, code: str | None, now) -> Redemption:
    """Y1, Y2 and L1, before the ticket type's lock and with the buyer's row locked: the code named on
    the order, whether it applies to the type and the buyer's uses, in one query compiled once per
    process (`cafa.prepared`: the ORM takes longer to build it than PostgreSQL to answer); no query
    without a code. Nothing here refuses: `claim_under_lock` does, in the contract's order, once the
    stock is read.
    """
    if not code:
        return NO_CODE
    values = {"event_id": event.pk, "code": normalize(code), "ticket_type_id": ticket_type_id, "buyer_id": buyer.pk}
    rows = _look_up_rows.rows(None, **values, now=now)
    if not rows:
        return Redemption(named=True)
    [row] = rows
    return Redemption(
        named=True,
        promo_id=row["id"],
        max_uses=row["max_uses"],
        applies=row["covers"] or not row["restricted"],
        buyer_uses=row["buyer_uses"],
    )


def _look_up_query(_shape, *, event_id, code, ticket_type_id, buyer_id, now) -> QuerySet:
    mine = Purchase.objects.filter(selectors.promo_use(now), promo_code=OuterRef("pk"), buyer_id=buyer_id)
    mine = mine.values("promo_code").annotate(uses=Count("pk")).values("uses")
    codes = PromoCode.objects.filter(event_id=event_id, code=code, is_active=True)
    codes = _applicable(codes, ticket_type_id).annotate(buyer_uses=Coalesce(Subquery(mine), 0))
    return codes.values("id", "max_uses", "restricted", "covers", "buyer_uses")


_look_up_rows = PreparedRead(_look_up_query)


def claim_under_lock(
    redemption: Redemption, *, locked: PromoCode | None, uses: int | None, buyer, now
) -> PromoCode | None:
    """The code, once it is valid for this order and within its limits (PromoRefused otherwise).

    Call inside the checkout's transaction with the ticket type and then the code (`rows_to_lock`)
    locked, `locked` being the code's row as that lock read it (its state now), and `uses` its uses
    counted after those locks by the stock reading (None: not counted, as the code had no `max_uses` when
    looked up). The code's use is then the reservation this transaction creates. No query, unless the
    code was given a limit since the look-up; None without a code.
    """
    if not redemption.named:
        return None
    if locked is None or not locked.is_active:  # unknown, or deleted or switched off meanwhile
        raise PromoRefused()
    if uses is None and locked.max_uses is not None:
        uses, _ = _uses(locked, buyer.pk, now)
    _check(locked, applies=redemption.applies, total=uses or 0, mine=redemption.buyer_uses, now=now)
    return locked


def within_limits_under_lock(*, purchase: Purchase, now) -> bool:
    """Late success: may the purchase's code still count it, other live uses taken into account?

    A code whose uses were given back when the purchase lapsed, and taken by others since, cannot
    discount it again. Call with the ticket type locked; locks the code.
    """
    if purchase.promo_code_id is None:
        return True
    promo = lock_row(PromoCode.objects.filter(pk=purchase.promo_code_id))
    if promo is None:  # deleted while unused: nobody else holds it
        return True
    total, mine = _uses(promo, purchase.buyer_id, now, excluding=purchase.pk)
    return not _used_up(promo, total) and mine < promo.max_uses_per_user


def _active_code(event: Event, code: str) -> QuerySet:
    return PromoCode.objects.filter(event=event, code=normalize(code), is_active=True)


def _applicable(queryset: QuerySet, ticket_type_id: int) -> QuerySet:
    """Annotated with `restricted` (the code lists ticket types; none: all of them) and `covers` (it
    lists this one)."""
    chosen = PromoCode.ticket_types.through.objects.filter(promocode=OuterRef("pk"))
    return queryset.annotate(restricted=Exists(chosen), covers=Exists(chosen.filter(tickettype_id=ticket_type_id)))


def _check(promo: PromoCode, *, applies: bool, total: int, mine: int, now) -> None:
    """Refuse the code's use now (PromoRefused, in the contract's order of its rules), given its uses:
    `total` of all buyers and `mine` of this one."""
    if promo.valid_from and now < promo.valid_from:
        raise PromoRefused("This promo code cannot be used yet.", error="Promo code not yet valid")
    if promo.valid_until and now > promo.valid_until:
        raise PromoRefused("This promo code has expired.", error="Promo code expired")
    if not applies:
        raise PromoRefused(
            "This promo code does not apply to this ticket type.", error="Promo code not valid for this ticket type"
        )
    if _used_up(promo, total):
        raise PromoRefused("This promo code has been used the maximum number of times.", error="Promo code used up")
    if mine >= promo.max_uses_per_user:
        raise PromoRefused("You have already used this promo code.", error="Promo code already used")


def _used_up(promo: PromoCode, uses: int) -> bool:
    return promo.max_uses is not None and uses >= promo.max_uses


def _uses(promo: PromoCode, buyer_id: int, now, excluding: int | None = None) -> tuple[int, int]:
    """(all uses, the buyer's uses) at `now`, in one query."""
    purchases = Purchase.objects.filter(selectors.promo_use(now), promo_code=promo)
    if excluding is not None:
        purchases = purchases.exclude(pk=excluding)
    counts = purchases.aggregate(total=Count("pk"), mine=Count("pk", filter=Q(buyer_id=buyer_id)))
    return counts["total"], counts["mine"]


# --- The organizer's codes (PC2-PC4) ---------------------------------------------------------------


def create_promo_code(*, event: Event, data: dict) -> PromoCode:
    """PC2: a new code of the event; the code is unique per event whatever its case.

    `data` holds the PromoCode fields and `ticket_types` (the event's types it applies to; empty = all).
    A fixed discount may not exceed the lowest price of the paid types it applies to.
    """
    ticket_types = data.pop("ticket_types", [])
    _check_discount(event, data["discount_type"], data["discount_value"], ticket_types)
    try:
        with transaction.atomic():
            promo = PromoCode.objects.create(event=event, **data)
            promo.ticket_types.set(ticket_types)
    except IntegrityError:
        raise _duplicate_code() from None
    return promo


def update_promo_code(*, promo: PromoCode, data: dict) -> PromoCode:
    """PC3 (partial): the code and its discount are frozen once the code has been used; `max_uses` may
    not drop below the uses so far. Runs with the code locked, so no redemption slips in between."""
    ticket_types = data.pop("ticket_types", None)
    try:
        with transaction.atomic():
            current = lock_row(PromoCode.objects.filter(pk=promo.pk))
            uses = selectors.promo_code_uses(current)
            _check_update(current, data, uses)
            types_after = list(current.ticket_types.all()) if ticket_types is None else ticket_types
            merged = {field: data.get(field, getattr(current, field)) for field in ("discount_type", "discount_value")}
            _check_discount(current.event, merged["discount_type"], merged["discount_value"], types_after)
            for field, value in data.items():
                setattr(current, field, value)
            current.save()
            if ticket_types is not None:
                current.ticket_types.set(ticket_types)
    except IntegrityError:
        raise _duplicate_code() from None
    return current


def delete_promo_code(*, promo: PromoCode) -> bool:
    """PC4: delete an unused code (True); a used one is deactivated instead (False), keeping its history."""
    with transaction.atomic():
        current = lock_row(PromoCode.objects.filter(pk=promo.pk))
        if selectors.promo_code_uses(current):
            current.is_active = False
            current.save(update_fields=["is_active", "updated_at"])
            return False
        current.delete()
    return True


def _check_update(current: PromoCode, data: dict, uses: int) -> None:
    if uses:
        changed = [field for field in PRICING_FIELDS if field in data and data[field] != getattr(current, field)]
        if changed:
            raise PromoCodeInUse(
                f"This code has been used {uses} time{'s' if uses != 1 else ''}: "
                f"{', '.join(changed)} can no longer change.",
                fields=changed,
            )
    max_uses = data.get("max_uses", current.max_uses)
    if max_uses is not None and max_uses < uses:
        raise ValidationError({"max_uses": [f"The code has already been used {uses} times."]})
    valid_from = data.get("valid_from", current.valid_from)
    valid_until = data.get("valid_until", current.valid_until)
    if valid_from and valid_until and valid_until <= valid_from:
        raise ValidationError({"valid_until": ["Must be after valid_from."]})


def _check_discount(event: Event, discount_type: str, value: Decimal, ticket_types: list[TicketType]) -> None:
    if discount_type == DiscountType.PERCENTAGE:
        if not (1 <= value <= 100):
            raise ValidationError({"discount_value": ["A percentage is between 1 and 100."]})
        return
    types = ticket_types or list(TicketType.objects.filter(event=event))
    paid = [ticket_type.price for ticket_type in types if ticket_type.price > 0]
    if not paid:
        raise ValidationError({"discount_value": ["A fixed discount needs a paid ticket type to apply to."]})
    if not (0 < value <= min(paid)):
        raise ValidationError(
            {"discount_value": [f"A fixed discount is more than 0 and at most the lowest ticket price ({min(paid)})."]}
        )


def _duplicate_code() -> ValidationError:
    return ValidationError({"code": ["This event already has a promo code with this code."]})
