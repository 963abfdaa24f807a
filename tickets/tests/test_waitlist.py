"""WL1 join, WL2 my entries, WL5 the organizer's view, and what the public sees while people queue
(CONTRACT.md §17, §4)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from tickets.exceptions import ReservationRefused
from tickets.models import Purchase, WaitlistEntry, WaitlistNotice
from tickets.services import offers
from tickets.services.reservations import Attendee, reserve_tickets

pytestmark = pytest.mark.django_db


def hold(ticket_type, buyer, quantity=1):
    """A public reservation (unpaid, live for RESERVATION_MINUTES)."""
    with transaction.atomic():
        return reserve_tickets(
            buyer=buyer,
            event=ticket_type.event,
            ticket_type_id=ticket_type.pk,
            quantity=quantity,
            attendee=Attendee(name="Esi", email=buyer.email),
        )


@pytest.fixture
def sold_out(make_ticket_type, make_user):
    """Two seats, both held by public reservations; max 4 a purchase."""
    ticket_type = make_ticket_type(quantity=2, max_purchase=4)
    hold(ticket_type, make_user(), 2)
    return ticket_type


@pytest.fixture
def buyer_client(client_for, buyer):
    return client_for(buyer)


def join_url(ticket_type):
    return f"/api/v1/events/{ticket_type.event.slug}/waitlist/"


def join(client, ticket_type, **body):
    return client.post(join_url(ticket_type), {"ticket_type_id": ticket_type.pk, **body}, format="json")


# --- WL1 -------------------------------------------------------------------------------------


def test_a_buyer_joins_the_waiting_list_of_a_sold_out_type(buyer_client, buyer, sold_out):
    response = join(buyer_client, sold_out, quantity=2, attendee_info={"name": "Ama K", "email": "ama@example.com"})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["success"], body["message"]) == (True, "You are on the waiting list")
    entry = body["entry"]
    assert entry == {
        "entry_id": entry["entry_id"],
        "event": {"id": sold_out.event.pk, "slug": sold_out.event.slug, "title": sold_out.event.title},
        "ticket_type": {"id": sold_out.pk, "name": "Regular", "price": 50},
        "quantity": 2,
        "status": "waiting",
        "position": 1,
        "offered_at": None,
        "offer_expires_at": None,
        "purchase_id": None,
        "created_at": entry["created_at"],
    }
    assert entry["entry_id"].startswith("WL-") and len(entry["entry_id"]) == 13
    stored = WaitlistEntry.objects.get()
    assert (stored.user, stored.attendee_name, stored.attendee_email) == (buyer, "Ama K", "ama@example.com")
    assert WaitlistNotice.objects.get().kind == "joined"


def test_the_attendee_defaults_to_the_account(buyer_client, buyer, sold_out):
    join(buyer_client, sold_out)

    entry = WaitlistEntry.objects.get()
    assert (entry.quantity, entry.attendee_name, entry.attendee_email) == (1, buyer.full_name, buyer.email)
    assert entry.attendee_phone == buyer.phone_number


def test_places_follow_the_order_of_joining(client_for, make_user, sold_out):
    entries = [join(client_for(make_user()), sold_out).json()["entry"] for _ in range(3)]

    assert [entry["position"] for entry in entries] == [1, 2, 3]


def test_joining_while_tickets_are_on_sale_is_refused(buyer_client, make_ticket_type, assert_error):
    on_sale = make_ticket_type(quantity=5)

    body = assert_error(join(buyer_client, on_sale, quantity=3), 400, "Tickets available")

    assert body["available_quantity"] == 5 and body["success"] is False
    assert not WaitlistEntry.objects.exists()


def test_a_buyer_wanting_more_than_is_left_may_queue(buyer_client, make_ticket_type, make_user):
    ticket_type = make_ticket_type(quantity=3, max_purchase=4)
    hold(ticket_type, make_user(), 2)  # one left

    assert join(buyer_client, ticket_type, quantity=2).status_code == 201


def test_joining_once_the_event_has_started_is_refused(buyer_client, sold_out, assert_error):
    with time_machine.travel(sold_out.event.starts_at + timedelta(minutes=1), tick=False):
        assert_error(join(buyer_client, sold_out), 400, "Ticket sales closed")


def test_joining_twice_is_a_conflict(buyer_client, sold_out, assert_error):
    join(buyer_client, sold_out)

    assert_error(join(buyer_client, sold_out), 409, "Already on the waiting list")
    assert WaitlistEntry.objects.count() == 1


@pytest.mark.parametrize(("quantity", "headline"), [(5, "Above maximum purchase"), (0, "Validation Error")])
def test_the_quantity_stays_within_the_types_limits(buyer_client, sold_out, assert_error, quantity, headline):
    assert_error(join(buyer_client, sold_out, quantity=quantity), 400, headline)


def test_unknown_event_and_foreign_ticket_type_are_not_found(buyer_client, sold_out, make_ticket_type, assert_error):
    other = make_ticket_type()
    foreign = buyer_client.post(join_url(sold_out), {"ticket_type_id": other.pk})

    assert_error(buyer_client.post("/api/v1/events/nope/waitlist/", {"ticket_type_id": 1}), 404, "Event not found")
    assert_error(foreign, 404, "Ticket type not found")


def test_anonymous_callers_are_refused(api_client, sold_out, assert_error):
    assert_error(join(api_client, sold_out), 401, "Authentication Failed")


def test_joining_is_throttled_per_user(buyer_client, make_ticket_type, make_user, assert_error, settings):
    types = [make_ticket_type(quantity=1) for _ in range(21)]
    for ticket_type in types:
        hold(ticket_type, make_user())
    for ticket_type in types[:20]:
        assert join(buyer_client, ticket_type).status_code == 201

    assert_error(join(buyer_client, types[20]), 429, "Too Many Requests")


# --- What the public sees while people queue ---------------------------------------------------


def test_public_ticket_types_show_the_queue(api_client, client_for, make_user, sold_out):
    detail = api_client.get(f"/api/v1/events/{sold_out.event.slug}/").json()["ticket_types"][0]
    assert (detail["status"], detail["waitlist_open"], detail["waiting_count"]) == ("sold_out", True, 0)
    for _ in range(2):
        join(client_for(make_user()), sold_out)

    detail = api_client.get(f"/api/v1/events/{sold_out.event.slug}/").json()["ticket_types"][0]

    assert (detail["status"], detail["waitlist_open"], detail["waiting_count"]) == ("sold_out", True, 2)
    assert detail["tickets_remaining"] == 0 and detail["is_available"] is False


def test_a_type_on_sale_has_no_open_waiting_list(api_client, make_ticket_type):
    ticket_type = make_ticket_type(quantity=5)

    detail = api_client.get(f"/api/v1/events/{ticket_type.event.slug}/").json()["ticket_types"][0]

    assert (detail["status"], detail["waitlist_open"], detail["waiting_count"]) == ("active", False, 0)


def test_seats_freed_while_people_queue_are_not_sold_to_the_public(make_ticket_type, make_user, join_queue, api_client):
    """A hold lapses and no job has run yet: the seat is the queue's, not a fast refresher's."""
    ticket_type = make_ticket_type(quantity=2, max_purchase=4)
    lapsing = hold(ticket_type, make_user(), 1)
    hold(ticket_type, make_user(), 1)
    join_queue(make_user(), ticket_type, 2)  # wants 2: the one freed seat does not fit

    with time_machine.travel(lapsing.reservation_expires_at + timedelta(seconds=1), tick=False):
        with pytest.raises(ReservationRefused) as refused:
            hold(ticket_type, make_user(), 1)
        detail = api_client.get(f"/api/v1/events/{ticket_type.event.slug}/").json()["ticket_types"][0]

    assert refused.value.error == "Not enough tickets available" and refused.value.extra["available_quantity"] == 0
    assert (detail["tickets_remaining"], detail["status"], detail["waiting_count"]) == (0, "sold_out", 1)


def test_once_the_queue_is_empty_freed_seats_are_public_again(make_ticket_type, make_user, join_queue, buyer):
    ticket_type = make_ticket_type(quantity=1)
    lapsing = hold(ticket_type, make_user())
    entry = join_queue(make_user(), ticket_type)
    WaitlistEntry.objects.filter(pk=entry.pk).update(status="cancelled")

    with time_machine.travel(lapsing.reservation_expires_at + timedelta(seconds=1), tick=False):
        assert hold(ticket_type, buyer).quantity == 1


# --- WL2 -------------------------------------------------------------------------------------


def test_my_entries_newest_first_and_filtered_by_status(buyer_client, buyer, make_ticket_type, make_user, assert_error):
    types = [make_ticket_type(quantity=1) for _ in range(3)]
    for index, ticket_type in enumerate(types):
        hold(ticket_type, make_user())
        with time_machine.travel(timezone.now() + timedelta(minutes=index), tick=False):
            join(buyer_client, ticket_type)
    WaitlistEntry.objects.filter(ticket_type=types[0]).update(status="cancelled")
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        assert join(buyer_client, types[0]).status_code == 201  # joining again after leaving is fine

    body = buyer_client.get("/api/v1/waitlist/").json()
    waiting = buyer_client.get("/api/v1/waitlist/", {"status": "cancelled"}).json()

    assert [item["ticket_type"]["id"] for item in body["results"]] == [
        types[0].pk,
        types[2].pk,
        types[1].pk,
        types[0].pk,
    ]
    assert (
        body["count"] == 4 and body["results"][-1]["status"] == "cancelled" and body["results"][-1]["position"] is None
    )
    assert [item["status"] for item in waiting["results"]] == ["cancelled"]
    assert_error(buyer_client.get("/api/v1/waitlist/", {"status": "maybe"}), 400, "Validation Error")


def test_nobody_sees_anyone_elses_entries(client_for, make_user, buyer_client, sold_out):
    join(client_for(make_user()), sold_out)

    assert buyer_client.get("/api/v1/waitlist/").json()["count"] == 0


def test_my_entries_cost_a_fixed_number_of_queries(
    buyer_client, make_ticket_type, make_user, django_assert_max_num_queries
):
    for _ in range(12):
        ticket_type = make_ticket_type(quantity=1)
        hold(ticket_type, make_user())
        join(buyer_client, ticket_type)

    with django_assert_max_num_queries(3):  # user, count, page
        body = buyer_client.get("/api/v1/waitlist/", {"page_size": 50}).json()

    assert len(body["results"]) == 12


# --- WL5 -------------------------------------------------------------------------------------


def test_the_organizer_sees_the_queue_in_order_with_a_summary(client_for, make_user, make_ticket_type, seller):
    ticket_type = make_ticket_type(quantity=1, max_purchase=3)
    hold(ticket_type, make_user())
    people = [make_user() for _ in range(3)]
    for index, person in enumerate(people):
        with time_machine.travel(timezone.now() + timedelta(seconds=index), tick=False):
            join(client_for(person), ticket_type, quantity=index + 1)
    WaitlistEntry.objects.filter(user=people[2]).update(status="expired")
    url = f"/api/v1/events/{ticket_type.event.slug}/waitlist/entries/"

    body = client_for(seller).get(url).json()
    expired = client_for(seller).get(url, {"status": "expired"}).json()

    assert [item["attendee"]["email"] for item in body["results"]] == [person.email for person in people]
    assert [item["position"] for item in body["results"]] == [1, 2, None]
    assert body["summary"] == {
        "waiting": 2,
        "offered": 0,
        "accepted": 0,
        "expired": 1,
        "cancelled": 0,
        "seats_waiting": 3,
    }
    assert expired["count"] == 1


def test_only_the_events_organizer_sees_its_queue(client_for, make_organizer, buyer_client, sold_out, assert_error):
    url = f"/api/v1/events/{sold_out.event.slug}/waitlist/entries/"

    assert_error(client_for(make_organizer()).get(url), 404, "Event not found")
    assert_error(buyer_client.get(url), 404, "Event not found")


def test_the_organizers_view_costs_a_fixed_number_of_queries(
    client_for, make_user, sold_out, seller, django_assert_max_num_queries
):
    for _ in range(15):
        join(client_for(make_user()), sold_out)

    with django_assert_max_num_queries(5):  # user, event, count, page, summary
        body = client_for(seller).get(f"/api/v1/events/{sold_out.event.slug}/waitlist/entries/").json()

    assert len(body["results"]) == 15 and body["summary"]["seats_waiting"] == 15


def test_an_offered_entry_shows_its_purchase(buyer_client, buyer, sold_out):
    join(buyer_client, sold_out)
    public_hold = Purchase.objects.get()

    with time_machine.travel(public_hold.reservation_expires_at + timedelta(seconds=1), tick=False):
        offers.offer_freed_seats(ticket_type_id=sold_out.pk)  # the job's run after the public hold lapsed
        item = buyer_client.get("/api/v1/waitlist/").json()["results"][0]

    purchase = Purchase.objects.get(waitlist_entry__isnull=False)
    assert (item["status"], item["position"], item["purchase_id"]) == ("offered", None, purchase.purchase_id)
    assert item["offered_at"].endswith("Z") and item["offer_expires_at"].endswith("Z")
