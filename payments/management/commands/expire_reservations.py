"""`manage.py expire_reservations [--dry-run]`: the reservation expiry sweep, now (CONTRACT.md §15).

Each lapsed pending payment is checked with the provider once (a success is completed, or refunded
when its stock is gone), else it is expired and its tickets released. Stock never waits for this:
lapsed reservations stop counting at their deadline. Same service and locks as the every-minute job.
"""

from cafa.commands import OperatorCommand
from payments.services import jobs


class Command(OperatorCommand):
    help = "Expire pending payments whose reservation lapsed (asking the provider once each)."

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            self.summarize(f"reservations: {jobs.lapsed_payments().count()} lapsed payments to check", dry_run=True)
            return
        expired = jobs.expire_lapsed_reservations(track=self.track("lapsed payments"))
        self.summarize(f"reservations: {expired} payments expired, their tickets released")
