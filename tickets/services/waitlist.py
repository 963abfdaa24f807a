"""The waiting list (CONTRACT.md §17): queuing, leaving, paying an offer, what freed seats set off,
and the queues' end.

Seats freed while anyone queues belong to the queue: the public path counts them as taken
(`selectors.seats_held_for_queue`, under the ticket type's lock), and the offer engine
(`tickets.services.offers`) offers them to the waiting entries. Every change to an entry is made under
the ticket type's lock (`cafa.locking`), so the queue, the offers and the public never take the same
seat. The engine runs at once where seats are freed in a request (the `seats_freed` signal of
reservations: cancel, failure, refund; the organizer raising the quantity) and every minute from the
job (lapsed holds free seats without any request: `serve_all_queues`).

Over 300 lines on purpose: the queue's every state change takes the same ticket-type lock and keeps
the same invariant (freed seats are the queue's); one module keeps that rule in one place.
"""

import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cafa.api.exceptions import LockTimeout
from cafa.locking import lock_row, lock_rows
from events.exceptions import TicketTypeNotFound
from events.models import Event, TicketType
from tickets import selectors
from tickets.exceptions import (
    AlreadyWaiting,
    CannotLeaveWaitlist,
    OfferNotAvailable,
    PurchaseNotCancellable,
    ReservationRefused,
    TicketsAvailable,
    WaitlistEntryNotFound,
)
from tickets.models import (
    OPEN_PURCHASE_STATUSES,
    OPEN_WAITLIST_STATUSES,
    Purchase,
    PurchaseStatus,
    WaitlistEntry,
    WaitlistNoticeKind,
    WaitlistStatus,
)
from tickets.services import offers, reservations, waitlist_notices
from tickets.services.reservations import Attendee

logger = logging.getLogger(__name__)

# What an offer's purchase ending unpaid makes of its entry.
SETTLED_BY_PURCHASE = {
    PurchaseStatus.CANCELLED: WaitlistStatus.CANCELLED,  # the buyer left or cancelled
    PurchaseStatus.EXPIRED: WaitlistStatus.EXPIRED,
    PurchaseStatus.FAILED: WaitlistStatus.EXPIRED,
}


# --- Queuing (WL1, WL3) --------------------------------------------------------------------------


def join_waitlist(*, user, event: Event, ticket_type_id: int, quantity: int, attendee: Attendee) -> WaitlistEntry:
    """WL1: queue for `quantity` seats of a type the public cannot buy that many of.

    Refused like a purchase while sales are closed or the quantity is outside the type's limits
    (ReservationRefused), with TicketsAvailable while the public could buy the quantity, and with
    AlreadyWaiting while the user waits for, or holds an offer of, the type. Seats already free for
    the queue are offered at once, possibly to this very entry.
    """
    with transaction.atomic():
        ticket_type = lock_row(TicketType.objects.select_related("event").filter(pk=ticket_type_id, event=event))
        if ticket_type is None:
            raise TicketTypeNotFound()
        now = timezone.now()
        if ticket_type.event.is_cancelled:  # read under the lock a cancellation takes first
            raise ReservationRefused("This event was cancelled.", error="Ticket sales closed")
        reservations.check_sale_rules(event=event, ticket_type=ticket_type, quantity=quantity, now=now)
        public = offers.public_availability(ticket_type, now)
        if public >= quantity:
            raise TicketsAvailable(f"{public} tickets of this type are on sale.", available_quantity=public)
        if WaitlistEntry.objects.filter(user=user, ticket_type=ticket_type, status__in=OPEN_WAITLIST_STATUSES).exists():
            raise AlreadyWaiting()
        entry = WaitlistEntry.objects.create(
            user=user,
            event=event,
            ticket_type=ticket_type,
            quantity=quantity,
            attendee_name=attendee.name.strip() or user.full_name or user.username,
            attendee_email=attendee.email or user.email,
            attendee_phone=attendee.phone or user.phone_number or "",
            created_at=now,
        )
        waitlist_notices.note(entry=entry, kind=WaitlistNoticeKind.JOINED)
        offers.serve_queue(ticket_type, now)
    return entry


def leave_waitlist(*, user, entry_id: str) -> None:
    """WL3 for an entry whose offer nobody is paying: the entry is cancelled and its held seats, if
    any, go to the next in line. Leaving twice is fine; a settled entry raises CannotLeaveWaitlist.

    An offer being paid is cancelled through the payment (payments asks the provider first).
    """
    entry = owned_entry(user, entry_id)
    if entry.status == WaitlistStatus.CANCELLED:
        return
    with transaction.atomic():
        lock_row(TicketType.objects.filter(pk=entry.ticket_type_id))
        entry = WaitlistEntry.objects.get(pk=entry.pk)
        if entry.status == WaitlistStatus.WAITING:
            _close(entry, WaitlistStatus.CANCELLED)
        elif entry.status == WaitlistStatus.OFFERED and entry.payment_started_at is None:
            reservations.release_reservation(purchase=entry.purchase, status=PurchaseStatus.CANCELLED)
        elif entry.status != WaitlistStatus.CANCELLED:
            raise CannotLeaveWaitlist(_settled_message(entry), status=entry.status)


def owned_entry(user, entry_id: str) -> WaitlistEntry:
    """One of the user's entries (with its purchase), else WaitlistEntryNotFound (404)."""
    entry = selectors.owned_waitlist_entry(user, entry_id)
    if entry is None:
        raise WaitlistEntryNotFound()
    return entry


def _settled_message(entry: WaitlistEntry) -> str:
    if entry.status == WaitlistStatus.OFFERED:
        return "A payment for this offer is under way: cancel the purchase instead."
    return f"This entry is {entry.status}."


# --- Paying an offer (WL4, with payments) -------------------------------------------------------


def begin_offer_checkout(*, user, entry_id: str) -> tuple[Purchase, bool]:
    """WL4: the offer's held purchase, marked as being paid; `(purchase, already_started)`.

    Runs inside payments' checkout transaction (which creates the payment), with the user and the
    ticket type locked, so the job cannot lapse the offer while its payment is being opened. From then
    on the payment decides: paid, the entry is accepted; closed unpaid, it expires. Raises
    OfferNotAvailable unless the entry holds a live offer.
    """
    entry = owned_entry(user, entry_id)
    lock_rows(
        get_user_model().objects.filter(pk=user.pk).only("pk"), TicketType.objects.filter(pk=entry.ticket_type_id)
    )
    entry = WaitlistEntry.objects.get(pk=entry.pk)
    if entry.status != WaitlistStatus.OFFERED:
        raise OfferNotAvailable(f"This entry is {entry.status}.", status=entry.status)
    purchase = Purchase.objects.select_related("event", "ticket_type").get(waitlist_entry=entry)
    if entry.payment_started_at is not None:
        return purchase, True
    now = timezone.now()
    if purchase.reservation_expires_at <= now:
        raise OfferNotAvailable("This offer has lapsed.", status=WaitlistStatus.EXPIRED)
    entry.payment_started_at = now
    entry.save(update_fields=["payment_started_at", "updated_at"])
    return purchase, False


def cancel_unpaid_offer(*, purchase: Purchase) -> int:
    """Y5 on an offer's purchase nobody has started paying: released like WL3 (the entry is cancelled,
    the seats go to the next in line). Returns how many tickets were released."""
    with transaction.atomic():
        lock_row(TicketType.objects.filter(pk=purchase.ticket_type_id))
        current = Purchase.objects.select_related("waitlist_entry").get(pk=purchase.pk)
        if current.status == PurchaseStatus.CANCELLED:
            return 0
        entry = current.waitlist_entry
        if current.status not in OPEN_PURCHASE_STATUSES or entry is None or entry.payment_started_at is not None:
            raise PurchaseNotCancellable(f"This purchase is {current.status}.", status=current.status)
        return reservations.release_reservation(purchase=current, status=PurchaseStatus.CANCELLED)


def reopen_offer(*, purchase: Purchase) -> None:
    """The provider refused to open the offer's payment: the offer stays, payable again until it lapses."""
    WaitlistEntry.objects.filter(pk=purchase.waitlist_entry_id, status=WaitlistStatus.OFFERED).update(
        payment_started_at=None, updated_at=timezone.now()
    )


# --- What the stock code tells the waiting list (tickets.signals, connected in tickets/receivers.py) -----


def after_seats_freed(*, purchase: Purchase) -> None:
    """A purchase stopped holding its seats: settle its offer, if it was one, and serve the queue.

    Runs inside the transaction that freed the seats, so they are offered in the same commit. If the
    ticket type stays locked by others too long, the seats wait for the job (the queue holds them,
    the public cannot take them) and the freeing change is not failed for it.
    """
    if purchase.waitlist_entry_id:
        _settle_offer(purchase)
    if offers.is_serving(purchase.ticket_type_id) or not selectors.queue_is_waiting(purchase.ticket_type_id):
        return
    try:
        offers.offer_freed_seats(ticket_type_id=purchase.ticket_type_id)
    except LockTimeout:
        logger.warning("waitlist_offer_deferred ticket_type=%s reason=lock_timeout", purchase.ticket_type_id)


def after_stock_added(*, ticket_type_id: int) -> None:
    """The organizer raised the type's quantity: the new seats go to the queue first (like freed ones)."""
    if offers.is_serving(ticket_type_id) or not selectors.queue_is_waiting(ticket_type_id):
        return
    try:
        offers.offer_freed_seats(ticket_type_id=ticket_type_id)
    except LockTimeout:
        logger.warning("waitlist_offer_deferred ticket_type=%s reason=lock_timeout", ticket_type_id)


def after_tickets_issued(*, purchase: Purchase) -> None:
    """An offer's purchase was paid (late success included): its entry is accepted."""
    if purchase.waitlist_entry_id:
        WaitlistEntry.objects.filter(pk=purchase.waitlist_entry_id).exclude(status=WaitlistStatus.ACCEPTED).update(
            status=WaitlistStatus.ACCEPTED, closed_at=timezone.now(), updated_at=timezone.now()
        )


def _settle_offer(purchase: Purchase) -> None:
    status = SETTLED_BY_PURCHASE.get(purchase.status)
    if status is None:
        return
    entry = WaitlistEntry.objects.filter(pk=purchase.waitlist_entry_id, status=WaitlistStatus.OFFERED).first()
    if entry is None:
        return
    _close(entry, status)
    if status == WaitlistStatus.EXPIRED:
        waitlist_notices.note(entry=entry, kind=WaitlistNoticeKind.LAPSED)


def _close(entry: WaitlistEntry, status: str) -> None:
    entry.status, entry.closed_at = status, timezone.now()
    entry.save(update_fields=["status", "closed_at", "updated_at"])


# --- Sales ending (the job, and event cancellation) ------------------------------------------------


def cancel_waitlist_for_event(*, event: Event | int) -> int:
    """Every open entry of the event (or event id) becomes `cancelled`: it is cancelled or over. Returns
    how many. Connected to `events.signals.event_cancelled`, so it runs in the cancelling transaction.

    Offers nobody is paying give their seats back; an offer being paid is left to its payment (the
    event's cancellation cancels or refunds it, which settles the entry). Nothing freed here is offered
    again (a cancelled event sells nothing). Idempotent.
    """
    type_ids = _types_with_open_entries(Q(event_id=getattr(event, "pk", event)))
    return sum(_cancel_open_entries(type_id) for type_id in type_ids)


def close_ended_queues(now=None, *, dry_run: bool = False) -> int:
    """The job: cancel the open entries of types whose sales are over (event started or cancelled, sale
    window closed). Returns how many entries were (with `dry_run`: would be) cancelled."""
    now = now or timezone.now()
    ended = (
        Q(event__starts_at__lte=now) | Q(ticket_type__available_until__lte=now) | Q(event__cancelled_at__isnull=False)
    )
    if dry_run:
        unpaid = Q(status=WaitlistStatus.WAITING) | Q(payment_started_at__isnull=True)
        return WaitlistEntry.objects.filter(ended, unpaid, status__in=OPEN_WAITLIST_STATUSES).count()
    return sum(_cancel_open_entries(type_id) for type_id in _types_with_open_entries(ended))


def _types_with_open_entries(condition: Q) -> list[int]:
    entries = WaitlistEntry.objects.filter(condition, status__in=OPEN_WAITLIST_STATUSES)
    return sorted(set(entries.values_list("ticket_type_id", flat=True)))


def _cancel_open_entries(ticket_type_id: int) -> int:
    with transaction.atomic():
        lock_row(TicketType.objects.filter(pk=ticket_type_id))
        cancelled = 0
        entries = WaitlistEntry.objects.filter(ticket_type_id=ticket_type_id, status__in=OPEN_WAITLIST_STATUSES)
        with offers.serving(ticket_type_id):  # nothing freed here is offered again
            for entry in entries.select_related("purchase"):
                if entry.status == WaitlistStatus.WAITING:
                    _close(entry, WaitlistStatus.CANCELLED)
                elif entry.payment_started_at is None:
                    reservations.release_reservation(purchase=entry.purchase, status=PurchaseStatus.CANCELLED)
                else:
                    continue
                cancelled += 1
        return cancelled


# --- The job (every minute) and the operators' command -------------------------------------------------


@dataclass
class QueueRun:
    """What a pass over every queue did: the job's and `manage.py waitlist offer --all`'s summary."""

    types: int = 0
    offers: int = 0
    seats: int = 0
    lapsed: int = 0
    cancelled: int = 0
    deferred: int = 0  # types left for the next run: their lock stayed taken

    def summary(self) -> str:
        return (
            f"waiting list: {self.types} ticket types served, {self.offers} offers made ({self.seats} seats), "
            f"{self.lapsed} lapsed offers expired, {self.cancelled} entries cancelled (sales over), "
            f"{self.deferred} types deferred"
        )


def types_to_serve(now) -> list[int]:
    """Types with entries waiting, or with unpaid offers that have lapsed."""
    lapsed = Q(status=WaitlistStatus.OFFERED, payment_started_at__isnull=True, offer_expires_at__lte=now)
    entries = WaitlistEntry.objects.filter(Q(status=WaitlistStatus.WAITING) | lapsed)
    return sorted(set(entries.values_list("ticket_type_id", flat=True)))


def serve_all_queues(*, now=None, dry_run: bool = False) -> QueueRun:
    """Close the queues whose sales are over, then run the engine on every type that needs it.

    Idempotent and safe beside requests and other runs (each type under its lock). A type whose lock
    stays taken is counted as deferred and served by the next run.
    """
    now = now or timezone.now()
    run = QueueRun(cancelled=close_ended_queues(now, dry_run=dry_run))
    for ticket_type_id in types_to_serve(now):
        try:
            result = offers.offer_freed_seats(ticket_type_id=ticket_type_id, dry_run=dry_run)
        except LockTimeout:
            run.deferred += 1
            continue
        run.types += 1
        run.offers += len(result.offered)
        run.seats += result.seats
        run.lapsed += result.lapsed
    return run
