"""PC5 `events/{event}/promo-codes/validate/` (CONTRACT.md §16): would this code apply to this order?

Reserves nothing, is throttled per user, and never tells an unknown code from an inactive one or from
another event's.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tickets.models import Purchase
from tickets.services.reservations import Attendee, issue_tickets, reserve_tickets

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(make_event):
    return make_event(
        ticket_types=[
            {"name": "Regular", "price": "50.00", "quantity": 100},
            {"name": "VIP", "price": "200.00", "quantity": 10},
        ]
    )


@pytest.fixture
def regular(event):
    return event.ticket_types.get(name="Regular")


@pytest.fixture
def buyer_client(client_for, buyer):
    return client_for(buyer)


@pytest.fixture
def check(buyer_client, event, regular):
    def post(code, *, ticket_type=None, quantity=2, client=None, on=None):
        body = {"code": code, "ticket_type_id": (ticket_type or regular).pk, "quantity": quantity}
        return (client or buyer_client).post(f"/api/v1/events/{(on or event).slug}/promo-codes/validate/", body)

    return post


def use(promo, ticket_type, buyer):
    with transaction.atomic():
        purchase = reserve_tickets(
            buyer=buyer,
            event=ticket_type.event,
            ticket_type_id=ticket_type.pk,
            quantity=1,
            attendee=Attendee(name="Esi", email=buyer.email),
            promo_code=promo.code,
        )
        issue_tickets(purchase=purchase)


def test_a_valid_code_answers_with_the_discounted_pricing(check, event, make_promo):
    make_promo(event, "EARLY", percent=10)

    response = check("early ", quantity=2)

    assert response.status_code == 200
    assert response.json() == {
        "valid": True,
        "code": "EARLY",
        "discount_type": "percentage",
        "discount_value": 10,
        "pricing": {
            "ticket_price": 50,
            "quantity": 2,
            "subtotal": 100,
            "discount": 10,
            "service_fee": 4.5,
            "service_fee_percentage": 5,
            "total": 94.5,
            "currency": "GHS",
        },
    }
    assert not Purchase.objects.exists()  # validation reserves nothing


def test_a_fixed_code_is_off_each_ticket(check, event, make_promo):
    make_promo(event, "FIVER", fixed="5.00")

    pricing = check("FIVER", quantity=3).json()["pricing"]

    figures = (pricing["subtotal"], pricing["discount"], pricing["service_fee"], pricing["total"])
    assert figures == (150, 15, 6.75, 141.75)


def test_unknown_inactive_and_other_events_codes_read_the_same(check, event, make_event, make_promo, assert_error):
    make_promo(event, "SLEEPY", is_active=False)
    make_promo(make_event(), "ELSEWHERE")

    bodies = [assert_error(check(code), 400, "Invalid promo code") for code in ("NOPE", "SLEEPY", "ELSEWHERE")]

    assert all(body["valid"] is False for body in bodies)
    assert len({(body["message"], tuple(sorted(body))) for body in bodies}) == 1  # nothing tells them apart


@pytest.mark.parametrize(
    ("fields", "headline"),
    [
        ({"valid_from": timezone.now() + timedelta(hours=1)}, "Promo code not yet valid"),
        ({"valid_until": timezone.now() - timedelta(minutes=1)}, "Promo code expired"),
    ],
)
def test_a_code_outside_its_window_is_refused(check, event, make_promo, assert_error, fields, headline):
    make_promo(event, "WINDOW", **fields)

    assert assert_error(check("WINDOW"), 400, headline)["valid"] is False


def test_a_code_for_other_ticket_types_is_refused(check, event, regular, make_promo, assert_error):
    make_promo(event, "VIPONLY", ticket_types=[event.ticket_types.get(name="VIP")])

    assert_error(check("VIPONLY", ticket_type=regular), 400, "Promo code not valid for this ticket type")
    assert check("VIPONLY", ticket_type=event.ticket_types.get(name="VIP")).status_code == 200


def test_a_used_up_code_is_refused(check, event, regular, make_promo, make_user, assert_error):
    promo = make_promo(event, "TWICE", max_uses=2)
    use(promo, regular, make_user())
    use(promo, regular, make_user())

    assert_error(check("TWICE"), 400, "Promo code used up")


def test_a_code_the_buyer_already_used_is_refused(
    check, event, regular, make_promo, buyer, make_user, client_for, assert_error
):
    promo = make_promo(event, "ONCE", max_uses_per_user=1)
    use(promo, regular, buyer)

    assert_error(check("ONCE"), 400, "Promo code already used")
    assert check("ONCE", client=client_for(make_user())).status_code == 200  # the limit is per buyer


def test_unknown_event_and_ticket_type_are_not_found(check, make_event, make_promo, assert_error, buyer_client):
    other_type = make_event().ticket_types.first()
    body = {"code": "X", "ticket_type_id": 1}
    missing = buyer_client.post("/api/v1/events/no-such-event/promo-codes/validate/", body)

    assert_error(missing, 404, "Event not found")
    assert_error(check("EARLY", ticket_type=other_type), 404, "Ticket type not found")


def test_a_malformed_body_is_a_validation_error(buyer_client, event, assert_error):
    response = buyer_client.post(f"/api/v1/events/{event.slug}/promo-codes/validate/", {"quantity": 0})

    body = assert_error(response, 400, "Validation Error")
    assert {"code", "ticket_type_id", "quantity"} <= set(body["details"])


def test_anonymous_callers_are_refused(api_client, event, regular, assert_error):
    body = {"code": "EARLY", "ticket_type_id": regular.pk}

    response = api_client.post(f"/api/v1/events/{event.slug}/promo-codes/validate/", body)

    assert_error(response, 401, "Authentication Failed")


def test_guessing_codes_is_throttled_per_user(check, event, make_promo, assert_error):
    for attempt in range(10):
        assert check(f"GUESS{attempt}").status_code == 400

    throttled = assert_error(check("GUESS10"), 429, "Too Many Requests")

    assert throttled["retry_after"] >= 1
