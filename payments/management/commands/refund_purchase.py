"""`manage.py refund_purchase <PUR-…|PAY-…> [--reason TEXT] [--dry-run]`: the staff refund, from a shell.

The same service as the payment admin's "Refund" action (CONTRACT.md §14.1 `completed -> refunded`):
the tickets stop admitting and the organizer's sale is reversed in one transaction, then the provider
refund is sent here (reconciliation re-sends it if the provider is down). A purchase already refunded
is left alone (exit 0); one that was never completed is an error.
"""

from django.core.management.base import CommandError

from cafa.commands import OperatorCommand
from payments import selectors
from payments.models import PaymentStatus, Provider
from payments.providers import ProviderError
from payments.services import refunds


class Command(OperatorCommand):
    help = "Refund a completed purchase through its provider; its tickets stop admitting."

    def add_options(self, parser):
        parser.add_argument("purchase", help="The purchase id (PUR-…) or payment id (PAY-…).")
        parser.add_argument("--reason", default="", help="Kept on the payment and shown to staff.")

    def handle(self, *args, purchase, reason="", dry_run=False, **options):
        payment = selectors.payment_by_public_id(purchase)
        if payment is None:
            raise CommandError(f"No purchase or payment {purchase!r}.")
        label = f"{payment.purchase.purchase_id} ({payment.currency} {payment.amount}, {payment.provider})"
        if payment.status == PaymentStatus.REFUNDED:
            self.summarize(f"{label} is already refunded: nothing to do", dry_run=dry_run)
            return
        if payment.status != PaymentStatus.COMPLETED:
            raise CommandError(f"{label} is {payment.status}: only completed purchases can be refunded.")
        if dry_run:
            self.summarize(f"would refund {label}", dry_run=True)
            return
        refunds.refund_completed_payment(payment_pk=payment.pk, reason=reason.strip() or "Refunded by an operator.")
        if payment.provider == Provider.FREE:
            self.summarize(f"{label} refunded: free, nothing to send back")
            return
        try:
            refunds.send_refund(payment_pk=payment.pk)
        except ProviderError as error:
            raise CommandError(
                f"{label} refunded here, but the provider refund failed ({error}); reconciliation retries it."
            ) from None
        self.summarize(f"{label} refunded; the provider accepted the refund")
