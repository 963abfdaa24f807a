"""The completion service (CONTRACT.md §6.8): idempotent, checks what the provider says, ledger once."""

import logging
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from payments import providers
from payments.models import Payment
from payments.services import completion, jobs
from payments.tests.fixtures import buy
from payouts.models import LedgerEntry
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkout(buyer, ticket_type, fake_paystack):
    """Two GHS 50.00 tickets reserved and a Paystack transaction opened (GHS 105.00)."""
    return buy(buyer, ticket_type, 2)


def paid(fake, payment, **overrides):
    """Paystack's verdict on the payment after the buyer paid (optionally with different figures)."""
    fake.pay(payment.reference, **overrides)
    return providers.get().verify(payment.reference)


def test_a_success_issues_the_tickets_and_completes_the_payment(
    checkout, fake_paystack, django_capture_on_commit_callbacks
):
    payment = checkout.payment
    result = paid(fake_paystack, payment, channel="mobile_money")

    with django_capture_on_commit_callbacks(execute=True):
        payment = completion.complete_payment(reference=payment.reference, result=result)

    payment.refresh_from_db()
    assert payment.status == "completed"
    assert payment.payment_method == "mobile_money"
    assert payment.completed_at is not None
    purchase = payment.purchase
    assert purchase.status == "completed"
    tickets = list(purchase.tickets.all())
    assert [t.status for t in tickets] == ["active", "active"]
    assert all(t.issued_at for t in tickets)
    assert [m.to for m in mail.outbox] == [[purchase.attendee_email]]


def test_completing_twice_issues_once(checkout, fake_paystack, django_capture_on_commit_callbacks):
    payment = checkout.payment
    result = paid(fake_paystack, payment)
    ticket_ids = set(checkout.purchase.tickets.values_list("ticket_id", flat=True))

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            completion.complete_payment(reference=payment.reference, result=result)
        completion.refresh_payment(Payment.objects.get(pk=payment.pk))  # a read-through after the fact

    assert set(Ticket.objects.filter(status="active").values_list("ticket_id", flat=True)) == ticket_ids
    assert LedgerEntry.objects.count() == 2
    assert len(mail.outbox) == 1
    assert len(fake_paystack.calls("GET", "/transaction/verify/")) == 1  # final payments are not re-asked


def test_a_result_that_is_not_a_success_issues_nothing(checkout, fake_paystack):
    payment = checkout.payment
    result = providers.get().verify(payment.reference)  # abandoned: the buyer has not paid
    assert result.status == "abandoned"

    payment = completion.complete_payment(reference=payment.reference, result=result)

    assert payment.status == "pending"
    assert not Ticket.objects.filter(status="active").exists()


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ({"amount_minor": 100}, "amount"),  # paid GHS 1.00 for GHS 105.00 of tickets
        ({"amount_minor": 10501}, "amount"),
        ({"currency": "NGN"}, "currency"),
        ({"reference": "CAFA-000000000000000000000000"}, "reference"),
    ],
)
def test_a_provider_answer_that_does_not_match_issues_nothing_and_refunds(
    checkout, fake_paystack, django_capture_on_commit_callbacks, caplog, override, problem
):
    payment = checkout.payment
    result = replace(paid(fake_paystack, payment), **override)

    with (
        caplog.at_level(logging.ERROR, logger="payments.services.completion"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        completion.complete_payment(reference=payment.reference, result=result)

    payment.refresh_from_db()
    assert payment.status == "failed"
    assert payment.reason_code == "amount_mismatch"
    assert problem in payment.failure_reason
    assert payment.purchase.status == "failed"
    assert set(payment.purchase.tickets.values_list("status", flat=True)) == {"expired"}
    assert not LedgerEntry.objects.exists()
    assert fake_paystack.refunds == [{"transaction": payment.reference}]  # the whole charge, whatever was paid
    assert any(
        record.levelno == logging.ERROR and payment.payment_id in record.getMessage() for record in caplog.records
    )
    assert mail.outbox == []


def test_a_mismatched_amount_through_the_read_through_is_rejected(checkout, fake_paystack):
    payment = checkout.payment
    fake_paystack.pay(payment.reference, amount=5250)  # half the price

    payment = completion.refresh_payment(payment)

    assert payment.status == "failed"
    assert payment.reason_code == "amount_mismatch"
    assert not Ticket.objects.filter(status="active").exists()


def test_the_ledger_credits_the_subtotal_and_debits_the_platform_fee_once(
    seller, buyer, make_ticket_type, fake_paystack
):
    ticket_type = make_ticket_type(price="33.33")
    payment = buy(buyer, ticket_type, 3).payment
    result = paid(fake_paystack, payment)

    completion.complete_payment(reference=payment.reference, result=result)
    completion.complete_payment(reference=payment.reference, result=result)

    entries = {entry.kind: entry for entry in LedgerEntry.objects.all()}
    assert set(entries) == {"sale", "platform_fee"}
    assert entries["sale"].amount == Decimal("99.99")  # the subtotal, not the buyer's total
    assert entries["platform_fee"].amount == Decimal("-5.00")  # 4.9995 half up
    event = ticket_type.event
    for entry in entries.values():
        assert entry.organizer == seller
        assert entry.purchase_id == payment.purchase_id
        assert entry.event_id == event.pk
        assert entry.available_at == event.ends_at + timedelta(days=7)


def test_the_payout_hold_follows_the_setting(checkout, fake_paystack, settings):
    settings.PAYOUT_HOLD_DAYS = 3
    payment = checkout.payment

    completion.complete_payment(reference=payment.reference, result=paid(fake_paystack, payment))

    event = checkout.purchase.event
    assert {e.available_at for e in LedgerEntry.objects.all()} == {event.ends_at + timedelta(days=3)}


def test_free_tickets_complete_at_once_with_an_email(buyer, make_ticket_type, django_capture_on_commit_callbacks):
    ticket_type = make_ticket_type(price="0")

    with django_capture_on_commit_callbacks(execute=True):
        checkout = buy(buyer, ticket_type, 2)

    payment, purchase = checkout.payment, checkout.purchase
    assert purchase.status == "completed"
    assert (payment.status, payment.provider, payment.payment_method) == ("completed", "free", "free")
    assert payment.amount == Decimal("0")
    assert payment.reference in payment.authorization_url and "trxref=" in payment.authorization_url
    assert list(purchase.tickets.values_list("status", flat=True)) == ["active", "active"]
    assert not LedgerEntry.objects.exists()
    assert [m.to for m in mail.outbox] == [[purchase.attendee_email]]
    assert ticket_type.event.title in mail.outbox[0].subject


def test_a_refund_whose_task_was_lost_is_sent_by_reconciliation(checkout, fake_paystack, monkeypatch):
    payment = checkout.payment
    monkeypatch.setattr(completion, "_queue_refund", lambda payment_pk: None)  # the broker lost it
    completion.complete_payment(
        reference=payment.reference, result=replace(paid(fake_paystack, payment), amount_minor=100)
    )
    assert fake_paystack.refunds == []

    jobs.retry_unsent_refunds()
    jobs.retry_unsent_refunds()  # a second run sends nothing more

    payment.refresh_from_db()
    assert fake_paystack.refunds == [{"transaction": payment.reference}]
    assert payment.refund_requested_at is not None
