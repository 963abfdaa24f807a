"""Fixtures of the dashboard tests: selling tickets fast (straight through the reservation and issue
services, no payment provider) and the stats tests' world."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from events.models import Event
from tickets.models import Purchase, Ticket
from tickets.services.reservations import Attendee, issue_tickets, refund_purchase, reserve_tickets


@pytest.fixture
def reserve(buyer):
    """`reserve(ticket_type, quantity=1, buyer=None, name=...)` -> a reserved (unpaid) purchase."""

    def make(ticket_type, quantity=1, *, buyer=buyer, name="Esi Owusu", email="esi@example.com", phone=""):
        with transaction.atomic():  # reserve_tickets runs in its caller's transaction
            return reserve_tickets(
                buyer=buyer,
                event=ticket_type.event,
                ticket_type_id=ticket_type.pk,
                quantity=quantity,
                attendee=Attendee(name=name, email=email, phone=phone),
            )

    return make


@pytest.fixture
def sell(reserve):
    """`sell(ticket_type, quantity=1, at=None, **attendee)` -> a completed purchase (tickets active).

    `at` (aware datetime) is when the sale happens; the clock is moved there for the sale only.
    """

    def make(ticket_type, quantity=1, *, at=None, **attendee):
        if at is None:
            purchase = reserve(ticket_type, quantity, **attendee)
            issue_tickets(purchase=purchase)
        else:
            with time_machine.travel(at, tick=False):
                purchase = reserve(ticket_type, quantity, **attendee)
                issue_tickets(purchase=purchase)
        return Purchase.objects.get(pk=purchase.pk)

    return make


@pytest.fixture
def refund():
    def make(purchase):
        refund_purchase(purchase=purchase)
        return purchase

    return make


# --- The stats tests' world (§9) ---------------------------------------------------------

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen_clock():
    """The stats tests' clock: 2026-03-15 12:00 UTC."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(make_event, sell, reserve, refund, buyer, organizer, make_organizer):
    """The organizer's three events and the buyer's purchases (see the comments for the figures)."""
    upcoming = make_event(days=5, title="Upcoming Gig")  # 2026-03-20, published
    hidden = make_event(days=10, title="Hidden Gig", is_published=False)
    past = make_event(days=-42, title="Past Gig")  # 2026-02-01
    regular = upcoming.ticket_types.get()
    bought_now = sell(regular, 2, at=datetime(2026, 3, 14, 9, 0, tzinfo=UTC))  # 100 + 5 fee
    bought_before = sell(past.ticket_types.get(), 1, at=datetime(2026, 1, 20, 10, 0, tzinfo=UTC))  # 50 + 2.50
    Ticket.objects.filter(purchase=bought_before).update(
        status="used", checked_in_at=datetime(2026, 2, 1, 19, 5, tzinfo=UTC), check_in_count=1
    )
    refund(sell(regular, 1, at=datetime(2026, 3, 14, 10, 0, tzinfo=UTC)))  # never counts
    reserve(regular, 1)  # unpaid: never counts
    for number, event in enumerate((upcoming, hidden, past), start=1):
        Event.objects.filter(pk=event.pk).update(created_at=datetime(2026, 1, number, tzinfo=UTC))
    type(buyer).objects.filter(pk=buyer.pk).update(date_joined=NOW - timedelta(days=45, hours=3))
    buyer.refresh_from_db()
    return {"upcoming": upcoming, "past": past, "bought_now": bought_now}
