"""`manage.py send_due_ticket_emails [--dry-run]`: send every ticket e-mail due for over a minute.

For operators after a broker or worker outage (the periodic job does the same every minute, in
batches). Idempotent: a delivery already sent, or being sent by a worker, is left alone. Prints one
summary line; exits non-zero when a send failed (the failure stays recorded on the delivery).
"""

from django.core.management.base import BaseCommand, CommandError

from tickets.services import outbox


class Command(BaseCommand):
    help = "Send every ticket e-mail that has been due for over a minute."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the due e-mails; send nothing.")

    def handle(self, *args, dry_run=False, **options):
        run = outbox.send_due(dry_run=dry_run, limit=None, budget=None)
        if dry_run:
            self.stdout.write(f"ticket e-mails: {run.due} due (dry run: nothing sent)")
            return
        if run.failed:
            raise CommandError(run.summary())
        self.stdout.write(run.summary())
