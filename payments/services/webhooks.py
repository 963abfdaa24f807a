"""Provider webhooks: verified, stored once, processed after commit (CONTRACT.md §6.13).

The unique de-duplication key makes a redelivery a no-op. Processing is retried by the
reconciliation job when it fails, so an answer of 200 never loses an event.
"""

import logging

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from cafa.celery import enqueue
from payments import providers, signals
from payments.models import Payment, WebhookEvent
from payments.providers import ChargeResult
from payments.providers.base import ProviderEvent
from payments.services import charge_events, completion, refunds

logger = logging.getLogger(__name__)


def receive_webhook(*, body: bytes, headers, provider_name: str = "") -> tuple[WebhookEvent, bool]:
    """Verify and store an event; returns it and whether it is new. Raises InvalidSignature.

    `provider_name` names the provider whose endpoint was called (default: the configured one); the
    event is stored under that name and read back by that provider when processed.
    """
    provider = providers.named(provider_name) if provider_name else providers.get()
    event = provider.parse_webhook(body, headers)
    try:
        with transaction.atomic():
            record = WebhookEvent.objects.create(
                provider=provider.name, dedup_key=event.dedup_key, event_type=event.event, payload=event.raw
            )
    except IntegrityError:
        return WebhookEvent.objects.get(dedup_key=event.dedup_key), False
    # If queueing fails, the reconciliation job re-runs unprocessed events.
    transaction.on_commit(lambda: _queue_processing(record.pk), robust=True)
    return record, True


def _queue_processing(event_pk: int) -> None:
    enqueue("payments.process_webhook_event", event_pk)


def process_webhook_event(*, event_pk: int) -> None:
    """Act on a stored event once, read by the provider that stored it; a failure is recorded for the
    reconciliation job to retry."""
    try:
        with transaction.atomic():
            record = WebhookEvent.objects.select_for_update(skip_locked=True).filter(pk=event_pk).first()
            if record is None or record.processed_at is not None:
                return
            _route(providers.named(record.provider).read_event(record.payload))
            record.attempts += 1
            record.processed_at, record.last_error = timezone.now(), ""
            record.save(update_fields=["attempts", "processed_at", "last_error"])
    except Exception as error:  # recorded and retried; one bad event must not block the others
        logger.exception("webhook event %s failed", event_pk)
        _record_failure(event_pk, error)


def _record_failure(event_pk: int, error: Exception) -> None:
    """Count the failed attempt in a transaction of its own, on a connection that still works.

    The failed processing has been rolled back; if it died with the database connection, that
    connection is closed here and the next query opens a fresh one.
    """
    if not connection.in_atomic_block and not connection.is_usable():
        connection.close()
    WebhookEvent.objects.filter(pk=event_pk, processed_at__isnull=True).update(
        attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
    )


def _route(event: ProviderEvent) -> None:
    if event.event == "charge.success" and event.charge is not None:
        _charge_success(event.charge)
    elif event.event in charge_events.HANDLED and event.charge is not None:
        charge_events.handle(event.event, event.charge)
    elif event.event.startswith("refund."):
        refunds.record_refund_outcome(event=event.event, data=event.data)
    elif event.event.startswith("transfer."):
        signals.transfer_event_received.send(sender=WebhookEvent, event=event.event, data=event.data)


def _charge_success(charge: ChargeResult) -> None:
    if not Payment.objects.filter(reference=charge.reference).exists():
        logger.warning("charge.success for unknown reference %r ignored", charge.reference)
        return
    completion.complete_payment(reference=charge.reference, result=charge)
