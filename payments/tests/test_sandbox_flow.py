"""End to end through the sandbox: reserve, pay on the checkout page, tickets issued once."""

from decimal import Decimal

import pytest
from django.core import mail

from payments.models import Payment, WebhookEvent
from payments.services.checkout import start_checkout
from payouts.models import LedgerEntry
from tickets.models import Ticket
from tickets.services.reservations import Attendee

pytestmark = pytest.mark.django_db


def test_paying_on_the_sandbox_page_issues_the_tickets_once(
    user, ticket_type, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        checkout = start_checkout(
            buyer=user,
            event=ticket_type.event,
            ticket_type_id=ticket_type.pk,
            quantity=2,
            attendee=Attendee(name="Ama", email="ama@example.com"),
        )
    payment = checkout.payment
    assert payment.authorization_url.endswith(f"/api/v1/payments/sandbox/{payment.reference}/")
    assert payment.amount == Decimal("105.00")

    page = client.get(f"/api/v1/payments/sandbox/{payment.reference}/")
    assert page.status_code == 200
    assert b"SANDBOX" in page.content and b"GHS 105.00" in page.content

    for _ in range(2):  # a second click changes nothing
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/api/v1/payments/sandbox/{payment.reference}/", {"outcome": "success"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/payment-results?trxref={payment.reference}&reference={payment.reference}")

    payment.refresh_from_db()
    assert payment.status == "completed"
    assert payment.payment_method == "card"
    assert list(Ticket.objects.values_list("status", flat=True)) == ["active", "active"]
    assert WebhookEvent.objects.count() == 1
    assert sorted(LedgerEntry.objects.values_list("amount", flat=True)) == [Decimal("-5.00"), Decimal("100.00")]
    assert [message.to for message in mail.outbox] == [["ama@example.com"]]
    assert Payment.objects.get().purchase.status == "completed"
