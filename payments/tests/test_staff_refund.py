"""Staff refund of a completed payment (CONTRACT.md §14.1 `completed -> refunded`, §11 refund reversals)."""

from decimal import Decimal

import pytest
from django.core import mail

from payments.exceptions import PaymentNotRefundable
from payments.models import Payment, SandboxCharge
from payments.services import refunds
from payouts.models import LedgerEntry
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def organizer_balance(organizer) -> Decimal:
    return sum(LedgerEntry.objects.filter(organizer=organizer).values_list("amount", flat=True), Decimal("0"))


def test_a_refund_voids_the_tickets_reverses_the_sale_and_returns_the_money(
    paid_purchase, organizer, admin_client, django_capture_on_commit_callbacks
):
    payment = Payment.objects.get(payment_id=paid_purchase["payment"]["payment_id"])
    assert organizer_balance(organizer) == Decimal("95.00")  # 100.00 sold - 5 % platform fee
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/payments/payment/", {"action": "refund", "_selected_action": [payment.pk]}, follow=True
        )

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == "refunded" and payment.reason_code == "refunded"
    assert payment.refund_requested_at is not None
    assert SandboxCharge.objects.get(reference=payment.reference).outcome == "reversed"
    assert set(Ticket.objects.filter(purchase=payment.purchase).values_list("status", flat=True)) == {"refunded"}
    assert organizer_balance(organizer) == Decimal("0.00")
    assert mail.outbox[0].to == [payment.purchase.attendee_email]
    assert "refunded" in mail.outbox[0].subject


def test_a_second_refund_is_refused_and_changes_nothing(paid_purchase, organizer):
    payment = Payment.objects.get(payment_id=paid_purchase["payment"]["payment_id"])
    refunds.refund_completed_payment(payment_pk=payment.pk, reason="Event moved.")
    entries = LedgerEntry.objects.count()

    with pytest.raises(PaymentNotRefundable):
        refunds.refund_completed_payment(payment_pk=payment.pk, reason="Again.")

    assert LedgerEntry.objects.count() == entries
    assert organizer_balance(organizer) == Decimal("0.00")


def test_a_pending_payment_cannot_be_refunded(buy):
    payment = Payment.objects.get(payment_id=buy()["payment"]["payment_id"])
    with pytest.raises(PaymentNotRefundable):
        refunds.refund_completed_payment(payment_pk=payment.pk, reason="No.")
    payment.refresh_from_db()
    assert payment.status == "pending"
