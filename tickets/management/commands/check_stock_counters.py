"""`manage.py check_stock_counters [--repair]`: are the ticket types' issued counters exact?

Compares every type's `issued_count` (what the stock rule reads under the lock) with a full count of
its issued tickets, confirming each difference under the type's lock. Prints one summary line naming
every drifted type and exits non-zero when one drifted; `--repair` sets those counters to the count
(under the same lock) and exits zero. Read-only without `--repair`; safe while workers run.
"""

from cafa.commands import OperatorCommand
from tickets.services import stock_counters


class Command(OperatorCommand):
    help = "Check every ticket type's issued counter against a full count of its tickets (--repair fixes it)."
    writes = False

    def add_options(self, parser):
        parser.add_argument("--repair", action="store_true", help="Set each drifted counter to the full count.")

    def handle(self, *args, repair=False, **options):
        check = stock_counters.check_stock_counters(repair=repair, track=self.track("drifted ticket types"))
        self.summarize(check.summary(), failed=bool(check.drifted) and not repair)
