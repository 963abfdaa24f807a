"""Each organizer page reads in a fixed number of queries, however many rows the organizer has."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from payouts.services import ledger
from tickets.models import Purchase
from tickets.services import checkin
from tickets.services.reservations import Attendee, issue_tickets, reserve_tickets

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/",
    "/admin/events/organizerevent/",
    "/admin/tickets/sale/",
    "/admin/analytics/attendee/",
    "/admin/analytics/checkinrecord/",
    "/admin/accounts/organizerpaymentprofile/",
    "/admin/payouts/organizerwithdrawal/",
    "/admin/payouts/revenueentry/",
]


def more_of_everything(world, make_event, make_profile, make_user):
    """Another event with its own sale (three tickets, two checked in), and another payment profile."""
    make_profile(world.organizer)
    event = make_event(organizer=world.organizer, payment_profile=world.profile)
    with transaction.atomic():
        purchase = reserve_tickets(
            buyer=make_user(),
            event=event,
            ticket_type_id=event.ticket_types.get().pk,
            quantity=3,
            attendee=Attendee(name="Esi Owusu", email="esi@example.com", phone=""),
        )
        issue_tickets(purchase=purchase)
    ledger.record_sale(purchase=Purchase.objects.get(pk=purchase.pk))
    for ticket in purchase.tickets.all()[:2]:
        checkin.check_in(event=event, scanned_value=ticket.ticket_id, scanner=world.organizer)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", PAGES)
def test_a_page_reads_the_same_number_of_queries_with_more_rows(
    url, make_organizer_world, browser_for, make_event, make_profile, make_user
):
    world = make_organizer_world()
    client = browser_for(world.organizer)
    queries(client, url)  # warm the session and permission caches
    before = queries(client, url)

    more_of_everything(world, make_event, make_profile, make_user)

    assert queries(client, url) == before
