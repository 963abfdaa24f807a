"""The operators' check of the issued counters (`manage.py check_stock_counters [--repair]`).

`TicketType.issued_count` is moved in the same transaction as every ticket it counts, so any snapshot
of the database shows it equal to a full count of the type's issued tickets (active or used). This
check says so for every type: one query compares them all; a type that differs is counted again under
its lock (`cafa.locking`), so the figure reported (and, with `repair`, written) is exact even while
workers sell.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction

from cafa.locking import lock_row
from cafa.progress import Track, no_progress
from events import services as events_services
from events.models import TicketType
from tickets import selectors

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Drift:
    ticket_type_id: int
    stored: int
    counted: int

    def __str__(self) -> str:
        return f"ticket type {self.ticket_type_id}: counter {self.stored}, issued tickets {self.counted}"


@dataclass
class CounterCheck:
    """What one check found; `summary()` is the command's line."""

    checked: int = 0
    drifted: list[Drift] = field(default_factory=list)
    repaired: bool = False

    def summary(self) -> str:
        verb = "repaired" if self.repaired else "drifted"
        line = f"stock counters: {self.checked} ticket types checked, {len(self.drifted)} {verb}"
        return line + "".join(f"; {drift}" for drift in self.drifted)


def check_stock_counters(*, repair: bool = False, track: Track = no_progress) -> CounterCheck:
    """Compare every type's issued counter with a full count; each difference is confirmed under the
    type's lock, logged as an error, and with `repair` the counter is set to the count (same lock)."""
    rows = list(selectors.issued_counts_against_counters().values_list("pk", "issued_count", "counted").order_by("pk"))
    check = CounterCheck(checked=len(rows), repaired=repair)
    suspects = [pk for pk, stored, counted in rows if stored != counted]
    for ticket_type_id in track(suspects, len(suspects)):
        drift = _confirm(ticket_type_id, repair)
        if drift is not None:
            logger.error("stock_counter_drift %s%s", drift, " (repaired)" if repair else "")
            check.drifted.append(drift)
    return check


def _confirm(ticket_type_id: int, repair: bool) -> Drift | None:
    with transaction.atomic():
        ticket_type = lock_row(TicketType.objects.filter(pk=ticket_type_id))
        if ticket_type is None:  # deleted meanwhile
            return None
        counted = selectors.issued_tickets_of(ticket_type_id)
        if counted == ticket_type.issued_count:
            return None
        if repair:
            events_services.set_issued_count(ticket_type_id=ticket_type_id, issued=counted)
        return Drift(ticket_type_id, stored=ticket_type.issued_count, counted=counted)
