"""Provider webhooks: verified, stored once, processed after commit (CONTRACT.md §6.13).

The unique de-duplication key makes a redelivery a no-op. Processing is retried by the
reconciliation job when it fails, so an answer of 200 never loses an event.
"""

import logging

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from cafa.celery import enqueue
from payments import providers
from payments.models import Payment, WebhookEvent
from payments.providers import ChargeResult
from payments.services import charge_events, completion

logger = logging.getLogger(__name__)

# Transfer and refund events, for the payouts work: receivers get `event` (type) and `data`.
provider_event_received = Signal()


def receive_webhook(*, body: bytes, headers, provider=None) -> tuple[WebhookEvent, bool]:
    """Verify and store an event; returns it and whether it is new. Raises InvalidSignature.

    `provider` is the one whose endpoint was called (default: the configured one).
    """
    provider = provider or providers.get()
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
    """Act on a stored event once; a failure is recorded for the reconciliation job to retry."""
    with transaction.atomic():
        record = WebhookEvent.objects.select_for_update(skip_locked=True).filter(pk=event_pk).first()
        if record is None or record.processed_at is not None:
            return
        record.attempts += 1
        try:
            with transaction.atomic():
                _route(record.event_type, record.payload.get("data") or {})
        except Exception as error:  # recorded and retried; one bad event must not block the others
            logger.exception("webhook %s failed", record.dedup_key)
            record.last_error = f"{type(error).__name__}: {error}"[:2000]
            record.save(update_fields=["attempts", "last_error"])
            return
        record.processed_at = timezone.now()
        record.last_error = ""
        record.save(update_fields=["attempts", "processed_at", "last_error"])


def _route(event_type: str, data: dict) -> None:
    if event_type == "charge.success":
        _charge_success(data)
    elif event_type in charge_events.HANDLED:
        charge_events.handle(event_type, data)
    elif event_type.startswith(("transfer.", "refund.")):
        provider_event_received.send(sender=WebhookEvent, event=event_type, data=data)


def _charge_success(data: dict) -> None:
    reference = data.get("reference") or ""
    if not Payment.objects.filter(reference=reference).exists():
        logger.warning("charge.success for unknown reference %r ignored", reference)
        return
    completion.complete_payment(reference=reference, result=charge_result_from_webhook(data))


def charge_result_from_webhook(data: dict) -> ChargeResult:
    """The signed webhook's `data` as the provider's verdict on the charge."""
    authorization = data.get("authorization") or {}
    card = None
    if data.get("channel") == "card" and authorization.get("last4"):
        card = {
            "brand": (authorization.get("brand") or authorization.get("card_type") or "").strip(),
            "last4": authorization.get("last4"),
            "exp_month": authorization.get("exp_month"),
            "exp_year": authorization.get("exp_year"),
        }
    return ChargeResult(
        reference=data.get("reference") or "",
        status="success" if data.get("status") == "success" else str(data.get("status") or "pending"),
        amount_minor=int(data.get("amount") or 0),
        currency=data.get("currency") or "",
        channel=data.get("channel"),
        paid_at=data.get("paid_at"),
        card=card,
        gateway_response=data.get("gateway_response"),
        raw=data,
        transaction_id=str(data["id"]) if data.get("id") else None,
    )
