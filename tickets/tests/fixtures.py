"""Promo codes and waiting-list entries: fixtures the tickets and payments tests share.

Registered for every test by the root conftest (`pytest_plugins`).
"""

from decimal import Decimal

import pytest

from tickets.models import PromoCode
from tickets.services import waitlist
from tickets.services.reservations import Attendee


@pytest.fixture
def make_promo():
    """`make_promo(event, code="EARLY", percent=10 | fixed="5.00", ticket_types=[...], **fields)` -> a code,
    straight in the database (the organizer's API is tested on its own)."""

    def make(event, code="EARLY", *, percent=10, fixed=None, ticket_types=(), **fields):
        kind, value = ("fixed", Decimal(str(fixed))) if fixed is not None else ("percentage", Decimal(str(percent)))
        promo = PromoCode.objects.create(event=event, code=code, discount_type=kind, discount_value=value, **fields)
        promo.ticket_types.set(ticket_types)
        return promo

    return make


@pytest.fixture
def join_queue():
    """`join_queue(user, ticket_type, quantity=1)` -> a new waiting-list entry, through the service."""

    def join(user, ticket_type, quantity=1):
        return waitlist.join_waitlist(
            user=user,
            event=ticket_type.event,
            ticket_type_id=ticket_type.pk,
            quantity=quantity,
            attendee=Attendee(name="", email=""),
        )

    return join
