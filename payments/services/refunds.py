"""Money back to a buyer through the provider, after the commit that decided it.

`refund_requested_at` records that the provider accepted the request, so a refund whose task
was lost or gave up is found and sent again by the reconciliation job, and none is sent twice.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cafa.celery import enqueue
from payments import providers, signals
from payments.exceptions import PaymentNotRefundable
from payments.models import Payment, PaymentStatus, Provider, ReasonCode
from payments.providers import ProviderError
from payments.services import completion
from tickets.services import reservations

logger = logging.getLogger(__name__)

# Payments whose money goes back to the buyer, and the e-mail each one gets.
REFUND_NOTICES = {
    ReasonCode.REFUNDED_SOLD_OUT: "sold_out",
    ReasonCode.AMOUNT_MISMATCH: None,
    ReasonCode.REFUNDED: "by_staff",
    ReasonCode.REFUNDED_EVENT_CANCELLED: None,  # the buyer's cancellation e-mail already says it
}


def refund_completed_payment(*, payment_pk: int, reason: str, refunded_at_provider: bool = False) -> Payment:
    """Staff: give a completed payment's money back (CONTRACT §14.1 `completed -> refunded`).

    In one transaction the tickets stop admitting (refunded) and the organizer's sale and platform
    fee are reversed on the ledger; the provider refund goes out after commit, and is re-sent by
    reconciliation if that task is lost. Free purchases have no money to send back, nor has a payment
    that was `refunded_at_provider` (a refund made in the provider's dashboard, told by its webhook).
    """
    with transaction.atomic():
        payment = completion.locked_payment(pk=payment_pk)
        if payment.status != PaymentStatus.COMPLETED:
            raise PaymentNotRefundable(f"This payment is {payment.status}.")
        reservations.refund_purchase(purchase=payment.purchase)
        mark_refunded(
            payment, reason_code=ReasonCode.REFUNDED, message=reason, refunded_at_provider=refunded_at_provider
        )
    return payment


def mark_refunded(payment: Payment, *, reason_code: str, message: str, refunded_at_provider: bool = False) -> None:
    """`completed -> refunded` of a locked payment whose tickets the caller has voided: the organizer's
    sale is reversed in this transaction and the provider refund is queued after commit (reconciliation
    re-sends it if the task is lost). A free payment has nothing to send back, nor has one already
    `refunded_at_provider` (a refund made in the provider's dashboard)."""
    signals.sale_refunded.send(sender=Payment, purchase=payment.purchase)  # payouts reverses the sale
    payment.status, payment.reason_code, payment.failure_reason = PaymentStatus.REFUNDED, reason_code, message[:300]
    sent = refunded_at_provider or payment.provider == Provider.FREE
    payment.refund_requested_at = timezone.now() if sent else None
    payment.save(update_fields=["status", "reason_code", "failure_reason", "refund_requested_at", "updated_at"])
    if not sent:
        payment_pk = payment.pk
        transaction.on_commit(lambda: enqueue("payments.refund_payment", payment_pk), robust=True)


def send_refund(*, payment_pk: int) -> None:
    """Refund the whole charge once; tell the buyer when their refund has a notice.

    Raises ProviderError so the task retries; `refund.*` webhooks record the final outcome.
    """
    payment = Payment.objects.select_related("purchase__event").get(pk=payment_pk)
    if payment.refund_requested_at is not None:
        return
    # No lock across the network call: the provider never refunds more than the charge.
    try:
        providers.for_payment(payment).refund(reference=payment.reference)  # the whole charge, whatever it was
    except ProviderError as error:
        if not (error.refused and _already_refunded(payment)):
            raise
    if not _mark_requested(payment):
        return
    logger.info("refund requested for %s", payment.payment_id)
    notice = REFUND_NOTICES.get(payment.reason_code)
    if notice:
        _tell_buyer(payment, notice)


def _already_refunded(payment: Payment) -> bool:
    """After a refused repeat: did an earlier request, whose answer was lost, already go through?"""
    return providers.for_payment(payment).verify(payment.reference).status == "reversed"


def _mark_requested(payment: Payment) -> bool:
    return bool(
        Payment.objects.filter(pk=payment.pk, refund_requested_at__isnull=True).update(
            refund_requested_at=timezone.now()
        )
    )


def _tell_buyer(payment: Payment, notice: str) -> None:
    purchase = payment.purchase
    body = render_to_string(f"payments/email/refund_{notice}.txt", {"payment": payment, "purchase": purchase})
    subject = f"Your payment for {purchase.event.title} was refunded"
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [purchase.attendee_email])


def unsent_refunds():
    """Payments owed a refund that the provider has neither accepted nor reported on."""
    return Payment.objects.filter(
        reason_code__in=list(REFUND_NOTICES), refund_requested_at__isnull=True, refund_status=""
    )


def record_refund_outcome(*, event: str, data: dict) -> None:
    """`refund.processed|failed|needs-attention` (Paystack's `data`): remember it on the payment."""
    transaction_data = data.get("transaction") if isinstance(data.get("transaction"), dict) else {}
    reference = data.get("transaction_reference") or transaction_data.get("reference") or ""
    note_refund_outcome(reference=reference, outcome=event.removeprefix("refund."))


def note_refund_outcome(*, reference: str, outcome: str) -> None:
    """The provider's last word on the refund of a payment (`processed`, `failed`, ...); anything but
    success is logged as an error for staff (the money has not reached the buyer)."""
    now = timezone.now()
    payments = Payment.objects.filter(reference=reference)
    found = payments.update(refund_status=outcome[:20], updated_at=now)
    payments.filter(refund_requested_at__isnull=True).update(refund_requested_at=now)  # the request did arrive
    if not found:
        logger.warning("refund.%s for unknown transaction %r ignored", outcome, reference)
    elif outcome != "processed":
        logger.error("refund of %s is %s: staff must follow up with the provider", reference, outcome)
