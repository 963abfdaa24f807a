"""The issued counter of a ticket type (`TicketType.issued_count`): moved by the tickets app, in its
transactions, through these services only (the tickets app never writes events' tables itself).

Every move is one atomic `UPDATE ... SET issued_count = issued_count + n`, so concurrent moves never
lose one another. The UPDATE takes the ticket type's row lock (`cafa.locking` order: after the user and
the payment, before promo codes): callers either hold it already or take it here, in that order.
"""

from django.db.models import Case, F, Value, When

from events.models import TicketType


def count_issued(*, ticket_type_id: int, delta: int, at) -> None:
    """Move the type's issued counter by `delta` (tickets that became issued, minus those that stopped
    being issued) in the caller's transaction. When issuing fills the type, `sold_out_at` is stamped at
    `at` (the first stamp stays). No query when `delta` is 0."""
    if delta == 0:
        return
    changes = {"issued_count": F("issued_count") + delta}
    if delta > 0:  # the right-hand sides read the row before the update
        filled = When(sold_out_at__isnull=True, issued_count__gte=F("quantity") - delta, then=Value(at))
        changes["sold_out_at"] = Case(filled, default=F("sold_out_at"))
    TicketType.objects.filter(pk=ticket_type_id).update(**changes)


def set_issued_count(*, ticket_type_id: int, issued: int) -> None:
    """Operators' repair (`manage.py check_stock_counters --repair`): the counter set to a full count made
    under the type's lock, in the caller's transaction."""
    TicketType.objects.filter(pk=ticket_type_id).update(issued_count=issued)
