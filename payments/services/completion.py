"""The single completion path (CONTRACT.md §6.8) and the provider read-through.

Every caller (webhook, verify and status read-throughs, mobile callback, sandbox, jobs) ends
here. The payment row is locked first and a final payment is returned untouched, so any number
of deliveries, in any order and at the same time, issue the tickets exactly once. Everything
that changes a purchase after checkout goes through the same lock.
"""

import logging

from django.db import transaction
from django.utils import timezone

from cafa.celery import enqueue
from cafa.locking import lock_row
from events import selectors as events_selectors
from payments import providers, signals
from payments.models import Payment, PaymentStatus, Provider, ReasonCode
from payments.providers import ChargeResult, ProviderError, to_minor_units
from tickets.models import OPEN_PURCHASE_STATUSES, Purchase, PurchaseStatus
from tickets.services import reservations

logger = logging.getLogger(__name__)

# A provider's final word that a charge will not be paid -> the reason recorded on the failed payment.
UNPAID_OUTCOMES = {
    "failed": (ReasonCode.DECLINED, "The payment was declined."),
    "cancelled": (ReasonCode.ABANDONED, "The buyer cancelled the payment."),
}


def locked_payment(**lookup) -> Payment:
    """The payment row, locked (`cafa.locking`), with its purchase read afresh once the lock is held.

    Only the payment row is locked: locking the event too would make every other buyer's checkout
    for that event wait, or deadlock. Every change to a purchase after checkout is made under its
    payment's lock, so the purchase is re-read after the lock is granted: a join in the locking
    query could return the purchase as it was before the lock holder committed.
    """
    payment = lock_row(Payment.objects.filter(**lookup))
    if payment is None:
        raise Payment.DoesNotExist(f"no payment matches {lookup}")
    payment.purchase = Purchase.objects.select_related("event").get(pk=payment.purchase_id)
    return payment


def complete_payment(*, reference: str, result: ChargeResult) -> Payment:
    """Settle a provider success: issue the tickets, or refund when a late success finds no stock.

    Idempotent. A result that is not a success, or whose amount, currency or reference differ from
    what we asked for, issues nothing.
    """
    with transaction.atomic():
        payment = locked_payment(reference=reference)
        if payment.is_final or not result.succeeded:
            return payment
        problem = _mismatch(payment, result)
        if problem:
            return _reject_mismatch(payment, result, problem)
        # Always decided under the ticket type's lock: a success in the last moment of a reservation
        # races buyers who no longer count it, exactly like a late one. An event cancellation takes
        # that lock too, so the cancellation is read after it: a success never issues for a cancelled event.
        in_stock = reservations.can_reissue(purchase=payment.purchase)
        if events_selectors.is_cancelled(payment.purchase.event_id):
            return _refund_cancelled_event(payment, result)
        if in_stock:
            return _issue(payment, result)
        return _refund_sold_out(payment, result)


def _mismatch(payment: Payment, result: ChargeResult) -> str:
    if result.reference != payment.reference:
        return f"reference {result.reference!r}"
    if result.currency != payment.charged_currency:
        return f"currency {result.currency!r}, expected {payment.charged_currency!r}"
    if result.amount_minor != to_minor_units(payment.charged_amount):
        return f"amount {result.amount_minor}, expected {to_minor_units(payment.charged_amount)}"
    return ""


def _issue(payment: Payment, result: ChargeResult) -> Payment:
    purchase = payment.purchase
    reservations.issue_tickets(purchase=purchase)
    signals.sale_completed.send(sender=Payment, purchase=purchase)  # payouts credits the organizer
    _settle(payment, PaymentStatus.COMPLETED, result)
    transaction.on_commit(lambda: queue_ticket_email(purchase.pk), robust=True)
    return payment


def _refund_sold_out(payment: Payment, result: ChargeResult) -> Payment:
    purchase = payment.purchase
    if purchase.status in OPEN_PURCHASE_STATUSES:  # not swept yet: it lapsed first (CONTRACT §14.1)
        reservations.release_reservation(purchase=purchase, status=PurchaseStatus.EXPIRED)
    reservations.refund_purchase(purchase=purchase)
    _settle(payment, PaymentStatus.REFUNDED, result, reason=ReasonCode.REFUNDED_SOLD_OUT)
    payment.failure_reason = "Paid after the reservation lapsed and the tickets sold out; refunded."
    payment.save(update_fields=["failure_reason"])
    transaction.on_commit(lambda: _queue_refund(payment.pk), robust=True)
    return payment


def _refund_cancelled_event(payment: Payment, result: ChargeResult) -> Payment:
    reservations.refund_late_payment_of_cancelled_event(purchase=payment.purchase)
    _settle(payment, PaymentStatus.REFUNDED, result, reason=ReasonCode.REFUNDED_EVENT_CANCELLED)
    payment.failure_reason = "Paid after the event was cancelled; refunded."
    payment.save(update_fields=["failure_reason"])
    transaction.on_commit(lambda: _queue_refund(payment.pk), robust=True)
    return payment


def _reject_mismatch(payment: Payment, result: ChargeResult, problem: str) -> Payment:
    logger.error("payment %s: provider answer does not match (%s); refunding", payment.payment_id, problem)
    _close(payment, PaymentStatus.FAILED, ReasonCode.AMOUNT_MISMATCH, f"Provider reported {problem}.")
    payment.provider_response = result.raw
    payment.provider_transaction_id = result.transaction_id or payment.provider_transaction_id
    payment.save(update_fields=["provider_response", "provider_transaction_id"])
    if payment.purchase.status in OPEN_PURCHASE_STATUSES:
        reservations.release_reservation(purchase=payment.purchase, status=PurchaseStatus.FAILED)
    transaction.on_commit(lambda: _queue_refund(payment.pk), robust=True)
    return payment


def _settle(payment: Payment, status: str, result: ChargeResult, reason: str = "") -> None:
    now = timezone.now()
    payment.status, payment.reason_code = status, reason
    payment.payment_method = result.channel or payment.payment_method
    payment.card_details = result.card
    payment.provider_response = result.raw
    payment.provider_transaction_id = result.transaction_id or payment.provider_transaction_id
    payment.completed_at = now if status == PaymentStatus.COMPLETED else payment.completed_at
    payment.save()


def _close(payment: Payment, status: str, reason: str, message: str) -> None:
    payment.status, payment.reason_code, payment.failure_reason = status, reason, message[:300]
    payment.failed_at = timezone.now()
    payment.save(update_fields=["status", "reason_code", "failure_reason", "failed_at", "updated_at"])


def close_unpaid(*, reference: str, status: str, reason: str, message: str) -> tuple[Payment, int]:
    """A pending payment that will not be paid: failed, expired or cancelled; its stock is freed.

    Returns the payment and how many reserved tickets were released (0 if it was no longer pending).
    """
    purchase_status = {
        PaymentStatus.FAILED: PurchaseStatus.FAILED,
        PaymentStatus.EXPIRED: PurchaseStatus.EXPIRED,
        PaymentStatus.CANCELLED: PurchaseStatus.CANCELLED,
    }[status]
    with transaction.atomic():
        payment = locked_payment(reference=reference)
        if payment.status != PaymentStatus.PENDING:
            return payment, 0
        _close(payment, status, reason, message)
        released = reservations.release_reservation(purchase=payment.purchase, status=purchase_status)
    return payment, released


def refresh_payment(payment: Payment) -> Payment:
    """Read-through: while a payment is pending, ask the provider and act on its answer.

    Safe to call on every poll. A provider outage leaves the payment as it was.
    """
    if payment.status != PaymentStatus.PENDING or payment.provider == Provider.FREE:
        return payment
    try:
        result = providers.for_payment(payment).verify(payment.reference)
    except ProviderError as error:
        logger.warning("read-through of %s failed: %s", payment.payment_id, error)
        return payment
    return apply_provider_result(payment, result)


def apply_provider_result(payment: Payment, result: ChargeResult) -> Payment:
    """Act on what the provider said about a pending payment."""
    if result.succeeded:
        return complete_payment(reference=payment.reference, result=result)
    lapsed = payment.purchase.reservation_expires_at <= timezone.now()
    if result.status in UNPAID_OUTCOMES:
        reason, default_message = UNPAID_OUTCOMES[result.status]
        message = result.gateway_response or default_message
        return close_unpaid(reference=payment.reference, status=PaymentStatus.FAILED, reason=reason, message=message)[0]
    if lapsed and result.status in ("abandoned", "pending"):
        return close_unpaid(
            reference=payment.reference,
            status=PaymentStatus.EXPIRED,
            reason=ReasonCode.RESERVATION_EXPIRED,
            message="The reservation lapsed before the payment was made.",
        )[0]
    return Payment.objects.select_related("purchase").get(pk=payment.pk)


def queue_ticket_email(purchase_pk: int) -> None:
    """After commit: e-mail the tickets (a broker outage is logged, never turned into a 500)."""
    enqueue("tickets.send_ticket_email", purchase_pk)


def _queue_refund(payment_pk: int) -> None:
    # If this is lost, the reconciliation job finds the unsent refund (refund_requested_at is null).
    enqueue("payments.refund_payment", payment_pk)
