"""`manage.py cancel_event <event id|slug> [--reason TEXT] [--dry-run]`: cancel an event and refund its buyers.

The same service as the admin's "Cancel event" (payouts.services.event_cancellation), run here to the
end: the event leaves the public lists, every paid order is refunded through the provider, every ticket
cancelled, each buyer and then the organizer e-mailed once. Resumable and idempotent: run it again after
an interruption, or to check; a second run changes nothing. Exits non-zero while something is left
(an e-mail that failed, a payment the provider could not be asked about).
"""

from django.core.management.base import CommandError

from cafa.api.exceptions import DomainError
from cafa.commands import OperatorCommand
from events import selectors as events_selectors
from payouts import selectors
from payouts.services import event_cancellation


class Command(OperatorCommand):
    help = "Cancel an event: refund every buyer, cancel every ticket, e-mail buyers and the organizer."

    def add_options(self, parser):
        parser.add_argument("event", help="The event's id or slug.")
        parser.add_argument("--reason", default="", help="Shown to buyers and the organizer in their e-mails.")

    def handle(self, *args, event, reason="", dry_run=False, **options):
        try:
            found = events_selectors.event_by_id_or_slug(event)
        except DomainError:
            raise CommandError(f"No event with id or slug {event!r}.") from None
        if dry_run:
            preview = event_cancellation.preview_cancellation(event=found)
            self.summarize(
                f"event {found.pk} ({found.slug}, {found.status}): {preview['paid_orders']} paid orders to refund "
                f"(GHS {preview['refund_total']}), {preview['free_orders']} free orders, "
                f"{preview['open_reservations']} open reservations; organizer owes GHS "
                f"{selectors.amount_owed(found.organizer_id)} now",
                dry_run=True,
            )
            return
        run = event_cancellation.cancel_event(event=found, reason=reason, track=self.track("purchases"))
        self.summarize(run.summary(), failed=run.failed or not run.finished)
