"""Background jobs of the money path (CONTRACT.md §15). Each is idempotent and safe to overlap."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from cafa.celery import enqueue
from payments import providers
from payments.models import Payment, PaymentStatus, ReasonCode, WebhookEvent
from payments.services import completion, refunds, webhooks
from tickets.models import OPEN_PURCHASE_STATUSES

logger = logging.getLogger(__name__)
WEBHOOK_MAX_ATTEMPTS = 8


def expire_lapsed_reservations() -> int:
    """Pending payments whose reservation lapsed: ask the provider once, else mark them expired.

    Stock never waits for this job (lapsed reservations stop counting at once); it tidies statuses
    and catches successes whose webhook never came. Returns how many payments it expired.
    """
    now = timezone.now()
    lapsed = Payment.objects.select_related("purchase").filter(
        status=PaymentStatus.PENDING,
        purchase__status__in=OPEN_PURCHASE_STATUSES,
        purchase__reservation_expires_at__lte=now,
    )
    expired = 0
    for payment in lapsed.iterator():
        payment = completion.refresh_payment(payment)  # a lapsed "abandoned" answer already expires it
        if payment.status == PaymentStatus.PENDING:
            payment, _released = completion.close_unpaid(
                reference=payment.reference,
                status=PaymentStatus.EXPIRED,
                reason=ReasonCode.RESERVATION_EXPIRED,
                message="The reservation lapsed before the payment was made.",
            )
        if payment.status == PaymentStatus.EXPIRED:
            providers.close_checkout(payment)  # Stripe's session would otherwise take money for 30 minutes
            expired += 1
    return expired


def reconcile_pending_payments() -> int:
    """Ask the provider about payments pending for a while (no webhook comes for failed or abandoned
    charges) and retry webhook events whose processing failed. Returns how many payments it checked."""
    cutoff = timezone.now() - timedelta(minutes=settings.RECONCILE_AFTER_MINUTES)
    stale = Payment.objects.select_related("purchase").filter(status=PaymentStatus.PENDING, created_at__lte=cutoff)
    checked = 0
    for payment in stale.iterator():
        completion.refresh_payment(payment)
        checked += 1
    retry_failed_webhooks()
    retry_unsent_refunds()
    return checked


def retry_failed_webhooks() -> None:
    """Re-run stored webhook events that are unprocessed a minute after they arrived."""
    cutoff = timezone.now() - timedelta(minutes=1)
    pending = WebhookEvent.objects.filter(
        processed_at__isnull=True, received_at__lte=cutoff, attempts__lt=WEBHOOK_MAX_ATTEMPTS
    )
    for event_pk in pending.values_list("pk", flat=True):
        webhooks.process_webhook_event(event_pk=event_pk)


def retry_unsent_refunds() -> None:
    """Queue again every refund the provider has not accepted yet (a lost or exhausted task)."""
    for payment_pk in refunds.unsent_refunds().values_list("pk", flat=True):
        enqueue("payments.refund_payment", payment_pk)
