"""The sandbox checkout page's actions (CONTRACT.md §6.14) and the settlement of its transfers."""

from django.db import transaction

from payments import providers
from payments.exceptions import PaymentNotFound
from payments.models import Payment, SandboxCharge, SandboxTransfer
from payments.providers.sandbox import OUTCOMES, SandboxProvider
from payments.services import completion, webhooks
from tickets.exceptions import ReservationRefused


def checkout_payment(reference: str) -> Payment:
    """The payment a sandbox checkout page is for; none while the sandbox is not the chosen provider."""
    if not providers.sandbox_enabled():
        raise PaymentNotFound()
    payment = Payment.objects.select_related("purchase__event").filter(reference=reference).first()
    if payment is None or not SandboxCharge.objects.filter(reference=reference).exists():
        raise PaymentNotFound()
    return payment


def pay(*, reference: str, outcome: str) -> Payment:
    """Record the buyer's choice and act on it through the paths a real provider's answer takes.

    A success is delivered as a signed webhook. A failure or a Cancel sends no webhook (Paystack
    sends none either); the provider read-through learns it at once, so the payment is `failed`
    and its reservation released before the buyer is sent back.
    """
    if outcome not in OUTCOMES:
        raise ReservationRefused("Choose success, failed or abandoned.", error="Invalid outcome")
    payment = checkout_payment(reference)
    provider = SandboxProvider()
    charge = provider.record_outcome(reference, outcome)
    if outcome == "success":
        body, headers = provider.signed_charge_success(charge)
        with transaction.atomic():
            webhooks.receive_webhook(body=body, headers=headers)
    else:
        completion.refresh_payment(payment)
    payment.refresh_from_db()
    return payment


def deliver_transfer_events(*, reference: str) -> int:
    """The sandbox's settlement: each signed `transfer.*` event goes through the real webhook path.

    Nothing settles while the sandbox is not the chosen provider.
    """
    if not providers.sandbox_enabled() or not SandboxTransfer.objects.filter(reference=reference).exists():
        return 0
    deliveries = SandboxProvider().settle_transfer(reference)
    for body, headers in deliveries:
        with transaction.atomic():
            webhooks.receive_webhook(body=body, headers=headers)
    return len(deliveries)
