"""`manage.py resend_tickets <PUR-…|PAY-…> [--dry-run]`: e-mail a purchase's tickets again, now.

The same resend as Y6 (CONTRACT.md §6.9): the delivery becomes due and is sent here, in this process,
through the ticket outbox, so a worker sending it at the same moment never makes it go twice. Each
run is one explicit resend (one e-mail); it changes no ticket, payment or ledger row.
"""

from django.core.management.base import CommandError

from cafa.commands import OperatorCommand
from payments import selectors
from payments.models import PaymentStatus
from tickets.services import outbox


class Command(OperatorCommand):
    help = "E-mail a completed purchase's tickets to its buyer again."

    def add_options(self, parser):
        parser.add_argument("purchase", help="The purchase id (PUR-…) or payment id (PAY-…).")

    def handle(self, *args, purchase, dry_run=False, **options):
        payment = selectors.payment_by_public_id(purchase)
        if payment is None:
            raise CommandError(f"No purchase or payment {purchase!r}.")
        if payment.status != PaymentStatus.COMPLETED:
            raise CommandError(
                f"{payment.purchase.purchase_id} is {payment.status}: only completed purchases have tickets."
            )
        count = len(selectors.issued_tickets(payment))
        if not count:
            raise CommandError(
                f"{payment.purchase.purchase_id} has no ticket left to send (all refunded or cancelled)."
            )
        target = f"{count} ticket(s) of {payment.purchase.purchase_id} to {payment.purchase.attendee_email}"
        if dry_run:
            self.summarize(f"would e-mail {target}", dry_run=True)
            return
        outbox.resend(purchase=payment.purchase)
        outcome = outbox.deliver(purchase_pk=payment.purchase_id)
        self.summarize(f"{'e-mailed' if outcome == 'sent' else f'resend queued ({outcome})'} {target}")
