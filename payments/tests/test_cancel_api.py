"""Y5 `POST tickets/purchase/{purchase_id}/cancel/` (CONTRACT.md §6.7)."""

import pytest

from events.selectors import ticket_types_with_stock
from payments.models import Payment
from payments.providers.sandbox import SandboxProvider
from tickets.models import Purchase, Ticket

pytestmark = pytest.mark.django_db


def cancel_url(purchase_id):
    return f"/api/v1/tickets/purchase/{purchase_id}/cancel/"


def remaining(ticket_type):
    return ticket_types_with_stock().get(pk=ticket_type.pk).tickets_remaining


def test_cancelling_releases_the_stock_at_once(buy, buyer_client, paid_type):
    purchase = buy()
    assert remaining(paid_type) == 98

    response = buyer_client.post(cancel_url(purchase["purchase_id"]))

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "Purchase cancelled",
        "purchase_id": purchase["purchase_id"],
        "status": "cancelled",
        "tickets_released": 2,
    }
    assert remaining(paid_type) == 100
    assert Purchase.objects.get().status == "cancelled" and Payment.objects.get().status == "cancelled"
    assert set(Ticket.objects.values_list("status", flat=True)) == {"cancelled"}


def test_cancelling_again_releases_nothing(buy, buyer_client):
    purchase = buy()
    buyer_client.post(cancel_url(purchase["purchase_id"]))
    response = buyer_client.post(cancel_url(purchase["purchase_id"]))
    assert response.status_code == 200
    assert response.json()["tickets_released"] == 0 and response.json()["status"] == "cancelled"


def test_a_payment_that_went_through_is_completed_instead(
    buy, buyer_client, assert_error, django_capture_on_commit_callbacks
):
    purchase = buy()
    SandboxProvider().record_outcome(purchase["payment"]["reference"], "success")

    with django_capture_on_commit_callbacks(execute=True):
        response = buyer_client.post(cancel_url(purchase["purchase_id"]))

    body = assert_error(response, 409, "Payment already completed", purchase_id=purchase["purchase_id"])
    assert body["success"] is False
    assert Purchase.objects.get().status == "completed"
    assert set(Ticket.objects.values_list("status", flat=True)) == {"active"}


def test_a_completed_purchase_cannot_be_cancelled(paid_purchase, buyer_client, assert_error):
    response = buyer_client.post(cancel_url(paid_purchase["purchase_id"]))
    assert_error(response, 400, "Cannot cancel purchase", status="completed")
    assert Purchase.objects.get().status == "completed"


def test_someone_elses_purchase_is_404(buy, make_user, client_for, assert_error):
    purchase = buy()
    response = client_for(make_user()).post(cancel_url(purchase["purchase_id"]))
    assert_error(response, 404, "Purchase not found")
    assert Purchase.objects.get().status == "pending"


def test_an_unknown_purchase_is_404(buyer_client, assert_error):
    assert_error(buyer_client.post(cancel_url("PUR-0000000000")), 404, "Purchase not found")
