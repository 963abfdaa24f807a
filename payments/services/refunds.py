"""Money back to a buyer through the provider, after the commit that decided it.

`refund_requested_at` records that the provider accepted the request, so a refund whose task
was lost or gave up is found and sent again by the reconciliation job, and none is sent twice.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from payments import providers
from payments.models import Payment, ReasonCode

logger = logging.getLogger(__name__)

# Payments whose money goes back to the buyer, and the e-mail each one gets.
REFUND_NOTICES = {ReasonCode.REFUNDED_SOLD_OUT: "sold_out", ReasonCode.AMOUNT_MISMATCH: None}


def send_refund(*, payment_pk: int) -> None:
    """Refund the whole charge once; tell the buyer when their refund has a notice.

    Raises ProviderError so the task retries; `refund.*` webhooks record the final outcome.
    """
    payment = Payment.objects.select_related("purchase__event").get(pk=payment_pk)
    if payment.refund_requested_at is not None:
        return
    # No lock across the network call: the provider never refunds more than the charge.
    providers.get().refund(reference=payment.reference)  # the whole charge, whatever it was
    marked = Payment.objects.filter(pk=payment.pk, refund_requested_at__isnull=True).update(
        refund_requested_at=timezone.now()
    )
    if not marked:
        return
    logger.info("refund requested for %s", payment.payment_id)
    notice = REFUND_NOTICES.get(payment.reason_code)
    if notice:
        _tell_buyer(payment, notice)


def _tell_buyer(payment: Payment, notice: str) -> None:
    purchase = payment.purchase
    body = render_to_string(f"payments/email/refund_{notice}.txt", {"payment": payment, "purchase": purchase})
    subject = f"Your payment for {purchase.event.title} was refunded"
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [purchase.attendee_email])


def unsent_refunds():
    """Payments owed a refund whose request the provider has not accepted yet."""
    return Payment.objects.filter(reason_code__in=list(REFUND_NOTICES), refund_requested_at__isnull=True)
