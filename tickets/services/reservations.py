"""Stock and reservations. Money is not known here: `payments` orchestrates a checkout.

Every rule is checked after the ticket type row is locked (`cafa.locking`), inside the caller's
transaction, and live stock is read at that moment: issued tickets (the type's `issued_count`, which
every transition below moves in its own transaction, through `events.services.count_issued`) plus
reservations whose deadline has not passed (counted over the partial index of reserved tickets), so
concurrent buyers can never oversell, and the cost under the lock does not grow with the tickets sold.

Over 300 lines on purpose: every move of a reservation (hold, offer, pending, release, re-issue,
issue, void) lives here, beside the stock rule they all keep; split, the rule would be read in two places.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from cafa.locking import lock_row, lock_rows
from events import services as events_services
from events.exceptions import TicketTypeNotFound
from events.models import Event, TicketType
from tickets import selectors, signals
from tickets.exceptions import ReservationRefused
from tickets.models import (
    ISSUED_TICKET_STATUSES,
    OPEN_PURCHASE_STATUSES,
    Purchase,
    PurchaseStatus,
    Ticket,
    TicketStatus,
    WaitlistEntry,
)
from tickets.pricing import Pricing, price_order
from tickets.services import cancellation_notices, credentials, outbox, promos


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str
    phone: str = ""


def tickets_holding_stock(ticket_type: TicketType, now) -> int:
    """Issued tickets plus live reservations of a ticket type (lapsed reservations never count). Pass the
    type's row as read under its lock: its issued counter is then current."""
    return selectors.stock_holding(ticket_type, now)


def reserve_tickets(
    *, buyer, event: Event, ticket_type_id: int, quantity: int, attendee: Attendee, promo_code: str | None = None
) -> Purchase:
    """Hold `quantity` tickets for RESERVATION_MINUTES in a new `reserved` purchase.

    Runs inside the caller's transaction, which the locks last until (RuntimeError outside one). The
    buyer row is locked first, so one buyer's simultaneous checkouts cannot pass the open-purchase
    limit together; their open purchases are counted then, before the ticket type's lock, so the time
    every buyer of the type queues for (the lock to the commit) holds only what the stock needs: one
    read (live holds, cancellation, queue) and the inserts. Seats freed while anyone queues for the
    type are the waiting list's, not the public's. A `promo_code` is looked up with the open purchases,
    then locked with the type and claimed under those locks (its limits hold under any rush), with its
    uses counted in the same reading, and priced in. Raises TicketTypeNotFound for a type of another event,
    ReservationRefused naming the first rule that fails, in the contract's order, and PromoRefused for a
    code that cannot apply.
    """
    lock_rows(get_user_model().objects.filter(pk=buyer.pk).only("pk"))
    # Refused below, in the contract's order; read now, as only this buyer's checkouts could change them.
    before = timezone.now()
    open_purchases = _open_purchases(buyer, before)
    redemption = promos.look_up(event=event, ticket_type_id=ticket_type_id, buyer=buyer, code=promo_code, now=before)
    types, codes = lock_rows(TicketType.objects.filter(pk=ticket_type_id, event=event), redemption.rows_to_lock())
    if not types:
        raise TicketTypeNotFound()
    ticket_type = types[0]
    now = timezone.now()  # read after waiting for the lock: lapsed holds stop counting
    # Read after the lock, which a cancellation takes first (and every hold or offer of the type).
    reading = selectors.stock_reading(
        ticket_type_id=ticket_type.pk, event_id=event.pk, now=now, promo_code_id=redemption.counted_code_id()
    )
    if reading.event_cancelled:
        raise ReservationRefused("This event was cancelled.", error="Ticket sales closed")
    _check_sale_rules(event, ticket_type, quantity, now)
    _check_stock(ticket_type, quantity, reading)
    promo = promos.claim_under_lock(
        redemption, locked=next(iter(codes), None), uses=reading.promo_uses, buyer=buyer, now=now
    )
    _check_open_purchases(open_purchases)
    return _create_reservation(buyer, event, ticket_type, quantity, attendee, now, promo=promo)


def check_sale_rules(*, event: Event, ticket_type: TicketType, quantity: int, now) -> None:
    """The sale rules of a purchase (§6.2: sales open, window, min/max quantity) without the stock:
    what the waiting list checks before queuing someone. Raises ReservationRefused."""
    _check_sale_rules(event, ticket_type, quantity, now)


def _check_sale_rules(event, ticket_type, quantity, now):
    if not (event.is_published and event.starts_at > now):
        raise ReservationRefused("Tickets for this event are no longer on sale.", error="Ticket sales closed")
    opens, closes = ticket_type.available_from, ticket_type.available_until
    if (opens and now < opens) or (closes and now > closes):
        raise ReservationRefused(
            "This ticket type is not on sale right now.",
            error="Ticket type not on sale",
            available_from=opens,
            available_until=closes,
        )
    if quantity < ticket_type.min_purchase:
        raise ReservationRefused(
            f"Buy at least {ticket_type.min_purchase} tickets of this type.",
            error="Below minimum purchase",
            min_quantity=ticket_type.min_purchase,
            details={"quantity": [f"Ensure this value is at least {ticket_type.min_purchase}."]},
        )
    if quantity > ticket_type.max_purchase:
        raise ReservationRefused(
            f"Buy at most {ticket_type.max_purchase} tickets of this type per order.",
            error="Above maximum purchase",
            max_quantity=ticket_type.max_purchase,
            details={"quantity": [f"Ensure this value is at most {ticket_type.max_purchase}."]},
        )


def _check_stock(ticket_type, quantity, reading: selectors.StockReading):
    free = max(0, ticket_type.quantity - ticket_type.issued_count - reading.live_holds)
    # Seats free while anyone queues are the waiting list's (selectors.seats_held_for_queue).
    available = 0 if reading.queue_waiting else free
    if quantity > available:
        message = f"Only {available} tickets left." if available else "This ticket type is sold out."
        raise ReservationRefused(message, error="Not enough tickets available", available_quantity=available)


def _open_purchases(buyer, now) -> int:
    """The buyer's unpaid purchases still holding their reservation (call with the buyer's row locked)."""
    open_purchases = Purchase.objects.filter(buyer=buyer, status__in=OPEN_PURCHASE_STATUSES)
    return open_purchases.filter(reservation_expires_at__gt=now).count()


def _check_open_purchases(open_count: int):
    if open_count >= settings.MAX_OPEN_PURCHASES_PER_USER:
        raise ReservationRefused(
            f"You have {open_count} unpaid orders. Pay for or cancel one first.", error="Too many pending purchases"
        )


def _create_reservation(
    buyer, event, ticket_type, quantity, attendee, now, *, promo=None, minutes=None, waitlist_entry=None
) -> Purchase:
    pricing: Pricing = price_order(ticket_type.price, quantity, promo)
    expires = now + timedelta(minutes=minutes or settings.RESERVATION_MINUTES)
    purchase = Purchase.objects.create(
        buyer=buyer,
        event=event,
        ticket_type=ticket_type,
        quantity=quantity,
        unit_price=pricing.unit_price,
        subtotal=pricing.subtotal,
        discount=pricing.discount,
        promo_code=promo,
        waitlist_entry=waitlist_entry,
        service_fee=pricing.service_fee,
        total=pricing.total,
        attendee_name=attendee.name,
        attendee_email=attendee.email,
        attendee_phone=attendee.phone,
        reserved_at=now,
        reservation_expires_at=expires,
    )
    Ticket.objects.bulk_create(
        Ticket(
            purchase=purchase,
            event=event,
            ticket_type=ticket_type,
            reserved_until=expires,
            attendee_name=attendee.name,
            attendee_email=attendee.email,
            attendee_phone=attendee.phone,
            price_paid=price_paid,
        )
        for price_paid in pricing.ticket_prices()
    )
    return purchase


def hold_offer(*, entry: WaitlistEntry, ticket_type: TicketType, now) -> Purchase:
    """A waiting-list offer: the entry's seats held in a `reserved` purchase for WAITLIST_OFFER_MINUTES.

    The waiting list calls it with the ticket type locked, once it has counted the seats free; the
    purchase is priced like any other (no promo code) and paid through the usual checkout.
    """
    attendee = Attendee(name=entry.attendee_name, email=entry.attendee_email, phone=entry.attendee_phone)
    return _create_reservation(
        entry.user,
        ticket_type.event,
        ticket_type,
        entry.quantity,
        attendee,
        now,
        minutes=settings.WAITLIST_OFFER_MINUTES,
        waitlist_entry=entry,
    )


def mark_pending(*, purchase: Purchase) -> None:
    """The provider transaction exists: reserved -> pending."""
    Purchase.objects.filter(pk=purchase.pk, status=PurchaseStatus.RESERVED).update(
        status=PurchaseStatus.PENDING, updated_at=timezone.now()
    )
    purchase.status = PurchaseStatus.PENDING


def release_reservation(*, purchase: Purchase, status: str) -> int:
    """Close an unpaid purchase (`cancelled`, `expired` or `failed`) and free its stock.

    Returns how many reserved tickets were released (reserved tickets were never issued: the issued
    counter stays). Callers hold the purchase's payment lock.
    """
    now = timezone.now()
    ticket_status = TicketStatus.CANCELLED if status == PurchaseStatus.CANCELLED else TicketStatus.EXPIRED
    released = purchase.tickets.filter(status=TicketStatus.RESERVED).update(status=ticket_status, updated_at=now)
    purchase.status, purchase.closed_at = status, now
    purchase.save(update_fields=["status", "closed_at", "updated_at"])
    signals.seats_freed.send(sender=Purchase, purchase=purchase)
    return released


def can_reissue(*, purchase: Purchase) -> bool:
    """Is there stock for the purchase's own quantity (its own live holds count for it: a success on time,
    or a late one once stock is back), and may its promo code still count it? Locks the ticket type (and
    the code). Callers hold the payment lock and issue next: the tickets' credentials are rendered first,
    before the ticket type's lock, so the slow part of issuing keeps no other buyer of the type waiting."""
    credentials.prepare_credentials(purchase.tickets.select_related("event"))
    ticket_type = lock_row(TicketType.objects.filter(pk=purchase.ticket_type_id))
    now = timezone.now()  # after the lock: holds that lapsed while waiting stop counting
    others = selectors.live_holds(ticket_type.pk, now, excluding_purchase_id=purchase.pk)
    available = ticket_type.quantity - ticket_type.issued_count - others
    return available >= purchase.quantity and promos.within_limits_under_lock(purchase=purchase, now=now)


def issue_tickets(*, purchase: Purchase) -> list[Ticket]:
    """Turn the purchase's tickets into admissions (active), complete the purchase, and record that its
    ticket e-mail is due (in the same transaction: the e-mail cannot be lost with a queue message).

    Re-activates the purchase's own rows after a late success. Callers hold the payment lock.
    """
    now = timezone.now()
    issued = purchase.tickets.exclude(status__in=ISSUED_TICKET_STATUSES).update(
        status=TicketStatus.ACTIVE, issued_at=now, updated_at=now
    )
    # The counter moves by the rows this UPDATE changed, and stamps `sold_out_at` when they fill the type.
    events_services.count_issued(ticket_type_id=purchase.ticket_type_id, delta=issued, at=now)
    purchase.status, purchase.completed_at, purchase.closed_at = PurchaseStatus.COMPLETED, now, None
    purchase.save(update_fields=["status", "completed_at", "closed_at", "updated_at"])
    outbox.note_due(purchase=purchase)
    signals.tickets_issued.send(sender=Purchase, purchase=purchase)
    issued = list(purchase.tickets.select_related("event"))
    credentials.attach_credentials(issued)
    return issued


def refund_purchase(*, purchase: Purchase) -> None:
    """Money went back to the buyer: the purchase and its issued tickets become `refunded`.

    A purchase refunded before it was issued (late success, sold out) may still carry lapsed
    `reserved` rows when no job tidied it; they become `expired`, never left dangling.
    """
    now = timezone.now()
    refunded = purchase.tickets.filter(status__in=ISSUED_TICKET_STATUSES).update(
        status=TicketStatus.REFUNDED, updated_at=now
    )
    events_services.count_issued(ticket_type_id=purchase.ticket_type_id, delta=-refunded, at=now)
    purchase.tickets.filter(status=TicketStatus.RESERVED).update(status=TicketStatus.EXPIRED, updated_at=now)
    purchase.status, purchase.closed_at = PurchaseStatus.REFUNDED, now
    purchase.save(update_fields=["status", "closed_at", "updated_at"])
    if refunded:
        signals.seats_freed.send(sender=Purchase, purchase=purchase)


def cancel_for_event(*, purchase: Purchase) -> int:
    """The event was cancelled (CONTRACT.md §14.2): a completed purchase is refunded, its unused tickets
    become `cancelled` and its used ones `refunded`, and the buyer's cancellation e-mail is due.

    Callers hold the purchase's payment lock. Returns how many tickets stopped admitting.
    """
    now = timezone.now()
    cancelled = purchase.tickets.filter(status=TicketStatus.ACTIVE).update(
        status=TicketStatus.CANCELLED, updated_at=now
    )
    refunded = purchase.tickets.filter(status=TicketStatus.USED).update(status=TicketStatus.REFUNDED, updated_at=now)
    events_services.count_issued(ticket_type_id=purchase.ticket_type_id, delta=-(cancelled + refunded), at=now)
    purchase.status, purchase.closed_at = PurchaseStatus.REFUNDED, now
    purchase.save(update_fields=["status", "closed_at", "updated_at"])
    cancellation_notices.note_due(purchase=purchase)
    return cancelled + refunded


def refund_late_payment_of_cancelled_event(*, purchase: Purchase) -> None:
    """A payment arrived after its event was cancelled: nothing is issued, the purchase is refunded and
    the buyer gets the cancellation e-mail (which says the money is coming back). Callers hold the lock."""
    if purchase.status in OPEN_PURCHASE_STATUSES:
        release_reservation(purchase=purchase, status=PurchaseStatus.CANCELLED)
    refund_purchase(purchase=purchase)
    cancellation_notices.note_due(purchase=purchase, send_after_commit=True)
