"""A refund is sent once and known to be sent, even when the provider's first answer is lost."""

import pytest
from django.core import mail

from payments.models import Payment, PaymentStatus, ReasonCode, SandboxCharge
from payments.providers import ProviderError
from payments.providers.sandbox import SandboxProvider
from payments.services import refunds
from payments.tests.fixtures import buy

pytestmark = pytest.mark.django_db


@pytest.fixture
def owed_refund(buyer, make_ticket_type):
    payment = buy(buyer, make_ticket_type()).payment
    Payment.objects.filter(pk=payment.pk).update(
        status=PaymentStatus.REFUNDED, reason_code=ReasonCode.REFUNDED_SOLD_OUT
    )
    return payment


def test_a_refund_whose_answer_was_lost_is_recognised_on_the_next_try(owed_refund, monkeypatch):
    calls = []

    def refund(self, *, reference, amount_minor=None):
        calls.append(reference)
        if len(calls) == 1:  # processed by the provider, but the answer never arrived
            SandboxCharge.objects.filter(reference=reference).update(outcome="reversed")
            raise ProviderError("ReadTimeout: could not reach the provider")
        raise ProviderError("Transaction has been fully reversed", status_code=400)

    monkeypatch.setattr(SandboxProvider, "refund", refund)
    with pytest.raises(ProviderError):
        refunds.send_refund(payment_pk=owed_refund.pk)

    refunds.send_refund(payment_pk=owed_refund.pk)  # the task's retry

    owed_refund.refresh_from_db()
    assert owed_refund.refund_requested_at is not None
    assert not refunds.unsent_refunds().exists()
    assert len(mail.outbox) == 1 and "refunded" in mail.outbox[0].subject
    refunds.send_refund(payment_pk=owed_refund.pk)
    assert len(calls) == 2  # nothing more is sent


def test_a_refund_refused_for_another_reason_is_retried(owed_refund, monkeypatch):
    def refund(self, *, reference, amount_minor=None):
        raise ProviderError("Refund window closed", status_code=400)

    monkeypatch.setattr(SandboxProvider, "refund", refund)
    with pytest.raises(ProviderError):
        refunds.send_refund(payment_pk=owed_refund.pk)
    assert refunds.unsent_refunds().filter(pk=owed_refund.pk).exists()


def test_a_refund_webhook_takes_the_payment_off_the_unsent_list(owed_refund):
    refunds.record_refund_outcome(event="refund.processed", data={"transaction_reference": owed_refund.reference})
    owed_refund.refresh_from_db()
    assert owed_refund.refund_requested_at is not None
    assert not refunds.unsent_refunds().exists()
