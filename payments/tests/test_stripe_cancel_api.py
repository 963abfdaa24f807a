"""L3 `POST /api/payments/cancel/` (CONTRACT.md §13.3): Stripe asked first, its session expired, stock released."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from payments.models import Payment
from payments.tests.stripe_fixtures import LEGACY_URL
from tickets.models import Purchase

pytestmark = pytest.mark.django_db

CREATE_URL = f"{LEGACY_URL}/create-payment-intent/"
CANCEL_URL = f"{LEGACY_URL}/cancel/"


@pytest.fixture
def checkout(buyer_client, event, paid_type, django_capture_on_commit_callbacks):
    def create(ticket_type=None, quantity=2):
        body = {"event_id": event.pk, "ticket_type_id": (ticket_type or paid_type).pk, "quantity": quantity}
        with django_capture_on_commit_callbacks(execute=True):
            response = buyer_client.post(CREATE_URL, body, format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    return create


@pytest.fixture
def cancel(buyer_client, django_capture_on_commit_callbacks):
    def post(body, client=None):
        with django_capture_on_commit_callbacks(execute=True):
            return (client or buyer_client).post(CANCEL_URL, body, format="json")

    return post


def test_cancelling_expires_the_stripe_session_and_releases_the_tickets(checkout, cancel, fake_stripe, paid_type):
    started = checkout()

    response = cancel({"ticket_id": started["ticket_id"]})

    assert (response.status_code, response.json()) == (200, {"detail": "Payment cancelled"})
    session = fake_stripe.only_session
    assert fake_stripe.calls("GET", f"/v1/checkout/sessions/{session['id']}")  # asked first
    assert fake_stripe.calls("POST", f"/v1/checkout/sessions/{session['id']}/expire")
    assert session["status"] == "expired"
    purchase = Purchase.objects.get()
    assert (purchase.status, purchase.payment.status, purchase.payment.reason_code) == (
        "cancelled",
        "cancelled",
        "cancelled_by_buyer",
    )
    assert set(purchase.tickets.values_list("status", flat=True)) == {"cancelled"}
    assert paid_type.tickets.filter(status="reserved").count() == 0


def test_cancelling_again_answers_the_same(checkout, cancel, fake_stripe):
    started = checkout()
    cancel({"ticket_id": started["ticket_id"]})

    response = cancel({"ticket_id": started["ticket_id"]})

    assert (response.status_code, response.json()) == (200, {"detail": "Payment cancelled"})
    assert [r.method for r in fake_stripe.requests] == ["POST", "GET", "POST"]  # the repeat asks Stripe nothing


def test_the_purchase_id_works_as_ticket_id(checkout, cancel, fake_stripe):
    started = checkout()

    assert cancel({"ticket_id": started["purchase_id"].lower()}).status_code == 200
    assert Purchase.objects.get().status == "cancelled"


def test_a_session_paid_meanwhile_is_completed_instead(checkout, cancel, fake_stripe, assert_error):
    started = checkout()
    fake_stripe.pay(started["session_id"])

    assert_error(cancel({"ticket_id": started["ticket_id"]}), 400, "Ticket already processed", status="completed")
    purchase = Purchase.objects.get()
    assert purchase.status == "completed"
    assert set(purchase.tickets.values_list("status", flat=True)) == {"active"}
    assert not fake_stripe.calls("POST", f"/v1/checkout/sessions/{started['session_id']}/expire")


def test_stripe_out_of_reach_still_cancels(checkout, cancel, fake_stripe):
    started = checkout()
    fake_stripe.down = True

    assert cancel({"ticket_id": started["ticket_id"]}).status_code == 200
    assert Purchase.objects.get().status == "cancelled"  # Stripe's own 30-minute expiry is the backstop


def test_a_completed_purchase_is_already_processed(checkout, cancel, legacy_sandbox, pay_in_sandbox, assert_error):
    started = checkout()
    pay_in_sandbox(Payment.objects.get().reference)

    assert_error(cancel({"ticket_id": started["ticket_id"]}), 400, "Ticket already processed", status="completed")


def test_a_free_purchase_is_already_processed(checkout, cancel, free_type, assert_error):
    started = checkout(ticket_type=free_type, quantity=1)

    assert_error(cancel({"ticket_id": started["ticket_id"]}), 400, "Ticket already processed", status="completed")


def test_an_expired_reservation_is_already_processed(checkout, cancel, fake_stripe, assert_error):
    started = checkout()

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = cancel({"ticket_id": started["ticket_id"]})

    assert_error(response, 400, "Ticket already processed", status="expired")


def test_ticket_id_is_required(cancel, assert_error):
    body = assert_error(cancel({}), 400, "Validation Error")

    assert body["ticket_id"]


def test_an_unknown_ticket_is_not_found(cancel, assert_error):
    assert_error(cancel({"ticket_id": 987654}), 404, "Ticket not found")
    assert_error(cancel({"ticket_id": "PUR-0000000000"}), 404, "Ticket not found")


def test_another_buyers_ticket_is_forbidden(checkout, cancel, fake_stripe, make_user, client_for, assert_error):
    started = checkout()

    assert_error(cancel({"ticket_id": started["ticket_id"]}, client=client_for(make_user())), 403, "Permission Denied")
    assert Purchase.objects.get().status == "pending"
    assert fake_stripe.calls("POST", f"/v1/checkout/sessions/{started['session_id']}/expire") == []


def test_only_a_logged_in_buyer_may_cancel(api_client, assert_error):
    assert_error(api_client.post(CANCEL_URL, {"ticket_id": 1}, format="json"), 401, "Authentication Failed")
