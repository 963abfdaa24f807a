"""Y4 `GET payments/{payment_id}/status/`: the owner's read-through poll (CONTRACT.md §6.6)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.providers.sandbox import SandboxProvider
from payments.views.history import PaymentStatusView

pytestmark = pytest.mark.django_db

COMMON = {
    "payment_id",
    "purchase_id",
    "status",
    "amount",
    "discount",
    "promo_code",
    "currency",
    "payment_method",
    "provider",
    "reference",
    "created_at",
    "completed_at",
    "expires_at",
}


def status_url(payment_id):
    return f"/api/v1/payments/{payment_id}/status/"


def test_a_pending_payment_reports_its_deadline(buy, buyer_client):
    purchase = buy()
    response = buyer_client.get(status_url(purchase["payment"]["payment_id"]))

    body = response.json()
    assert response.status_code == 200
    assert set(body) == COMMON | {"message"}
    assert body["status"] == "pending" and body["message"] == "Payment is still being processed."
    assert body["expires_at"] == purchase["reservation"]["expires_at"]
    assert body["completed_at"] is None and body["created_at"].endswith("Z")
    assert (body["amount"], body["currency"], body["provider"]) == (105, "GHS", "sandbox")


def test_a_payment_made_without_webhook_is_completed_by_the_poll(buy, buyer_client, django_capture_on_commit_callbacks):
    purchase = buy()
    SandboxProvider().record_outcome(purchase["payment"]["reference"], "success")  # paid; no webhook yet

    with django_capture_on_commit_callbacks(execute=True):
        body = buyer_client.get(status_url(purchase["payment"]["payment_id"])).json()

    assert set(body) == COMMON | {"event", "tickets", "receipt"}
    assert body["status"] == "completed" and body["completed_at"].endswith("Z") and body["expires_at"] is None
    assert set(body["event"]) == {"id", "title", "slug", "start_date", "start_time", "venue_name"}
    assert body["receipt"] == {"subtotal": 100, "discount": 0, "service_fee": 5, "total": 105, "payment_method": "card"}
    assert len(body["tickets"]) == 2
    ticket = body["tickets"][0]
    assert set(ticket) == {
        "ticket_id",
        "ticket_type",
        "attendee_name",
        "attendee_email",
        "status",
        "qr_code",
        "download_url",
    }
    assert ticket["status"] == "active" and ticket["ticket_type"] == "Regular"
    assert ticket["download_url"] == f"http://testserver/api/v1/tickets/{ticket['ticket_id']}/download/"


def test_a_declined_payment_reports_why(buy, buyer_client):
    purchase = buy()
    SandboxProvider().record_outcome(purchase["payment"]["reference"], "failed")

    body = buyer_client.get(status_url(purchase["payment"]["payment_id"])).json()

    assert set(body) == COMMON | {"failed_at", "failure_reason", "message"}
    assert body["status"] == "failed" and body["failed_at"].endswith("Z")
    assert body["failure_reason"] == "Declined"
    assert body["message"] == "The payment was declined."


def test_an_abandoned_payment_expires_once_the_reservation_lapses(buy, buyer_client, time_machine):
    purchase = buy()
    time_machine.move_to(timezone.now() + timedelta(minutes=11))
    body = buyer_client.get(status_url(purchase["payment"]["payment_id"])).json()
    assert body["status"] == "expired"
    assert body["message"] == "The reservation expired before the payment was made."


def test_someone_elses_payment_is_404(buy, make_user, client_for, assert_error):
    purchase = buy()
    response = client_for(make_user()).get(status_url(purchase["payment"]["payment_id"]))
    assert_error(response, 404, "Payment not found")


def test_an_unknown_payment_is_404(buyer_client, assert_error):
    assert_error(buyer_client.get(status_url("PAY-0000000000")), 404, "Payment not found")


def test_anonymous_callers_are_401(client, assert_error):
    assert_error(client.get(status_url("PAY-0000000000")), 401, "Authentication Failed")


def test_polling_is_throttled_per_address(buy, buyer_client, monkeypatch, assert_error):
    monkeypatch.setattr(PaymentStatusView.throttle_classes[0], "THROTTLE_RATES", {"payment_poll": "2/min"})
    url = status_url(buy()["payment"]["payment_id"])
    for _ in range(2):
        assert buyer_client.get(url).status_code == 200
    assert_error(buyer_client.get(url), 429, "Too Many Requests")
