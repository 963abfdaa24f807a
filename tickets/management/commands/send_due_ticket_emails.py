"""`manage.py send_due_ticket_emails [--dry-run]`: send every ticket e-mail due for over a minute.

For operators after a broker or worker outage (the periodic job does the same every minute, in
batches). Idempotent: a delivery already sent, or being sent by a worker, is left alone. Prints one
summary line; exits non-zero when a send failed (the failure stays recorded on the delivery).
"""

from cafa.commands import OperatorCommand
from tickets.services import outbox


class Command(OperatorCommand):
    help = "Send every ticket e-mail that has been due for over a minute."

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            run = outbox.send_due(dry_run=True, limit=None, budget=None)
            self.summarize(f"ticket e-mails: {run.due} due", dry_run=True)
            return
        run = outbox.send_due(limit=None, budget=None, track=self.track("ticket e-mails"))
        self.summarize(run.summary(), failed=bool(run.failed))
