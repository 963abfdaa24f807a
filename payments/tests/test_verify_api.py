"""Y3 `GET payments/verify/{reference}/`: public read-through by provider reference (CONTRACT.md §6.5)."""

import pytest
from rest_framework.test import APIClient

from payments.providers.sandbox import SandboxProvider

pytestmark = pytest.mark.django_db


def verify_url(reference):
    return f"/api/v1/payments/verify/{reference}/"


def test_a_completed_payment_verifies_for_anyone_with_names_only(paid_purchase):
    reference = paid_purchase["payment"]["reference"]
    response = APIClient().get(verify_url(reference))

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {
        "success",
        "status",
        "message",
        "purchase_id",
        "payment_id",
        "payment_reference",
        "amount",
        "currency",
        "ticket_count",
        "tickets",
    }
    assert body["success"] is True and body["status"] == "completed"
    assert body["message"] == "Payment verified successfully"
    assert (body["amount"], body["currency"], body["ticket_count"]) == (105, "GHS", 2)
    assert body["payment_reference"] == reference and body["purchase_id"] == paid_purchase["purchase_id"]
    ticket = body["tickets"][0]
    assert set(ticket) == {"ticket_id", "attendee_name", "attendee_info", "ticket_type", "qr_code", "status"}
    assert ticket["attendee_info"] == {"name": "Esi Owusu"}
    assert (ticket["ticket_type"], ticket["status"]) == ("Regular", "active")


def test_the_owner_also_sees_email_and_phone(paid_purchase, buyer):
    from rest_framework_simplejwt.tokens import AccessToken

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(buyer)}")
    body = client.get(verify_url(paid_purchase["payment"]["reference"])).json()
    assert body["tickets"][0]["attendee_info"] == {
        "name": "Esi Owusu",
        "email": "esi@example.com",
        "phone": "+233201234567",
    }


def test_another_users_token_sees_names_only(paid_purchase, make_user):
    from rest_framework_simplejwt.tokens import AccessToken

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(make_user())}")
    body = client.get(verify_url(paid_purchase["payment"]["reference"])).json()
    assert body["tickets"][0]["attendee_info"] == {"name": "Esi Owusu"}


def test_a_bad_token_is_treated_as_anonymous(paid_purchase):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = client.get(verify_url(paid_purchase["payment"]["reference"]))
    assert response.status_code == 200 and response.json()["success"] is True


def test_a_pending_payment(buy):
    purchase = buy()
    body = APIClient().get(verify_url(purchase["payment"]["reference"])).json()
    assert body == {
        "success": False,
        "status": "pending",
        "message": "Payment is still being processed.",
        "purchase_id": purchase["purchase_id"],
        "payment_reference": purchase["payment"]["reference"],
        "amount": 105,
        "currency": "GHS",
        "expires_at": purchase["reservation"]["expires_at"],
    }


def test_a_success_the_webhook_has_not_announced_is_completed_by_verify(buy, django_capture_on_commit_callbacks):
    purchase = buy()
    SandboxProvider().record_outcome(purchase["payment"]["reference"], "success")
    with django_capture_on_commit_callbacks(execute=True):
        body = APIClient().get(verify_url(purchase["payment"]["reference"])).json()
    assert body["success"] is True and body["ticket_count"] == 2


def test_a_declined_payment_has_a_reason_code(buy):
    purchase = buy()
    SandboxProvider().record_outcome(purchase["payment"]["reference"], "failed")
    body = APIClient().get(verify_url(purchase["payment"]["reference"])).json()
    assert body == {
        "success": False,
        "status": "failed",
        "message": "The payment was declined.",
        "reason_code": "declined",
        "purchase_id": purchase["purchase_id"],
        "payment_reference": purchase["payment"]["reference"],
        "amount": 105,
        "currency": "GHS",
    }


def test_a_cancelled_purchase_says_so(buy, buyer_client):
    purchase = buy()
    buyer_client.post(f"/api/v1/tickets/purchase/{purchase['purchase_id']}/cancel/")
    body = APIClient().get(verify_url(purchase["payment"]["reference"])).json()
    assert (body["status"], body["reason_code"], body["success"]) == ("cancelled", "cancelled_by_buyer", False)


@pytest.mark.parametrize("reference", ["CAFA-000000000000000000000000", "nothing"])
def test_an_unknown_reference_is_404(reference, assert_error):
    body = assert_error(APIClient().get(verify_url(reference)), 404, "Payment not found")
    assert body["success"] is False


def test_the_payment_id_is_not_a_reference(paid_purchase, assert_error):
    assert_error(APIClient().get(verify_url(paid_purchase["payment"]["payment_id"])), 404, "Payment not found")
