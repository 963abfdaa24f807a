"""Y2 `POST payments/initiate/`: the web/mobile purchase shape (CONTRACT.md §6.2, §6.4)."""

import pytest
from rest_framework.test import APIClient

from payments.models import Payment
from payments.providers import ProviderError
from payments.providers.sandbox import SandboxProvider
from tickets.models import Purchase, Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/initiate/"


@pytest.fixture
def initiate(buyer_client, event, paid_type, django_capture_on_commit_callbacks):
    def run(expect=201, **overrides):
        body = {"event_slug": event.slug, "ticket_type_id": paid_type.pk}
        body.update(overrides)
        with django_capture_on_commit_callbacks(execute=True):
            response = buyer_client.post(URL, body, format="json")
        assert response.status_code == expect, response.json()
        return response.json()

    return run


def test_a_paid_purchase_answers_the_web_shape(initiate, settings):
    body = initiate(quantity=2)

    payment = Payment.objects.get()
    assert body == {
        "success": True,
        "message": body["message"],
        "purchase_id": payment.purchase.purchase_id,
        "payment_id": payment.payment_id,
        "payment_reference": payment.reference,
        "authorization_url": payment.authorization_url,
        "access_code": None,
        "amount": 105,
        "discount": 0,
        "promo_code": None,
        "currency": "GHS",
        "status": "pending",
        "expires_at": body["expires_at"],
        "effective_callback_url": f"{settings.FRONTEND_URL}/payment-results",
        "mobile_redirect_url_template": None,
        "ticket_count": 2,
    }
    assert body["expires_at"].endswith("Z")
    assert body["authorization_url"].endswith(f"/payments/sandbox/{payment.reference}/")


def test_quantity_defaults_to_one(initiate):
    assert initiate()["ticket_count"] == 1
    assert Ticket.objects.count() == 1


def test_flat_buyer_fields_win_over_attendee_info(initiate):
    initiate(
        buyer_name="Yaw Asante",
        buyer_phone="0241112222",
        attendee_info={"name": "Ignored", "email": "esi@example.com", "phone": "0209999999"},
    )
    purchase = Purchase.objects.get()
    assert (purchase.attendee_name, purchase.attendee_email, purchase.attendee_phone) == (
        "Yaw Asante",
        "esi@example.com",
        "+233241112222",
    )


def test_the_account_fills_what_is_missing(initiate):
    initiate()
    purchase = Purchase.objects.get()
    assert (purchase.attendee_name, purchase.attendee_email, purchase.attendee_phone) == (
        "Kwame Boateng",
        "kwame@example.com",
        "+233241234567",
    )


def test_a_deep_link_goes_through_the_mobile_callback(initiate):
    body = initiate(callback_url="cafatickets://payment-result")
    payment = Payment.objects.get()
    assert payment.deep_link == "cafatickets://payment-result"
    assert body["effective_callback_url"].endswith("/api/v1/payments/mobile-callback/")
    assert body["mobile_redirect_url_template"] == (
        "cafatickets://payment-result?status={status}&reference={reference}"
    )


def test_a_free_ticket_is_completed_in_the_same_request(initiate, free_type, settings):
    body = initiate(ticket_type_id=free_type.pk)
    reference = body["payment_reference"]
    assert body["status"] == "completed" and body["amount"] == 0 and body["expires_at"] is None
    assert body["authorization_url"] == (
        f"{settings.FRONTEND_URL}/payment-results?trxref={reference}&reference={reference}"
    )
    assert list(Ticket.objects.values_list("status", flat=True)) == ["active"]


def test_refusals_carry_success_false(initiate, assert_error, buyer_client):
    body = initiate(expect=404, event_slug="nope")
    assert body["success"] is False and body["error"] == "Event not found"
    response = buyer_client.post(URL, {"event_slug": "x"}, format="json")
    body = assert_error(response, 400, "Validation Error")
    assert body["success"] is False and "ticket_type_id" in body


def test_a_provider_failure_is_502_and_releases_the_reservation(initiate, monkeypatch):
    def refuse(self, **kwargs):
        raise ProviderError("Paystack is down")

    monkeypatch.setattr(SandboxProvider, "initialize", refuse)
    body = initiate(expect=502, quantity=2)

    assert body["error"] == "Payment initialization failed" and body["success"] is False
    assert Purchase.objects.get().status == "failed"
    assert Payment.objects.get().status == "failed"
    assert set(Ticket.objects.values_list("status", flat=True)) == {"expired"}


def test_anonymous_callers_are_401(event, paid_type):
    response = APIClient().post(URL, {"event_slug": event.slug, "ticket_type_id": paid_type.pk}, format="json")
    assert response.status_code == 401
