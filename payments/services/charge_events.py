"""Charge outcomes a provider announces by webhook besides success (CONTRACT.md §13.4).

The provider's event names them in the neutral vocabulary and carries its word on the charge
(`ProviderEvent.charge`): `charge.failed` (a delayed payment did not go through) and `charge.expired`
(its checkout closed unpaid) release a reservation still waiting for money; `charge.refunded` records
money the provider gave back. `charge.success` belongs to the completion service (`services/webhooks.py`).
"""

import logging

from payments.models import Payment, PaymentStatus, ReasonCode
from payments.providers import ChargeResult
from payments.services import completion, refunds

logger = logging.getLogger(__name__)


def handle(event_type: str, charge: ChargeResult) -> None:
    """Act on one neutral charge event; an unknown payment is logged and ignored."""
    payment = _payment(charge)
    if payment is None:
        logger.warning("%s for an unknown payment ignored (%r)", event_type, charge.reference or charge.transaction_id)
        return
    HANDLED[event_type](payment, charge)


def _payment(charge: ChargeResult) -> Payment | None:
    """Named by our reference, or by the provider's id of the charge when only that travels (refunds)."""
    if charge.reference:
        return Payment.objects.filter(reference=charge.reference).first()
    if charge.transaction_id:
        return Payment.objects.filter(provider_transaction_id=charge.transaction_id).first()
    return None


def _charge_failed(payment: Payment, charge: ChargeResult) -> None:
    completion.close_unpaid(
        reference=payment.reference,
        status=PaymentStatus.FAILED,
        reason=ReasonCode.DECLINED,
        message=charge.gateway_response or "The payment did not go through.",
    )


def _charge_expired(payment: Payment, charge: ChargeResult) -> None:
    completion.close_unpaid(
        reference=payment.reference,
        status=PaymentStatus.EXPIRED,
        reason=ReasonCode.RESERVATION_EXPIRED,
        message="The checkout expired before the payment was made.",
    )


def _charge_refunded(payment: Payment, charge: ChargeResult) -> None:
    """Our own refunds are confirmed; a full refund made at the provider refunds a completed sale here too
    (tickets refunded, the sale reversed on the ledger), exactly as a staff refund does."""
    if charge.status != "reversed":
        logger.error("payment %s was partly refunded at the provider: staff must follow up", payment.payment_id)
        return
    if payment.status == PaymentStatus.COMPLETED:
        refunds.refund_completed_payment(
            payment_pk=payment.pk, reason="Refunded at the payment provider.", refunded_at_provider=True
        )
    refunds.note_refund_outcome(reference=payment.reference, outcome="processed")


HANDLED = {
    "charge.failed": _charge_failed,
    "charge.expired": _charge_expired,
    "charge.refunded": _charge_refunded,
}
