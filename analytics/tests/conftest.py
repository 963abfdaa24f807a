"""Fixtures of the dashboard tests: the events fixtures, plus selling tickets fast (straight
through the reservation and issue services, no payment provider)."""

import pytest
import time_machine
from django.db import transaction

from events.tests.conftest import (  # noqa: F401 (fixtures re-used from the events tests)
    make_event,
    make_organizer,
    music,
    organizer,
    organizer_client,
)
from tickets.models import Purchase
from tickets.services.reservations import Attendee, issue_tickets, refund_purchase, reserve_tickets


@pytest.fixture
def buyer(make_user):
    return make_user(full_name="Kwame Boateng", email="kwame@example.com")


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
