"""`manage.py release_earnings [--dry-run]`: the daily earnings release, now (CONTRACT.md §15).

Stamps the ledger entries whose payout hold is over as released. Bookkeeping only: balances are
computed from the dates, so an organizer's available balance never waits for this.
"""

from cafa.commands import OperatorCommand
from payouts.services import ledger


class Command(OperatorCommand):
    help = "Mark ledger entries past their payout hold as released (bookkeeping)."

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            self.summarize(f"earnings: {ledger.unreleased_earnings().count()} ledger entries to release", dry_run=True)
            return
        self.summarize(f"earnings: {ledger.release_earnings()} ledger entries released")
