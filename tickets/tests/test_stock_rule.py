"""The stock rule (CONTRACT.md §1.11), spelled once on the tickets queryset: issued tickets and live
reservations hold stock; a reservation stops holding it at its deadline, tidied or not."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tickets.models import Ticket
from tickets.services.reservations import issue_tickets

pytestmark = pytest.mark.django_db


def test_a_reservation_holds_stock_until_its_deadline_and_an_issued_ticket_for_good(reserve_only, make_user):
    held = reserve_only(make_user(), quantity=2)
    sold = reserve_only(make_user(), quantity=1)
    issue_tickets(purchase=sold)
    deadline = held.reservation_expires_at

    just_before, at_deadline = deadline - timedelta(seconds=1), deadline
    assert Ticket.objects.holding_stock(just_before).count() == 3
    assert Ticket.objects.live_reservations(just_before).count() == 2
    assert Ticket.objects.holding_stock(at_deadline).count() == 1  # the issued one; no job has run
    assert Ticket.objects.live_reservations(at_deadline).count() == 0


def test_the_catalogue_reads_the_same_rule(reserve_only, make_user, api_client):
    purchase = reserve_only(make_user(), quantity=2)
    slug = purchase.event.slug
    assert api_client.get(f"/api/v1/events/{slug}/").json()["tickets_available"] == 98
    with time_machine.travel(purchase.reservation_expires_at + timedelta(seconds=1)):
        assert api_client.get(f"/api/v1/events/{slug}/").json()["tickets_available"] == 100
    assert timezone.now() < purchase.reservation_expires_at
