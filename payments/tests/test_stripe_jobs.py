"""Stripe payments in the background jobs and refunds of §6/§15, beside Paystack's (CONTRACT.md §13, §15)."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from payments.models import Payment, WebhookEvent
from payments.services import jobs, refunds, webhooks
from payments.tests.fixtures import buy, signed_event
from payments.tests.stripe_fixtures import LEGACY_URL, stripe_signature
from payouts.models import LedgerEntry
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

CREATE_URL = f"{LEGACY_URL}/create-payment-intent/"


@pytest.fixture
def stripe_checkout(buyer_client, event, paid_type, fake_stripe, django_capture_on_commit_callbacks):
    """An L1 checkout for 2 Regular tickets; returns its payment."""
    with django_capture_on_commit_callbacks(execute=True):
        response = buyer_client.post(
            CREATE_URL, {"event_id": event.pk, "ticket_type_id": paid_type.pk, "quantity": 2}, format="json"
        )
    assert response.status_code == 201, response.json()
    return Payment.objects.get(checkout_session_id=response.json()["session_id"])


def run(job, capture):
    with capture(execute=True):
        return job()


def test_reconciliation_settles_a_quiet_paid_session(stripe_checkout, fake_stripe, django_capture_on_commit_callbacks):
    fake_stripe.pay(stripe_checkout.checkout_session_id)  # paid, and the webhook never came

    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        checked = run(jobs.reconcile_pending_payments, django_capture_on_commit_callbacks)

    assert checked == 1
    assert fake_stripe.calls("GET", f"/v1/checkout/sessions/{stripe_checkout.checkout_session_id}")
    stripe_checkout.refresh_from_db()
    assert stripe_checkout.status == "completed"
    assert Ticket.objects.filter(status="active").count() == 2
    assert len(mail.outbox) == 1


def test_reconciliation_leaves_an_open_session_pending(
    stripe_checkout, fake_stripe, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        run(jobs.reconcile_pending_payments, django_capture_on_commit_callbacks)

    stripe_checkout.refresh_from_db()
    assert stripe_checkout.status == "pending"


def test_the_expiry_sweep_expires_the_stripe_session_too(
    stripe_checkout, fake_stripe, paid_type, django_capture_on_commit_callbacks
):
    session_id = stripe_checkout.checkout_session_id

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        expired = run(jobs.expire_lapsed_reservations, django_capture_on_commit_callbacks)

    assert expired == 1
    stripe_checkout.refresh_from_db()
    assert (stripe_checkout.status, stripe_checkout.reason_code) == ("expired", "reservation_expired")
    assert fake_stripe.calls("POST", f"/v1/checkout/sessions/{session_id}/expire")
    assert fake_stripe.sessions[session_id]["status"] == "expired"
    assert paid_type.tickets.filter(status="reserved").count() == 0


def test_the_expiry_sweep_completes_a_session_paid_at_the_last_moment(
    stripe_checkout, fake_stripe, django_capture_on_commit_callbacks
):
    fake_stripe.pay(stripe_checkout.checkout_session_id)

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        expired = run(jobs.expire_lapsed_reservations, django_capture_on_commit_callbacks)

    assert expired == 0
    stripe_checkout.refresh_from_db()
    assert stripe_checkout.status == "completed"
    assert not fake_stripe.calls("POST", f"/v1/checkout/sessions/{stripe_checkout.checkout_session_id}/expire")


def test_a_staff_refund_of_a_stripe_payment_goes_back_through_stripe(
    stripe_checkout, fake_stripe, django_capture_on_commit_callbacks
):
    fake_stripe.pay(stripe_checkout.checkout_session_id)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        run(jobs.reconcile_pending_payments, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_completed_payment(payment_pk=stripe_checkout.pk, reason="Event moved.")

    stripe_checkout.refresh_from_db()
    assert (stripe_checkout.status, stripe_checkout.reason_code) == ("refunded", "refunded")
    assert stripe_checkout.refund_requested_at is not None
    assert [r["payment_intent"] for r in fake_stripe.refunds] == [stripe_checkout.provider_transaction_id]
    assert set(Ticket.objects.values_list("status", flat=True)) == {"refunded"}


def test_a_refund_whose_first_answer_was_lost_is_not_sent_twice(
    stripe_checkout, fake_stripe, django_capture_on_commit_callbacks
):
    fake_stripe.pay(stripe_checkout.checkout_session_id)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        run(jobs.reconcile_pending_payments, django_capture_on_commit_callbacks)
    fake_stripe.refund_in_dashboard(stripe_checkout.checkout_session_id)  # as if our first request went through
    Payment.objects.filter(pk=stripe_checkout.pk).update(status="refunded", reason_code="refunded")

    refunds.send_refund(payment_pk=stripe_checkout.pk)  # Stripe refuses the repeat; the charge reads refunded

    stripe_checkout.refresh_from_db()
    assert stripe_checkout.refund_requested_at is not None
    assert fake_stripe.refunds == []


def test_paystack_and_stripe_payments_are_each_settled_by_their_own_provider(
    stripe_checkout, fake_stripe, fake_paystack, buyer, paid_type, django_capture_on_commit_callbacks
):
    paystack_checkout = buy(buyer, paid_type, 1)
    assert paystack_checkout.payment.provider == "paystack"
    fake_paystack.pay(paystack_checkout.payment.reference)
    fake_stripe.pay(stripe_checkout.checkout_session_id)

    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        checked = run(jobs.reconcile_pending_payments, django_capture_on_commit_callbacks)

    assert checked == 2
    assert set(Payment.objects.values_list("provider", "status")) == {
        ("paystack", "completed"),
        ("stripe", "completed"),
    }
    assert fake_paystack.calls("GET", f"/transaction/verify/{paystack_checkout.payment.reference}")
    assert not fake_paystack.calls("GET", f"/transaction/verify/{stripe_checkout.reference}")
    assert len(fake_stripe.calls("GET", "/v1/checkout/sessions/")) == 1


def test_one_run_reads_each_stored_event_with_the_provider_that_stored_it(
    stripe_checkout, fake_stripe, fake_paystack, buyer, paid_type, monkeypatch, django_capture_on_commit_callbacks
):
    """A Stripe and a Paystack webhook stored while the queue was down are both settled by the same job run."""
    monkeypatch.setattr(webhooks, "_queue_processing", lambda event_pk: None)  # nothing processes them now
    paystack_checkout = buy(buyer, paid_type, 1)
    reference = paystack_checkout.payment.reference
    fake_paystack.pay(reference)
    fake_stripe.pay(stripe_checkout.checkout_session_id)
    stripe_event = fake_stripe.session_event("checkout.session.completed", stripe_checkout.checkout_session_id)
    stripe_body = json.dumps(stripe_event).encode()
    webhooks.receive_webhook(
        body=stripe_body, headers={"Stripe-Signature": stripe_signature(stripe_body)}, provider_name="stripe"
    )
    body, headers = signed_event("charge.success", fake_paystack.charge_success_data(reference))
    webhooks.receive_webhook(body=body, headers=headers)

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        run(jobs.retry_failed_webhooks, django_capture_on_commit_callbacks)

    assert set(WebhookEvent.objects.values_list("provider", "event_type", "last_error")) == {
        ("stripe", "charge.success", ""),
        ("paystack", "charge.success", ""),
    }
    assert not WebhookEvent.objects.filter(processed_at__isnull=True).exists()
    assert set(Payment.objects.values_list("provider", "status")) == {
        ("paystack", "completed"),
        ("stripe", "completed"),
    }
    assert fake_stripe.calls("GET", "/v1/checkout/sessions/") == []  # settled by the events alone
    assert fake_paystack.calls("GET", "/transaction/verify/") == []


def ledger_of(payment) -> list[tuple[str, str]]:
    entries = LedgerEntry.objects.filter(purchase_id=payment.purchase_id).order_by("id")
    return [(entry.kind, str(entry.amount)) for entry in entries]


def test_a_stripe_refund_reverses_the_sale_on_the_ledger_exactly_like_a_paystack_refund(
    stripe_checkout, fake_stripe, fake_paystack, buyer, paid_type, django_capture_on_commit_callbacks
):
    paystack_payment = buy(buyer, paid_type, 2).payment
    fake_paystack.pay(paystack_payment.reference)
    fake_stripe.pay(stripe_checkout.checkout_session_id)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        run(jobs.reconcile_pending_payments, django_capture_on_commit_callbacks)
    assert ledger_of(stripe_checkout) == ledger_of(paystack_payment) == [("sale", "100.00"), ("platform_fee", "-5.00")]

    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_completed_payment(payment_pk=paystack_payment.pk, reason="Event moved.")
    charge = fake_stripe.refund_in_dashboard(stripe_checkout.checkout_session_id)
    body = json.dumps(fake_stripe.charge_event("charge.refunded", charge)).encode()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.receive_webhook(
            body=body, headers={"Stripe-Signature": stripe_signature(body)}, provider_name="stripe"
        )

    reversed_sale = [
        ("sale", "100.00"),
        ("platform_fee", "-5.00"),
        ("sale_reversal", "-100.00"),
        ("platform_fee_reversal", "5.00"),
    ]
    assert ledger_of(stripe_checkout) == ledger_of(paystack_payment) == reversed_sale
    assert set(Payment.objects.values_list("provider", "status")) == {("paystack", "refunded"), ("stripe", "refunded")}
    assert fake_stripe.refunds == [] and len(fake_paystack.refunds) == 1  # Stripe had already paid it back
