"""A purchase paid through Paystack, stubbed at the HTTP transport (CONTRACT.md §6.1, §6.2, §6.5, §6.12)."""

import json
from decimal import Decimal

import httpx
import pytest
from django.core import mail

from payments.exceptions import PaymentInitializationFailed
from payments.models import Payment
from payments.services import completion
from payments.tests.fixtures import PAYSTACK_TEST_SECRET, buy, refusal_body
from payouts.models import LedgerEntry
from tickets.models import Purchase, Ticket

pytestmark = pytest.mark.django_db


def remaining(api_client, ticket_type) -> int:
    body = api_client.get(f"/api/v1/events/{ticket_type.event.slug}/").json()
    return next(item["tickets_remaining"] for item in body["ticket_types"] if item["id"] == ticket_type.pk)


def test_initialize_sends_the_total_in_pesewas_with_callback_and_metadata(buyer, ticket_type, fake_paystack, settings):
    checkout = buy(buyer, ticket_type, 2)

    (request,) = fake_paystack.calls("POST", "/transaction/initialize")
    assert request.headers["Authorization"] == f"Bearer {PAYSTACK_TEST_SECRET}"
    sent = json.loads(request.content)
    payment, purchase = checkout.payment, checkout.purchase
    assert sent == {
        "reference": payment.reference,
        "amount": 10500,  # GHS 105.00
        "currency": "GHS",
        "email": buyer.email,
        "callback_url": f"{settings.FRONTEND_URL}/payment-results",
        "metadata": {"purchase_id": purchase.purchase_id, "payment_id": payment.payment_id},
    }
    payment.refresh_from_db()
    assert payment.provider == "paystack"
    assert payment.authorization_url.startswith("https://checkout.paystack.com/")
    assert payment.access_code and payment.authorization_url.endswith(payment.access_code)
    assert Purchase.objects.get(pk=purchase.pk).status == "pending"


def test_a_deep_link_callback_sends_paystack_to_the_mobile_callback(buyer, ticket_type, fake_paystack, settings):
    checkout = buy(buyer, ticket_type, 1, callback_url="cafatickets://payment-result")

    sent = json.loads(fake_paystack.calls("POST", "/transaction/initialize")[0].content)
    assert sent["callback_url"] == f"{settings.PUBLIC_API_URL}/api/v1/payments/mobile-callback/"
    assert checkout.payment.deep_link == "cafatickets://payment-result"


def test_a_verify_read_through_completes_the_purchase(
    buyer, ticket_type, fake_paystack, django_capture_on_commit_callbacks
):
    checkout = buy(buyer, ticket_type, 2)
    fake_paystack.pay(checkout.payment.reference)

    with django_capture_on_commit_callbacks(execute=True):
        payment = completion.refresh_payment(Payment.objects.get(pk=checkout.payment.pk))

    assert payment.status == "completed"
    assert payment.payment_method == "card"
    assert payment.card_details == {"brand": "visa", "last4": "4081", "exp_month": "12", "exp_year": "2030"}
    assert payment.purchase.status == "completed"
    assert Ticket.objects.filter(status="active").count() == 2
    assert sorted(LedgerEntry.objects.values_list("amount", flat=True)) == [Decimal("-5.00"), Decimal("100.00")]
    assert [m.to for m in mail.outbox] == [[buyer.email]]
    (verify,) = fake_paystack.calls("GET", "/transaction/verify/")
    assert verify.url.path == f"/transaction/verify/{payment.reference}"


def test_the_mobile_callback_reads_through_and_redirects_to_the_app(
    buyer, ticket_type, fake_paystack, api_client, django_capture_on_commit_callbacks
):
    checkout = buy(buyer, ticket_type, 1, callback_url="cafatickets://payment-result")
    reference = checkout.payment.reference
    fake_paystack.pay(reference)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.get(f"/api/v1/payments/mobile-callback/?trxref={reference}&reference={reference}")

    assert response.status_code == 302
    assert response["Location"] == f"cafatickets://payment-result?status=success&reference={reference}"
    assert Payment.objects.get(pk=checkout.payment.pk).status == "completed"


def test_a_declined_charge_read_through_fails_the_purchase_and_frees_the_stock(
    buyer, ticket_type, fake_paystack, api_client
):
    checkout = buy(buyer, ticket_type, 2)
    fake_paystack.decline(checkout.payment.reference)

    payment = completion.refresh_payment(checkout.payment)

    assert (payment.status, payment.reason_code) == ("failed", "declined")
    assert payment.purchase.status == "failed"
    assert remaining(api_client, ticket_type) == ticket_type.quantity


def test_a_verify_outage_leaves_the_payment_pending(buyer, ticket_type, fake_paystack):
    checkout = buy(buyer, ticket_type, 2)
    fake_paystack.down = True

    payment = completion.refresh_payment(checkout.payment)

    assert payment.status == "pending"
    assert Purchase.objects.get(pk=checkout.purchase.pk).status == "pending"


@pytest.mark.parametrize("failure", ["connection", "refused"])
def test_a_provider_outage_on_initialize_releases_the_reservation(
    buyer, make_ticket_type, fake_paystack, api_client, failure
):
    ticket_type = make_ticket_type(quantity=3, max_purchase=3)
    if failure == "connection":
        fake_paystack.down = True
    else:  # Paystack answers, but says no (documented shape of a refused request)
        fake_paystack.refusal = httpx.Response(401, json={"status": False, "message": "Invalid key"})

    with pytest.raises(PaymentInitializationFailed) as caught:
        buy(buyer, ticket_type, 3)

    body = refusal_body(caught.value)
    assert (body["_status"], body["error"]) == (502, "Payment initialization failed")
    payment = Payment.objects.select_related("purchase").get()
    assert (payment.status, payment.reason_code) == ("failed", "initialization_failed")
    assert payment.purchase.status == "failed"
    assert set(payment.purchase.tickets.values_list("status", flat=True)) == {"expired"}
    assert remaining(api_client, ticket_type) == 3

    fake_paystack.down, fake_paystack.refusal = False, None
    assert buy(buyer, ticket_type, 3).purchase.status == "pending"  # the stock is really back
