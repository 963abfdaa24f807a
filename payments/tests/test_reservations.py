"""Reservation rules of CONTRACT.md §6.2, in order, with their exact headlines; refusals store nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from events.exceptions import TicketTypeNotFound
from payments.exceptions import InvalidCallbackUrl
from payments.models import Payment
from payments.services.checkout import start_checkout
from payments.tests.fixtures import attendee_for, buy, refusal_body
from tickets.exceptions import ReservationRefused
from tickets.models import Purchase, Ticket
from tickets.services.reservations import Attendee

pytestmark = pytest.mark.django_db


def refused(user, ticket_type, quantity=1) -> dict:
    """Try to buy; assert the refusal stored nothing and return the rendered error body."""
    before = (Purchase.objects.count(), Ticket.objects.count(), Payment.objects.count())
    with pytest.raises(ReservationRefused) as caught:
        buy(user, ticket_type, quantity)
    assert (Purchase.objects.count(), Ticket.objects.count(), Payment.objects.count()) == before
    return refusal_body(caught.value)


def test_a_reservation_holds_the_stock_in_reserved_tickets_and_a_pending_payment(buyer, ticket_type):
    checkout = buy(buyer, ticket_type, 3)

    purchase = checkout.purchase
    assert purchase.status == "pending"
    assert purchase.reservation_expires_at - purchase.reserved_at == timedelta(minutes=10)
    tickets = list(purchase.tickets.all())
    assert [t.status for t in tickets] == ["reserved"] * 3
    assert all(t.ticket_id.startswith("TKT-") and len(t.ticket_id) == 36 for t in tickets)
    assert {t.reserved_until for t in tickets} == {purchase.reservation_expires_at}
    assert checkout.payment.status == "pending"
    assert checkout.payment.reference.startswith("CAFA-")


def test_sales_close_when_the_event_is_no_longer_upcoming(buyer, make_ticket_type):
    started = make_ticket_type(days=0, event_fields={"start_time": (timezone.localtime() - timedelta(hours=1)).time()})

    body = refused(buyer, started, 1)

    assert body["_status"] == 400
    assert body["error"] == "Ticket sales closed"


@pytest.mark.parametrize("window", ["not_yet_open", "closed"])
def test_a_ticket_type_outside_its_sale_window_is_not_on_sale(buyer, make_ticket_type, window):
    now = timezone.now()
    bounds = (
        {"available_from": now + timedelta(days=1), "available_until": now + timedelta(days=3)}
        if window == "not_yet_open"
        else {"available_from": now - timedelta(days=3), "available_until": now - timedelta(days=1)}
    )
    ticket_type = make_ticket_type(**bounds)

    body = refused(buyer, ticket_type)

    assert body["error"] == "Ticket type not on sale"
    assert body["available_from"].startswith(bounds["available_from"].date().isoformat())
    assert body["available_until"].startswith(bounds["available_until"].date().isoformat())


def test_below_the_minimum_purchase(buyer, make_ticket_type):
    ticket_type = make_ticket_type(min_purchase=2, max_purchase=6)

    body = refused(buyer, ticket_type, 1)

    assert body["error"] == "Below minimum purchase"
    assert body["min_quantity"] == 2
    assert body["details"]["quantity"]


def test_above_the_maximum_purchase(buyer, make_ticket_type):
    ticket_type = make_ticket_type(quantity=50, max_purchase=4)

    body = refused(buyer, ticket_type, 5)

    assert body["error"] == "Above maximum purchase"
    assert body["max_quantity"] == 4
    assert body["details"]["quantity"]


def test_not_enough_stock_names_what_is_left(buyer, make_user, make_ticket_type):
    ticket_type = make_ticket_type(quantity=3)
    buy(make_user(), ticket_type, 2)

    body = refused(buyer, ticket_type, 2)

    assert body["error"] == "Not enough tickets available"
    assert body["available_quantity"] == 1
    assert buy(buyer, ticket_type, 1).purchase.quantity == 1


def test_a_sold_out_type_offers_zero(buyer, make_user, make_ticket_type):
    ticket_type = make_ticket_type(quantity=2)
    buy(make_user(), ticket_type, 2)

    body = refused(buyer, ticket_type, 1)

    assert body["error"] == "Not enough tickets available"
    assert body["available_quantity"] == 0


def test_a_buyer_may_hold_only_a_few_unpaid_purchases(buyer, ticket_type, settings):
    settings.MAX_OPEN_PURCHASES_PER_USER = 5
    for _ in range(5):
        buy(buyer, ticket_type, 1)

    body = refused(buyer, ticket_type, 1)

    assert body["error"] == "Too many pending purchases"


def test_lapsed_unpaid_purchases_do_not_count_against_the_limit(buyer, ticket_type, settings):
    settings.MAX_OPEN_PURCHASES_PER_USER = 2
    buy(buyer, ticket_type, 1)
    buy(buyer, ticket_type, 1)

    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        assert buy(buyer, ticket_type, 1).purchase.status == "pending"


def test_a_ticket_type_of_another_event_is_not_found(buyer, make_ticket_type):
    ours, theirs = make_ticket_type(), make_ticket_type()

    with pytest.raises(TicketTypeNotFound) as caught:
        start_checkout(
            buyer=buyer, event=ours.event, ticket_type_id=theirs.pk, quantity=1, attendee=attendee_for(buyer)
        )

    assert refusal_body(caught.value)["_status"] == 404
    assert refusal_body(caught.value)["error"] == "Ticket type not found"
    assert Purchase.objects.count() == 0


@pytest.mark.parametrize(
    ("setup", "quantity", "headline"),
    [
        # closed event with a too-small quantity and no stock: the event rule wins
        ({"days": -1, "min_purchase": 2, "quantity": 2, "max_purchase": 2}, 1, "Ticket sales closed"),
        # closed window and a quantity over the maximum: the window wins
        ({"window_closed": True, "max_purchase": 2}, 3, "Ticket type not on sale"),
        # too few and more than the stock: the minimum wins
        ({"quantity": 3, "min_purchase": 2, "max_purchase": 3, "sold": 3}, 1, "Below minimum purchase"),
        # too many and more than the stock: the maximum wins
        ({"quantity": 3, "max_purchase": 2, "sold": 3}, 3, "Above maximum purchase"),
        # no stock and too many open purchases: stock wins
        ({"quantity": 5, "sold": 5, "open_limit": 0}, 1, "Not enough tickets available"),
    ],
)
def test_the_first_failing_rule_is_the_one_reported(
    buyer, make_user, make_ticket_type, settings, setup, quantity, headline
):
    setup = dict(setup)
    sold = setup.pop("sold", 0)
    open_limit = setup.pop("open_limit", None)
    if setup.pop("window_closed", False):
        setup["available_until"] = timezone.now() - timedelta(hours=1)
    ticket_type = make_ticket_type(**setup)
    while sold:  # other buyers take the stock, each within the purchase limits
        chunk = min(sold, ticket_type.max_purchase)
        buy(make_user(), ticket_type, max(chunk, ticket_type.min_purchase))
        sold -= chunk
    if open_limit is not None:
        settings.MAX_OPEN_PURCHASES_PER_USER = open_limit

    assert refused(buyer, ticket_type, quantity)["error"] == headline


def tickets_remaining(api_client, ticket_type) -> int:
    response = api_client.get(f"/api/v1/events/{ticket_type.event.slug}/")
    assert response.status_code == 200
    (row,) = [item for item in response.json()["ticket_types"] if item["id"] == ticket_type.pk]
    return row["tickets_remaining"]


def test_lapsed_reservations_free_the_stock_with_no_job_run(buyer, make_user, make_ticket_type, api_client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0  # the page as the stock rules see it (cached pages may lag by this bound)
    ticket_type = make_ticket_type(quantity=4, max_purchase=4)
    first = buy(make_user(), ticket_type, 4).purchase
    assert tickets_remaining(api_client, ticket_type) == 0
    refused(buyer, ticket_type, 1)

    with time_machine.travel(first.reservation_expires_at - timedelta(seconds=1), tick=False):
        assert tickets_remaining(api_client, ticket_type) == 0
        refused(buyer, ticket_type, 1)

    with time_machine.travel(first.reservation_expires_at + timedelta(seconds=1), tick=False):
        assert tickets_remaining(api_client, ticket_type) == 4
        second = buy(buyer, ticket_type, 4).purchase
        assert tickets_remaining(api_client, ticket_type) == 0

    first.refresh_from_db()
    assert first.status == "pending"  # nobody tidied it: availability never waited for a job
    assert second.tickets.filter(status="reserved").count() == 4


def test_a_bad_callback_is_reported_after_the_stock_rules_and_stores_nothing(buyer, ticket_type):
    ticket_type.max_purchase = ticket_type.quantity + 1
    ticket_type.save(update_fields=["max_purchase"])
    with pytest.raises(ReservationRefused) as refused:
        start_checkout(
            buyer=buyer,
            event=ticket_type.event,
            ticket_type_id=ticket_type.pk,
            quantity=ticket_type.quantity + 1,
            attendee=attendee_for(buyer),
            callback_url="https://evil.example/steal",
        )
    assert refused.value.error == "Not enough tickets available"
    with pytest.raises(InvalidCallbackUrl):
        start_checkout(
            buyer=buyer,
            event=ticket_type.event,
            ticket_type_id=ticket_type.pk,
            quantity=1,
            attendee=attendee_for(buyer),
            callback_url="https://evil.example/steal",
        )
    assert not Purchase.objects.exists()


def test_what_the_attendee_leaves_out_comes_from_the_buyers_account(buyer, ticket_type):
    buyer.phone_number = "+233241112223"
    buyer.save()

    started = start_checkout(
        buyer=buyer,
        event_id=ticket_type.event_id,
        ticket_type_id=ticket_type.pk,
        quantity=1,
        attendee=Attendee(name="  ", email="guest@example.com"),
    )

    purchase = started.purchase
    assert (purchase.attendee_name, purchase.attendee_email, purchase.attendee_phone) == (
        "Kwame Boateng",
        "guest@example.com",
        "+233241112223",
    )
