"""`manage.py reconcile_transfers [--dry-run]`: the transfer reconciliation job, now (CONTRACT.md §15).

Payout-account verification transfers unsettled after 10 minutes and withdrawals processing for over
30 minutes are checked with the provider and settled; pending withdrawals never sent are sent again with
their own reference (the provider never pays one twice). Same services and locks as the job.
"""

from cafa.commands import OperatorCommand
from payouts.services import verification, withdrawals


class Command(OperatorCommand):
    help = "Settle stale verification transfers and withdrawals with the provider; re-send stuck withdrawals."

    def handle(self, *args, dry_run=False, **options):
        processing, stuck = withdrawals.stale_withdrawals()
        stale_withdrawals = processing.count() + stuck.count()
        stale_verifications = verification.stale_verifications().count()
        found = f"{stale_verifications} stale verification transfers, {stale_withdrawals} stale withdrawals"
        if dry_run:
            self.summarize(f"transfers: {found}", dry_run=True)
            return
        settled = verification.reconcile_verifications(track=self.track("verification transfers"))
        touched = withdrawals.reconcile_withdrawals(track=self.track("withdrawals"))
        self.summarize(f"transfers: {found}; {settled} verification transfers settled, {touched} withdrawals moved on")
