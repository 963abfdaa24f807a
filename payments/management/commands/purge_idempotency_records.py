"""`manage.py purge_idempotency_records [--older-than HOURS] [--dry-run]`: delete stored purchase answers.

The daily job deletes `Idempotency-Key` answers older than 24 hours (CONTRACT.md §6.2); this does the
same now, or with a longer `--older-than` (never shorter: a client may still replay within 24 hours).
"""

from datetime import timedelta

from django.core.management.base import CommandError

from cafa.commands import OperatorCommand
from payments import idempotency


def hours(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"--older-than takes a whole number of hours, not {value!r}.") from None
    minimum = int(idempotency.KEPT_FOR / timedelta(hours=1))
    if number < minimum:
        raise CommandError(f"--older-than must be at least {minimum} hours (clients may replay for that long).")
    return number


class Command(OperatorCommand):
    help = "Delete stored Idempotency-Key answers older than 24 hours (or --older-than HOURS)."

    def add_options(self, parser):
        parser.add_argument("--older-than", type=hours, default=None, metavar="HOURS")

    def handle(self, *args, dry_run=False, older_than=None, **options):
        age = timedelta(hours=older_than) if older_than else idempotency.KEPT_FOR
        hours_kept = int(age / timedelta(hours=1))
        if dry_run:
            count = idempotency.expired_records(older_than=age).count()
            self.summarize(f"idempotency records: {count} older than {hours_kept} h", dry_run=True)
            return
        purged = idempotency.purge_expired(older_than=age)
        self.summarize(f"idempotency records: {purged} older than {hours_kept} h deleted")
