"""L2 `POST /api/payments/verify/` (CONTRACT.md §13.2): every row of its table, and its refusals."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from payments.models import Payment
from payments.tests.stripe_fixtures import LEGACY_URL
from payouts.models import LedgerEntry
from tickets.models import Purchase, Ticket

pytestmark = pytest.mark.django_db

CREATE_URL = f"{LEGACY_URL}/create-payment-intent/"
VERIFY_URL = f"{LEGACY_URL}/verify/"
CANCEL_URL = f"{LEGACY_URL}/cancel/"


@pytest.fixture
def checkout(buyer_client, event, paid_type, django_capture_on_commit_callbacks):
    """L1 for `quantity` Regular tickets; returns its 201 body."""

    def create(quantity=2):
        with django_capture_on_commit_callbacks(execute=True):
            response = buyer_client.post(
                CREATE_URL, {"event_id": event.pk, "ticket_type_id": paid_type.pk, "quantity": quantity}, format="json"
            )
        assert response.status_code == 201, response.json()
        return response.json()

    return create


@pytest.fixture
def verify(buyer_client, django_capture_on_commit_callbacks):
    def post(body, client=None):
        with django_capture_on_commit_callbacks(execute=True):
            return (client or buyer_client).post(VERIFY_URL, body, format="json")

    return post


def assert_paid_answer(body, purchase):
    tickets = list(purchase.tickets.order_by("created_at", "id"))
    assert body["detail"] == "Payment successful"
    assert (body["ticket_id"], body["ticket_code"]) == (purchase.pk, str(purchase.group_code))
    assert (body["purchase_id"], body["quantity"]) == (purchase.purchase_id, purchase.quantity)
    assert body["qr_code"] == tickets[0].qr_code == f"data:image/png;base64,{body['qr_code_data']}"
    assert body["qr_payload"] == tickets[0].qr_payload
    assert [t["ticket_id"] for t in body["tickets"]] == [t.ticket_id for t in tickets]
    assert all(t["qr_code_data"] and t["qr_payload"] for t in body["tickets"])


# -- paid ------------------------------------------------------------------------------------------


def test_paid_on_the_sandbox_page_then_verified_again_and_again(checkout, verify, legacy_sandbox, pay_in_sandbox):
    started = checkout()
    payment = Payment.objects.get()
    redirect = pay_in_sandbox(payment.reference)
    assert redirect["Location"].startswith(
        f"http://localhost:5173/payment/success?session_id={started['session_id']}&ticket_id={started['ticket_id']}"
    )

    first = verify({"session_id": started["session_id"], "ticket_id": started["ticket_id"]})
    again = verify({"session_id": started["session_id"], "ticket_id": started["ticket_id"]})

    assert first.status_code == again.status_code == 200, first.json()
    assert first.json() == again.json()
    purchase = Purchase.objects.get()
    assert_paid_answer(first.json(), purchase)
    assert purchase.status == "completed"
    assert Ticket.objects.filter(status="active").count() == 2
    assert LedgerEntry.objects.filter(purchase=purchase).count() == 2
    assert len(mail.outbox) == 1


def test_verify_settles_a_paid_session_with_stripe_itself(checkout, verify, fake_stripe, buyer_client):
    started = checkout()
    fake_stripe.pay(started["session_id"])  # no webhook has arrived

    response = verify({"session_id": started["session_id"]})

    assert response.status_code == 200, response.json()
    purchase = Purchase.objects.get()
    assert_paid_answer(response.json(), purchase)
    payment = purchase.payment
    assert (payment.status, payment.payment_method) == ("completed", "card")
    assert payment.card_details == {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}
    assert payment.provider_transaction_id == fake_stripe.only_session["payment_intent"]
    assert len(mail.outbox) == 1
    # afterwards it reads like any other payment (GHS, its tickets, its card)
    detail = buyer_client.get(f"/api/v1/payments/{payment.payment_id}/").json()
    assert (detail["amount"], detail["currency"], detail["provider"], detail["status"]) == (
        105.0,
        "GHS",
        "stripe",
        "completed",
    )
    assert detail["card_details"]["last4"] == "4242" and len(detail["tickets"]) == 2


def test_the_ticket_id_may_be_the_purchase_id(checkout, verify, fake_stripe):
    started = checkout()
    fake_stripe.pay(started["session_id"])

    assert verify({"session_id": started["session_id"], "ticket_id": started["purchase_id"]}).status_code == 200
    assert verify({"session_id": started["session_id"], "ticket_id": str(started["ticket_id"])}).status_code == 200


# -- not paid --------------------------------------------------------------------------------------


def test_not_paid_yet(checkout, verify, fake_stripe, assert_error):
    started = checkout()

    assert_error(verify({"session_id": started["session_id"]}), 400, "Payment not completed", status="pending")
    assert Payment.objects.get().status == "pending"


def test_stripe_out_of_reach_reads_as_not_paid_yet(checkout, verify, fake_stripe, assert_error):
    started = checkout()
    fake_stripe.pay(started["session_id"])
    fake_stripe.down = True

    assert_error(verify({"session_id": started["session_id"]}), 400, "Payment not completed", status="pending")


def test_reservation_expired_with_nothing_paid(checkout, verify, fake_stripe, paid_type, assert_error):
    started = checkout()

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = verify({"session_id": started["session_id"]})

    assert_error(response, 400, "Reservation expired", status="expired")
    assert paid_type.tickets.filter(status="reserved").count() == 0


def test_cancelled_with_nothing_paid(checkout, verify, fake_stripe, buyer_client, assert_error):
    started = checkout()
    assert buyer_client.post(CANCEL_URL, {"ticket_id": started["ticket_id"]}, format="json").status_code == 200

    assert_error(verify({"session_id": started["session_id"]}), 400, "Purchase cancelled", status="cancelled")


def test_a_delayed_payment_that_failed(checkout, verify, fake_stripe, assert_error):
    started = checkout()
    fake_stripe.start_delayed_payment(started["session_id"])
    fake_stripe.fail_delayed_payment(started["session_id"])

    assert_error(verify({"session_id": started["session_id"]}), 400, "Payment failed", status="failed")
    assert Purchase.objects.get().status == "failed"


@pytest.mark.parametrize(
    ("button", "message"),
    [
        ("abandoned", "The payment was cancelled on the checkout page; the tickets were released."),
        ("failed", "The payment did not go through."),
    ],
    ids=["cancel", "fail"],
)
def test_cancel_or_fail_on_the_sandbox_page(
    checkout, verify, legacy_sandbox, pay_in_sandbox, assert_error, button, message
):
    started = checkout()
    pay_in_sandbox(Payment.objects.get().reference, button)

    body = assert_error(verify({"session_id": started["session_id"]}), 400, "Payment failed", status="failed")

    assert body["message"] == message
    assert Purchase.objects.get().status == "failed"
    assert set(Ticket.objects.values_list("status", flat=True)) == {"expired"}


@pytest.mark.parametrize(("amount", "currency"), [(100, None), (None, "eur")], ids=["amount", "currency"])
def test_a_payment_that_does_not_match_the_order_issues_nothing_and_is_refunded(
    checkout, verify, fake_stripe, assert_error, amount, currency
):
    started = checkout()
    fake_stripe.pay(started["session_id"], amount=amount, currency=currency)

    body = assert_error(verify({"session_id": started["session_id"]}), 400, "Payment failed", status="failed")

    assert "refunded" in body["message"]
    payment = Payment.objects.get()
    assert (payment.status, payment.reason_code) == ("failed", "amount_mismatch")
    assert Ticket.objects.filter(status="active").count() == 0
    assert len(fake_stripe.refunds) == 1 and payment.refund_requested_at is not None


# -- paid after the reservation ended --------------------------------------------------------------


def test_paid_after_expiry_with_stock_left_is_issued(checkout, verify, fake_stripe):
    started = checkout()
    later = timezone.now() + timedelta(minutes=11)
    with time_machine.travel(later):
        verify({"session_id": started["session_id"]})  # expired: nothing was paid yet
        fake_stripe.pay(started["session_id"])  # the session lives 30 minutes

        response = verify({"session_id": started["session_id"]})

    assert response.status_code == 200, response.json()
    assert Purchase.objects.get().status == "completed"


def test_paid_after_expiry_and_sold_out_is_refunded(checkout, verify, fake_stripe, paid_type, make_user, client_for):
    paid_type.quantity = 2
    paid_type.save()
    started = checkout()
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        verify({"session_id": started["session_id"]})
        other = client_for(make_user())
        assert (
            other.post(
                CREATE_URL,
                {"event_id": paid_type.event_id, "quantity": 2, "ticket_type_id": paid_type.pk},
                format="json",
            ).status_code
            == 201
        )
        fake_stripe.pay(started["session_id"])

        response = verify({"session_id": started["session_id"]})

    assert response.status_code == 409
    assert (response.json()["error"], response.json()["status"]) == ("Payment refunded", "refunded")
    payment = Payment.objects.get(checkout_session_id=started["session_id"])
    assert (payment.status, payment.reason_code) == ("refunded", "refunded_sold_out")
    assert fake_stripe.refunds[0]["payment_intent"] == payment.provider_transaction_id


# -- refusals --------------------------------------------------------------------------------------


def test_session_id_is_required(verify, assert_error):
    body = assert_error(verify({"ticket_id": 31}), 400, "Validation Error")

    assert "session_id" in body["details"]


def test_an_unknown_session_is_not_found(verify, fake_stripe, assert_error):
    assert_error(verify({"session_id": "cs_test_a1nobodyknowsthis"}), 404, "Payment not found")
    assert fake_stripe.requests == []


def test_another_buyers_session_is_forbidden(checkout, verify, fake_stripe, make_user, client_for, assert_error):
    started = checkout()
    fake_stripe.pay(started["session_id"])

    response = verify({"session_id": started["session_id"]}, client=client_for(make_user()))

    assert_error(response, 403, "Permission Denied")
    assert Payment.objects.get().status == "pending"  # nothing settled on a stranger's call


def test_the_session_decides_which_purchase_never_the_ticket_id(checkout, verify, fake_stripe, assert_error):
    first, second = checkout(), checkout()
    fake_stripe.pay(first["session_id"])

    response = verify({"session_id": first["session_id"], "ticket_id": second["ticket_id"]})

    assert_error(response, 400, "Session does not match ticket")
    assert Purchase.objects.get(pk=second["ticket_id"]).status == "pending"


@pytest.mark.parametrize("ticket_id", ["abc", 0, -3, True, "PUR-XYZ", 10**30, ["1"]])
def test_a_malformed_ticket_id_is_a_validation_error(verify, ticket_id, assert_error):
    body = assert_error(verify({"session_id": "cs_test_a1", "ticket_id": ticket_id}), 400, "Validation Error")

    assert "ticket_id" in body["details"]


def test_only_a_logged_in_buyer_may_verify(api_client, assert_error):
    assert_error(api_client.post(VERIFY_URL, {"session_id": "cs_test_a1"}, format="json"), 401, "Authentication Failed")


def test_verifying_a_large_paid_order_costs_a_fixed_number_of_queries(
    checkout, verify, fake_stripe, paid_type, django_assert_max_num_queries
):
    paid_type.max_purchase = 10
    paid_type.save()
    started = checkout(quantity=10)
    fake_stripe.pay(started["session_id"])
    verify({"session_id": started["session_id"]})

    with django_assert_max_num_queries(3):
        response = verify({"session_id": started["session_id"]})

    assert len(response.json()["tickets"]) == 10
