"""Background jobs of the money path (CONTRACT.md §15). Each is idempotent and safe to overlap.

The Celery tasks and the operators' commands (`expire_reservations`, `reconcile_payments`) call the
same functions; a command passes `track` for its progress bar and sends refunds in-process, since it
is often run because the worker is down.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from cafa.celery import enqueue
from cafa.progress import Track, no_progress
from payments import providers
from payments.models import Payment, PaymentStatus, ReasonCode, WebhookEvent
from payments.providers import ProviderError
from payments.services import completion, refunds, webhooks
from tickets.models import OPEN_PURCHASE_STATUSES

logger = logging.getLogger(__name__)
WEBHOOK_MAX_ATTEMPTS = 8


def lapsed_payments(now=None) -> QuerySet:
    """Pending payments whose reservation has lapsed (what the expiry sweep works on), oldest first."""
    return Payment.objects.filter(
        status=PaymentStatus.PENDING,
        purchase__status__in=OPEN_PURCHASE_STATUSES,
        purchase__reservation_expires_at__lte=now or timezone.now(),
    ).order_by("pk")


def expire_lapsed_reservations(*, track: Track = no_progress) -> int:
    """Pending payments whose reservation lapsed: ask the provider once, else mark them expired.

    Stock never waits for this job (lapsed reservations stop counting at once); it tidies statuses
    and catches successes whose webhook never came. Returns how many payments it expired.
    """
    lapsed = list(lapsed_payments().select_related("purchase"))
    expired = 0
    for payment in track(lapsed, len(lapsed)):
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


def stale_pending_payments(now=None) -> QuerySet:
    """Payments pending longer than RECONCILE_AFTER_MINUTES (no webhook comes for failed or abandoned charges)."""
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.RECONCILE_AFTER_MINUTES)
    return Payment.objects.filter(status=PaymentStatus.PENDING, created_at__lte=cutoff).order_by("pk")


def failed_webhooks(now=None) -> QuerySet:
    """Stored webhook events still unprocessed a minute after they arrived, with attempts left."""
    cutoff = (now or timezone.now()) - timedelta(minutes=1)
    return WebhookEvent.objects.filter(
        processed_at__isnull=True, received_at__lte=cutoff, attempts__lt=WEBHOOK_MAX_ATTEMPTS
    ).order_by("pk")


@dataclass
class ReconcileRun:
    """What one reconciliation did (the command's summary)."""

    checked: int = 0
    settled: int = 0
    webhooks_retried: int = 0
    webhooks_failing: int = 0
    refunds_sent: int = 0
    refunds_failed: int = 0

    def summary(self) -> str:
        return (
            f"payments: {self.checked} pending checked with the provider ({self.settled} settled); "
            f"{self.webhooks_retried} webhook events re-run ({self.webhooks_failing} still failing); "
            f"{self.refunds_sent} unsent refunds sent or queued, {self.refunds_failed} failed"
        )


def reconcile(*, track: Track = no_progress, send_refunds_now: bool = False) -> ReconcileRun:
    """Ask the provider about payments pending for a while, retry webhook events whose processing
    failed, and send again every refund the provider has not accepted (queued, or here when
    `send_refunds_now`)."""
    run = ReconcileRun()
    stale = list(stale_pending_payments().select_related("purchase"))
    for payment in track(stale, len(stale)):
        run.checked += 1
        run.settled += completion.refresh_payment(payment).status != PaymentStatus.PENDING
    run.webhooks_retried, run.webhooks_failing = retry_failed_webhooks()
    run.refunds_sent, run.refunds_failed = retry_unsent_refunds(send_now=send_refunds_now)
    return run


def reconcile_preview() -> dict:
    """What `reconcile` would work on now (a dry run asks no provider)."""
    return {
        "stale_pending": stale_pending_payments().count(),
        "failed_webhooks": failed_webhooks().count(),
        "unsent_refunds": refunds.unsent_refunds().count(),
    }


def reconcile_pending_payments() -> int:
    """The periodic job (see `reconcile`). Returns how many pending payments it checked."""
    return reconcile().checked


def retry_failed_webhooks() -> tuple[int, int]:
    """Re-run stored webhook events that are unprocessed a minute after they arrived.

    Returns (re-run, still unprocessed after this run).
    """
    event_pks = list(failed_webhooks().values_list("pk", flat=True))
    for event_pk in event_pks:
        webhooks.process_webhook_event(event_pk=event_pk)
    return len(event_pks), WebhookEvent.objects.filter(pk__in=event_pks, processed_at__isnull=True).count()


def retry_unsent_refunds(*, send_now: bool = False) -> tuple[int, int]:
    """Queue again (or send now) every refund the provider has not accepted yet (a lost or exhausted
    task). Returns (queued or sent, failed to send now)."""
    done = failed = 0
    for payment_pk in list(refunds.unsent_refunds().values_list("pk", flat=True)):
        if not send_now:
            enqueue("payments.refund_payment", payment_pk)
            done += 1
            continue
        try:
            refunds.send_refund(payment_pk=payment_pk)
            done += 1
        except ProviderError as error:
            logger.warning("refund of payment %s still cannot be sent: %s", payment_pk, error)
            failed += 1
    return done, failed
