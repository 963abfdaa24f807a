"""`manage.py reconcile_payments [--dry-run]`: the payment reconciliation job, now (CONTRACT.md §15).

Asks the provider about every payment pending past RECONCILE_AFTER_MINUTES, re-runs webhook events
whose processing failed, and sends every refund the provider has not accepted yet — here, in this
process, since the command is usually run because the worker is down. Exits non-zero when a refund
could not be sent or a webhook event still fails.
"""

from cafa.commands import OperatorCommand
from payments.services import jobs


class Command(OperatorCommand):
    help = "Check stale pending payments with the provider, retry failed webhooks, send unsent refunds."

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            preview = jobs.reconcile_preview()
            self.summarize(
                f"payments: {preview['stale_pending']} stale pending, {preview['failed_webhooks']} failed webhook "
                f"events, {preview['unsent_refunds']} unsent refunds",
                dry_run=True,
            )
            return
        run = jobs.reconcile(track=self.track("pending payments"), send_refunds_now=True)
        self.summarize(run.summary(), failed=bool(run.refunds_failed or run.webhooks_failing))
