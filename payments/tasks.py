"""Celery entry points of the payments app; each calls a service and is safe to retry."""

from celery import shared_task

from payments import idempotency
from payments.providers import ProviderError
from payments.services import jobs, refunds, sandbox, webhooks


@shared_task(name="payments.expire_reservations")
def expire_reservations() -> int:
    return jobs.expire_lapsed_reservations()


@shared_task(name="payments.reconcile_payments")
def reconcile_payments() -> int:
    return jobs.reconcile_pending_payments()


@shared_task(name="payments.process_webhook_event")
def process_webhook_event(event_pk: int) -> None:
    webhooks.process_webhook_event(event_pk=event_pk)


@shared_task(name="payments.refund_payment", autoretry_for=(ProviderError,), retry_backoff=30, max_retries=8)
def refund_payment(payment_pk: int, notify: str | None = None) -> None:
    refunds.send_refund(payment_pk=payment_pk)


@shared_task(name="payments.purge_idempotent_requests")
def purge_idempotent_requests() -> int:
    return idempotency.purge_expired()


@shared_task(name="payments.settle_sandbox_transfer")
def settle_sandbox_transfer(reference: str) -> int:
    return sandbox.deliver_transfer_events(reference=reference)
