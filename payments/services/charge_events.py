"""Charge outcomes a provider announces by webhook besides success (Stripe, CONTRACT.md §13.4).

The provider's `parse_webhook` names them in the neutral vocabulary: `charge.failed` (a delayed
payment did not go through) and `charge.expired` (its checkout closed unpaid) release a reservation
still waiting for money; `charge.refunded` records money the provider gave back. `charge.success`
belongs to the completion service (`services/webhooks.py`).
"""

import logging

from django.db.models import Q

from payments.models import Payment, PaymentStatus, ReasonCode
from payments.services import completion, refunds

logger = logging.getLogger(__name__)


def handle(event_type: str, data: dict) -> None:
    """Act on one neutral charge event; an unknown payment is logged and ignored."""
    payment = _payment(data)
    if payment is None:
        logger.warning("%s for an unknown payment ignored (%r)", event_type, data.get("reference"))
        return
    HANDLED[event_type](payment, data)


def _payment(data: dict) -> Payment | None:
    """Named by our reference, or by the provider's id of the charge when only that travels (refunds)."""
    reference, transaction_id = data.get("reference") or "", data.get("transaction_id") or ""
    if not reference and not transaction_id:
        return None
    match = Q(reference=reference) if reference else Q(provider_transaction_id=transaction_id)
    return Payment.objects.filter(match).first()


def _charge_failed(payment: Payment, data: dict) -> None:
    completion.close_unpaid(
        reference=payment.reference,
        status=PaymentStatus.FAILED,
        reason=ReasonCode.DECLINED,
        message=data.get("gateway_response") or "The payment did not go through.",
    )


def _charge_expired(payment: Payment, data: dict) -> None:
    completion.close_unpaid(
        reference=payment.reference,
        status=PaymentStatus.EXPIRED,
        reason=ReasonCode.RESERVATION_EXPIRED,
        message="The checkout expired before the payment was made.",
    )


def _charge_refunded(payment: Payment, data: dict) -> None:
    """Our own refunds are confirmed; a full refund made at the provider refunds a completed sale here too."""
    if not data.get("fully_refunded"):
        logger.error("payment %s was partly refunded at the provider: staff must follow up", payment.payment_id)
        return
    if payment.status == PaymentStatus.COMPLETED:
        refunds.refund_completed_payment(
            payment_pk=payment.pk, reason="Refunded at the payment provider.", refunded_at_provider=True
        )
    refunds.record_refund_outcome(event="refund.processed", data={"transaction_reference": payment.reference})


HANDLED = {
    "charge.failed": _charge_failed,
    "charge.expired": _charge_expired,
    "charge.refunded": _charge_refunded,
}
