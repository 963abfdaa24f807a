"""Money back to a buyer through the provider, after the commit that decided it."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from payments import providers
from payments.models import Payment
from payments.providers import to_minor_units

logger = logging.getLogger(__name__)


def send_refund(*, payment_pk: int, notify: str | None) -> None:
    """Ask the provider to refund the whole charge; tell the buyer when `notify` names a reason.

    Raises ProviderError so the task retries; `refund.*` webhooks record the final outcome.
    """
    payment = Payment.objects.select_related("purchase__event").get(pk=payment_pk)
    providers.get().refund(reference=payment.reference, amount_minor=to_minor_units(payment.amount))
    logger.info("refund requested for %s", payment.payment_id)
    if notify:
        purchase = payment.purchase
        body = render_to_string(f"payments/email/refund_{notify}.txt", {"payment": payment, "purchase": purchase})
        subject = f"Your payment for {purchase.event.title} was refunded"
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [purchase.attendee_email])
