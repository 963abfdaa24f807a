"""Each organizer page reads in a fixed number of queries, however many rows the organizer has."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from payouts.services import ledger
from payouts.tests.fixtures import lapsed_queue_entry
from tickets.models import Purchase, WaitlistEntry
from tickets.services import checkin
from tickets.services.reservations import Attendee, issue_tickets, reserve_tickets

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/",
    "/admin/events/organizerevent/",
    "/admin/tickets/sale/",
    "/admin/tickets/organizerpromocode/",
    "/admin/tickets/queueentry/",
    "/admin/analytics/attendee/",
    "/admin/analytics/checkinrecord/",
    "/admin/accounts/organizerpaymentprofile/",
    "/admin/payouts/organizerwithdrawal/",
    "/admin/payouts/revenueentry/",
]


def more_of_everything(world, make_event, make_profile, make_user, make_promo):
    """Another event with its own sale (three tickets, two checked in, with a promo code of the event's
    two), a waiting list, and another payment profile."""
    make_profile(world.organizer)
    event = make_event(organizer=world.organizer, payment_profile=world.profile)
    ticket_type = event.ticket_types.get()
    make_promo(event, "FRIENDS", ticket_types=[ticket_type], max_uses=5)
    make_promo(event, "HALF", percent=50)
    with transaction.atomic():
        purchase = reserve_tickets(
            buyer=make_user(),
            event=event,
            ticket_type_id=ticket_type.pk,
            quantity=3,
            attendee=Attendee(name="Esi Owusu", email="esi@example.com", phone=""),
            promo_code="friends",
        )
        issue_tickets(purchase=purchase)
    lapsed_queue_entry(ticket_type, make_user())
    for _ in range(2):
        WaitlistEntry.objects.create(
            user=make_user(),
            event=event,
            ticket_type=ticket_type,
            quantity=2,
            attendee_name="Kwesi",
            attendee_email="k@example.com",
        )
    ledger.record_sale(purchase=Purchase.objects.get(pk=purchase.pk))
    for ticket in purchase.tickets.all()[:2]:
        checkin.check_in(event=event, scanned_value=ticket.ticket_id, scanner=world.organizer)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", PAGES)
def test_a_page_reads_the_same_number_of_queries_with_more_rows(
    url, make_organizer_world, browser_for, make_event, make_profile, make_user, make_promo
):
    world = make_organizer_world()
    client = browser_for(world.organizer)
    queries(client, url)  # warm the session and permission caches
    before = queries(client, url)

    more_of_everything(world, make_event, make_profile, make_user, make_promo)

    assert queries(client, url) == before
