"""`manage.py waitlist show <ticket_type_id>` and `manage.py waitlist offer <ticket_type_id>|--all [--dry-run]`.

`show` prints a ticket type's stock and its queue in order (waiting entries with their place, offers
with the purchase holding their seats and its deadline). `offer` runs the offer engine, the same code
the minute job runs: it expires the type's lapsed unpaid offers and offers its free seats to the queue;
`--all` also closes the queues whose sales are over. Idempotent (a second run finds nothing to do) and
safe while workers run (each type under its lock). One summary line; a non-zero exit when the ticket
type is unknown or a type's lock stayed taken (run it again).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cafa.api.exceptions import LockTimeout
from events.models import TicketType
from tickets import selectors
from tickets.models import WaitlistStatus
from tickets.services import offers, reservations, waitlist


class Command(BaseCommand):
    help = "Show a ticket type's waiting list, or offer freed seats to the people waiting."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        show = actions.add_parser("show", help="A ticket type's stock and queue, in order.")
        show.add_argument("ticket_type", type=int, help="The ticket type's id.")
        offer = actions.add_parser("offer", help="Run the offer engine on one ticket type, or on every queue.")
        offer.add_argument("ticket_type", type=int, nargs="?", help="The ticket type's id.")
        offer.add_argument("--all", action="store_true", help="Every type with a queue (and close ended queues).")
        offer.add_argument("--dry-run", action="store_true", help="Say what would be offered; change nothing.")

    def handle(self, *args, action, ticket_type=None, **options):
        if action == "show":
            self._show(self._ticket_type(ticket_type))
        elif options["all"] == (ticket_type is not None):
            raise CommandError("Give a ticket type id or --all (not both).")
        elif options["all"]:
            self._offer_all(options["dry_run"])
        else:
            self._offer_one(self._ticket_type(ticket_type), options["dry_run"])

    def _ticket_type(self, pk: int) -> TicketType:
        found = TicketType.objects.select_related("event").filter(pk=pk).first()
        if found is None:
            raise CommandError(f"No ticket type with id {pk}.")
        return found

    def _show(self, ticket_type: TicketType) -> None:
        now = timezone.now()
        holding = reservations.tickets_holding_stock(ticket_type, now)
        entries = list(selectors.ticket_type_queue(ticket_type.pk))
        waiting = [entry for entry in entries if entry.status == WaitlistStatus.WAITING]
        self.stdout.write(
            f'{ticket_type.name} of "{ticket_type.event.title}" (ticket type {ticket_type.pk}): '
            f"{ticket_type.quantity} seats, {holding} sold or held, {max(0, ticket_type.quantity - holding)} free; "
            f"{len(waiting)} waiting ({sum(e.quantity for e in waiting)} seats), {len(entries) - len(waiting)} offered"
        )
        for place, entry in enumerate(waiting, start=1):
            self.stdout.write(
                f"  {place:>3}. {entry.entry_id}  waiting  {entry.quantity} seat(s)  {entry.attendee_email}  "
                f"since {entry.created_at:%Y-%m-%d %H:%M:%S}Z"
            )
        for entry in entries:
            if entry.status == WaitlistStatus.OFFERED:
                purchase = getattr(entry, "purchase", None)
                paying = " (payment under way)" if entry.payment_started_at else ""
                self.stdout.write(
                    f"     - {entry.entry_id}  offered  {entry.quantity} seat(s)  {entry.attendee_email}  "
                    f"held by {purchase.purchase_id if purchase else '?'} until "
                    f"{entry.offer_expires_at:%Y-%m-%d %H:%M:%S}Z{paying}"
                )

    def _offer_one(self, ticket_type: TicketType, dry_run: bool) -> None:
        try:
            run = offers.offer_freed_seats(ticket_type_id=ticket_type.pk, dry_run=dry_run)
        except LockTimeout:
            raise CommandError(f"ticket type {ticket_type.pk} stayed locked by others: run the command again") from None
        verb = "would be" if dry_run else "were"
        suffix = " (dry run: nothing changed)" if dry_run else ""
        self.stdout.write(
            f"ticket type {ticket_type.pk}: {len(run.offered)} offers {verb} made ({run.seats} seats), "
            f"{run.lapsed} lapsed offers {verb} expired{suffix}"
        )

    def _offer_all(self, dry_run: bool) -> None:
        run = waitlist.serve_all_queues(dry_run=dry_run)
        line = run.summary() + (" (dry run: nothing changed)" if dry_run else "")
        if run.deferred:
            raise CommandError(line)
        self.stdout.write(line)
