"""Row locks on the stock and money paths (DESIGN.md §7): one helper, a lock timeout, a fixed order.

`lock_rows` is the only way services take these locks. It
- refuses to run outside a transaction (a lock outside one is released at once and protects nothing);
- bounds every lock wait of the rest of the transaction with `SET LOCAL lock_timeout` on PostgreSQL
  (SQLite has no row locks: a write locks the whole file, so there is nothing to set). A wait that
  runs out raises `LockTimeout`, which the API answers with a 503 envelope and `Retry-After`;
- locks tables in `LOCK_ORDER` and the rows of one table by primary key, however the caller lists
  them, so two transactions that need overlapping rows queue instead of deadlocking.

A service that needs locks at two moments (completion locks the payment, reads it, then the ticket
type) calls `lock_rows` twice with tables in increasing `LOCK_ORDER`; that order is the contract.
"""

from django.db import DatabaseError, transaction
from django.db.models import Model, QuerySet

from cafa.api.exceptions import LockTimeout, is_lock_timeout

# How long one lock wait may take before the request gives up: a buyer queued behind a hot row waits a
# few seconds at most, then gets the 503 with Retry-After (issue 12; pretix waits 3 s too).
LOCK_TIMEOUT_MS = 3000

# Tables in the order locks are taken, by model label. A transaction may skip any of them but never
# takes an earlier one after a later one.
LOCK_ORDER = (
    "accounts.user",  # a buyer's or organizer's own row: one checkout or withdrawal of theirs at a time
    "payments.payment",  # everything that changes a purchase after checkout
    "events.tickettype",  # the stock of one ticket type (and its waiting list)
    "tickets.promocode",  # the uses of one promo code, which may span several ticket types
    "payouts.withdrawal",
    # Held alone, while one e-mail is sent: a second sender waits, then finds it sent.
    "tickets.cancellationnotice",
    "payouts.eventcancellation",
)


def lock_rows(*querysets: QuerySet) -> list[list[Model]]:
    """Lock the rows each queryset selects until the transaction ends; returns them, one list per queryset.

    Raises RuntimeError outside a transaction, LockTimeout when a row stays locked by others too long.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("lock_rows() must run inside transaction.atomic(): the locks end with the transaction")
    order = sorted(range(len(querysets)), key=lambda index: _rank(querysets[index].model))
    locked: dict[int, list[Model]] = {}
    try:
        _bound_lock_waits(connection)
        for index in order:
            rows = querysets[index].select_for_update(of=("self",)).order_by("pk")
            locked[index] = list(rows)
    except DatabaseError as error:
        if is_lock_timeout(error):
            raise LockTimeout() from error
        raise
    return [locked[index] for index in range(len(querysets))]


def lock_row(queryset: QuerySet) -> Model | None:
    """The one row `queryset` selects, locked (see `lock_rows`); None when there is none."""
    rows = lock_rows(queryset)[0]
    return rows[0] if rows else None


def _rank(model) -> int:
    label = model._meta.label_lower
    if label not in LOCK_ORDER:
        raise ValueError(f"{label} has no place in LOCK_ORDER; add it before locking its rows")
    return LOCK_ORDER.index(label)


def _bound_lock_waits(connection) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {int(LOCK_TIMEOUT_MS)}")
