"""The offer engine of the waiting list (CONTRACT.md §17): freed seats to the queue, as held offers.

One engine, whatever freed the seats: under the ticket type's lock (`cafa.locking`) it expires the
type's lapsed unpaid offers, counts the seats free, and offers them to the waiting entries in the order
they joined, each offer a `reserved` purchase holding its seats for WAITLIST_OFFER_MINUTES. Seats the
engine itself frees (a lapsed offer) are served by the same pass: `serving` marks the types a call
stack is serving, so the `seats_freed` receiver does not start a nested one.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cafa.locking import lock_row
from events.models import TicketType
from tickets import selectors
from tickets.models import PurchaseStatus, WaitlistEntry, WaitlistNoticeKind, WaitlistStatus
from tickets.services import reservations, waitlist_notices

# Ticket types whose queue this call stack is serving: seats the engine itself frees (lapsed offers)
# are served by that same run, not by a nested one.
_serving: ContextVar[frozenset] = ContextVar("waitlist_serving", default=frozenset())


@contextmanager
def serving(ticket_type_id: int) -> Iterator[None]:
    """While inside, seats freed of this type are this pass's to offer (no nested engine run)."""
    token = _serving.set(_serving.get() | {ticket_type_id})
    try:
        yield
    finally:
        _serving.reset(token)


def is_serving(ticket_type_id: int) -> bool:
    return ticket_type_id in _serving.get()


@dataclass
class OfferRun:
    """What one pass of the engine over a ticket type did (or, in a dry run, would do)."""

    offered: list[WaitlistEntry] = field(default_factory=list)
    lapsed: int = 0

    @property
    def seats(self) -> int:
        return sum(entry.quantity for entry in self.offered)


def offer_freed_seats(*, ticket_type_id: int, dry_run: bool = False) -> OfferRun:
    """Offer the type's free seats to its waiting entries, oldest first, under the type's lock.

    Lapsed unpaid offers of the type are expired first (their seats are free again). An entry wanting
    more seats than are free is skipped and keeps its place; a later, smaller one may be served. Each
    offer holds its seats in a `reserved` purchase and e-mails the buyer. Nothing is offered once the
    type's sales are closed. Idempotent: a second run finds nothing free. `dry_run` writes nothing.
    """
    with transaction.atomic():
        ticket_type = lock_row(TicketType.objects.select_related("event").filter(pk=ticket_type_id))
        if ticket_type is None:
            return OfferRun()
        return serve_queue(ticket_type, timezone.now(), dry_run=dry_run)


def serve_queue(ticket_type: TicketType, now, *, dry_run: bool = False) -> OfferRun:
    """The engine's pass over a type whose row the caller has locked (see `offer_freed_seats`)."""
    with serving(ticket_type.pk):
        run = OfferRun(lapsed=_lapse_unpaid_offers(ticket_type, now, dry_run))
        if sales_open(ticket_type, now):
            free = max(0, ticket_type.quantity - reservations.tickets_holding_stock(ticket_type, now))
            run.offered = _make_offers(ticket_type, free, now, dry_run)
        return run


def _lapse_unpaid_offers(ticket_type: TicketType, now, dry_run: bool) -> int:
    lapsed = list(
        WaitlistEntry.objects.filter(
            ticket_type=ticket_type,
            status=WaitlistStatus.OFFERED,
            payment_started_at__isnull=True,
            offer_expires_at__lte=now,
        ).select_related("purchase")
    )
    if not dry_run:
        for entry in lapsed:  # the seats_freed receiver settles each entry (expired, e-mailed)
            reservations.release_reservation(purchase=entry.purchase, status=PurchaseStatus.EXPIRED)
    return len(lapsed)


def _make_offers(ticket_type: TicketType, free: int, now, dry_run: bool) -> list[WaitlistEntry]:
    """Serve the oldest entry that fits in what is free, again and again: one query an offer."""
    offered = []
    while free > 0:
        fitting = selectors.waiting_entries().filter(ticket_type=ticket_type, quantity__lte=free)
        entry = (
            fitting.exclude(pk__in=[e.pk for e in offered]).select_related("user").order_by("created_at", "id").first()
        )
        if entry is None:
            break
        if not dry_run:
            _offer(entry, ticket_type, now)
        offered.append(entry)
        free -= entry.quantity
    return offered


def _offer(entry: WaitlistEntry, ticket_type: TicketType, now) -> None:
    purchase = reservations.hold_offer(entry=entry, ticket_type=ticket_type, now=now)
    entry.status, entry.offered_at, entry.offer_expires_at = (
        WaitlistStatus.OFFERED,
        now,
        purchase.reservation_expires_at,
    )
    entry.save(update_fields=["status", "offered_at", "offer_expires_at", "updated_at"])
    waitlist_notices.note(entry=entry, kind=WaitlistNoticeKind.OFFERED)


def sales_open(ticket_type: TicketType, now) -> bool:
    event = ticket_type.event
    opens, closes = ticket_type.available_from, ticket_type.available_until
    return (
        event.is_published
        and not event.is_cancelled
        and event.starts_at > now
        and (opens is None or opens <= now)
        and (closes is None or closes > now)
    )


def public_availability(ticket_type: TicketType, now) -> int:
    free = max(0, ticket_type.quantity - reservations.tickets_holding_stock(ticket_type, now))
    return free - selectors.seats_held_for_queue(ticket_type.pk, free)
