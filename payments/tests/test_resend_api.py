"""Y6 `POST payments/{payment_id}/resend-tickets/` (CONTRACT.md §6.9), 3 an hour per payment."""

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def resend_url(payment_id):
    return f"/api/v1/payments/{payment_id}/resend-tickets/"


def test_resending_queues_the_ticket_email_again(paid_purchase, buyer_client, django_capture_on_commit_callbacks):
    sent_before = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        response = buyer_client.post(resend_url(paid_purchase["payment"]["payment_id"]))

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "Tickets will be re-sent shortly.",
        "email": "esi@example.com",
        "tickets_count": 2,
    }
    assert len(mail.outbox) == sent_before + 1 and mail.outbox[-1].to == ["esi@example.com"]


def test_an_unpaid_payment_is_400(buy, buyer_client, assert_error):
    purchase = buy()
    body = assert_error(buyer_client.post(resend_url(purchase["payment"]["payment_id"])), 400, "Payment not completed")
    assert body["success"] is False
    assert not mail.outbox


def test_a_completed_payment_without_issued_tickets_is_404(make_payment, buyer, buyer_client, assert_error):
    payment = make_payment(buyer)
    payment.purchase.tickets.update(status="refunded")
    assert_error(buyer_client.post(resend_url(payment.payment_id)), 404, "No tickets found")


def test_someone_elses_payment_is_404(paid_purchase, make_user, client_for, assert_error):
    response = client_for(make_user()).post(resend_url(paid_purchase["payment"]["payment_id"]))
    assert_error(response, 404, "Payment not found")


def test_three_resends_an_hour_per_payment(make_payment, buyer, buyer_client, assert_error):
    payment, other = make_payment(buyer), make_payment(buyer)
    for _ in range(3):
        assert buyer_client.post(resend_url(payment.payment_id)).status_code == 200

    response = buyer_client.post(resend_url(payment.payment_id))

    body = assert_error(response, 429, "Too Many Requests")
    assert body["retry_after"] > 0 and response["Retry-After"]
    assert buyer_client.post(resend_url(other.payment_id)).status_code == 200
