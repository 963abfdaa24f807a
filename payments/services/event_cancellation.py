"""One purchase of a cancelled event (CONTRACT.md §14): the unit of work of an event cancellation.

`payouts.services.event_cancellation` runs this once per purchase, each in its own short transaction
under the payment's lock, so a cancellation of thousands of purchases holds no giant transaction, can
stop anywhere and be run again: a purchase already settled is left alone.
"""

from django.db import transaction
from django.db.models import Sum

from cafa.money import quantize_money
from payments import providers
from payments.models import Payment, PaymentStatus, ReasonCode
from payments.providers import ProviderError
from payments.services import completion, refunds
from tickets.services import reservations

# What happened to one purchase.
REFUNDED = "refunded"  # paid: tickets cancelled, money on its way back
FREE = "free"  # free: tickets cancelled, nothing to send back
RELEASED = "released"  # an unpaid reservation, closed
LEFT_PENDING = "left_pending"  # unpaid, but the provider could not be asked: the expiry sweep settles it
UNCHANGED = "unchanged"  # already settled (a second run)


def settle_for_cancelled_event(*, payment_pk: int, message: str) -> str:
    """Refund a completed purchase of a cancelled event, or close its unpaid reservation.

    A pending payment is first checked with the provider (a success that has not reached us yet is then
    refunded by the completion service, never issued); when the provider cannot be asked, the payment
    stays pending for the expiry sweep, which asks again. Returns one of the outcomes above.
    """
    payment = Payment.objects.select_related("purchase").get(pk=payment_pk)
    if payment.status == PaymentStatus.PENDING:
        return _close_unpaid(payment, message)
    with transaction.atomic():
        payment = completion.locked_payment(pk=payment_pk)
        if payment.status != PaymentStatus.COMPLETED:
            return UNCHANGED
        reservations.cancel_for_event(purchase=payment.purchase)
        refunds.mark_refunded(payment, reason_code=ReasonCode.REFUNDED_EVENT_CANCELLED, message=message)
    return FREE if payment.amount == 0 else REFUNDED


def _close_unpaid(payment: Payment, message: str) -> str:
    try:
        result = providers.for_payment(payment).verify(payment.reference)
    except ProviderError:
        return LEFT_PENDING
    payment = completion.apply_provider_result(payment, result)
    if payment.status == PaymentStatus.PENDING:
        payment, _released = completion.close_unpaid(
            reference=payment.reference,
            status=PaymentStatus.CANCELLED,
            reason=ReasonCode.EVENT_CANCELLED,
            message=message,
        )
    if payment.status == PaymentStatus.CANCELLED:
        providers.close_checkout(payment)  # a hosted Stripe session would otherwise take money for 30 minutes
    if payment.status == PaymentStatus.REFUNDED:
        return REFUNDED
    return RELEASED if payment.status != PaymentStatus.PENDING else LEFT_PENDING


def payments_to_settle(*, event_id: int):
    """Pks of the event's payments a cancellation still has to act on (pending or completed)."""
    return (
        Payment.objects.filter(purchase__event_id=event_id, status__in=(PaymentStatus.PENDING, PaymentStatus.COMPLETED))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def cancellation_preview(*, event_id: int) -> dict:
    """What cancelling the event would settle now (a dry run): counts and the money to refund."""
    payments = Payment.objects.filter(purchase__event_id=event_id)
    completed = payments.filter(status=PaymentStatus.COMPLETED)
    return {
        "paid_orders": completed.filter(amount__gt=0).count(),
        "refund_total": quantize_money(completed.filter(amount__gt=0).aggregate(total=Sum("amount"))["total"] or 0),
        "free_orders": completed.filter(amount=0).count(),
        "open_reservations": payments.filter(status=PaymentStatus.PENDING).count(),
    }
