"""The ticket e-mail's durable record (TicketDelivery): due when tickets are issued, done once sent.

The queue is only the fast path. Whatever happens to its message (the broker refused it, a worker died
mid-send), the delivery stays due in the database and `send_due` — a periodic job and the
`send_due_ticket_emails` command — sends it a minute later. Sending is claimed under the row lock for a
lease, so a delivery is sent once however many senders try; a sender that dies holds it back only until
its lease lapses. The one gap left is a sender that dies after the mail server accepted the message but
before the delivery is marked sent: that buyer gets the e-mail twice, never zero times.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cafa.celery import enqueue
from cafa.progress import Track, no_progress
from tickets import selectors
from tickets.models import DeliveryStatus, Purchase, PurchaseStatus, TicketDelivery
from tickets.services import delivery

logger = logging.getLogger(__name__)

# Longer than one send can take (PDFs, then SMTP bounded by EMAIL_TIMEOUT; the send task's hard time
# limit is 120 s), so a claim lapses only when its sender is gone.
LEASE = timedelta(minutes=5)
MAX_RETRY_WAIT = timedelta(hours=1)
JOB_BATCH = 100
JOB_BUDGET_SECONDS = 120.0  # the job stops taking new deliveries after this; the next run goes on


@dataclass
class DueRun:
    """What one pass over the due deliveries did."""

    due: int = 0
    sent: int = 0
    cancelled: int = 0
    skipped: int = 0
    failed: int = 0
    deferred: int = 0

    def summary(self) -> str:
        return (
            f"ticket e-mails: {self.due} due, {self.sent} sent, {self.failed} failed, {self.cancelled} cancelled, "
            f"{self.skipped} taken by another sender, {self.deferred} left for the next run"
        )


def note_due(*, purchase: Purchase) -> None:
    """Record, in the caller's transaction, that the purchase's ticket e-mail is due."""
    TicketDelivery.objects.get_or_create(purchase=purchase)


def resend(*, purchase: Purchase) -> None:
    """Make the ticket e-mail due again and queue it: an explicit resend always sends once more.

    A queueing failure loses nothing: the periodic job sends the delivery a minute later.
    """
    TicketDelivery.objects.update_or_create(
        purchase=purchase,
        defaults={"status": DeliveryStatus.DUE, "due_since": timezone.now(), "retry_at": None, "sent_at": None},
    )
    purchase_pk = purchase.pk
    transaction.on_commit(lambda: enqueue("tickets.send_ticket_email", purchase_pk), robust=True)


def deliver(*, purchase_pk: int) -> str:
    """Send the purchase's ticket e-mail if it is due and no other sender holds it. Idempotent.

    Returns `sent`, `cancelled` (no issued ticket left: refunded meanwhile), `done` (already sent,
    cancelled or never issued) or `busy` (another sender holds the claim). A delivery error is
    recorded, the claim released, and the error raised again so the caller may retry.
    """
    outcome, claim = _claim(purchase_pk)
    if claim is None:
        return outcome
    try:
        sent = delivery.send_ticket_email(purchase_pk=purchase_pk)
    except Exception as error:
        _record_failure(claim, error)
        raise
    _finish(claim, DeliveryStatus.SENT if sent else DeliveryStatus.CANCELLED)
    return "sent" if sent else "cancelled"


def send_due(
    *,
    now=None,
    dry_run: bool = False,
    limit: int | None = JOB_BATCH,
    budget=JOB_BUDGET_SECONDS,
    track: Track = no_progress,
) -> DueRun:
    """Send every ticket e-mail still due a minute after it became due (the job and the command).

    The job takes at most `limit` deliveries and starts no send after `budget` seconds, so a run stays
    short and the next run goes on; the command passes None for both. One failing delivery never stops
    the others: it is recorded and retried later with a growing wait.
    """
    purchase_pks = list(selectors.due_ticket_deliveries(now or timezone.now())[:limit])
    run = DueRun(due=len(purchase_pks))
    if dry_run:
        return run
    deadline = None if budget is None else time.monotonic() + budget
    for purchase_pk in track(purchase_pks, len(purchase_pks)):
        if deadline is not None and time.monotonic() > deadline:
            run.deferred += 1
            continue
        try:
            outcome = deliver(purchase_pk=purchase_pk)
        except Exception:  # recorded on the delivery and logged; a later run retries it
            run.failed += 1
            continue
        run.sent += outcome == "sent"
        run.cancelled += outcome == "cancelled"
        run.skipped += outcome in ("busy", "done")
    return run


def _claim(purchase_pk: int) -> tuple[str, TicketDelivery | None]:
    """`("claimed", delivery)` held for LEASE, else `("done", None)` or `("busy", None)`."""
    now = timezone.now()
    with transaction.atomic():
        claim = _locked_delivery(purchase_pk)
        if claim is None or claim.status != DeliveryStatus.DUE:
            return "done", None
        if claim.claimed_until is not None and claim.claimed_until > now:
            return "busy", None
        claim.claimed_until, claim.attempts = now + LEASE, claim.attempts + 1
        claim.save(update_fields=["claimed_until", "attempts", "updated_at"])
        return "claimed", claim


def _locked_delivery(purchase_pk: int) -> TicketDelivery | None:
    found = TicketDelivery.objects.select_for_update().filter(purchase_id=purchase_pk).first()
    if found is None and Purchase.objects.filter(pk=purchase_pk, status=PurchaseStatus.COMPLETED).exists():
        # Issued before deliveries were recorded (a message queued before the upgrade): due now.
        TicketDelivery.objects.get_or_create(purchase_id=purchase_pk)
        found = TicketDelivery.objects.select_for_update().get(purchase_id=purchase_pk)
    return found


def _finish(claim: TicketDelivery, status: str) -> None:
    """Release the claim; mark the delivery done unless a resend made it due again meanwhile."""
    now = timezone.now()
    with transaction.atomic():
        current = TicketDelivery.objects.select_for_update().get(pk=claim.pk)
        current.claimed_until = None
        if current.status == DeliveryStatus.DUE and current.due_since == claim.due_since:
            current.status, current.retry_at, current.last_error = status, None, ""
            current.sent_at = now if status == DeliveryStatus.SENT else None
        current.save()


def _record_failure(claim: TicketDelivery, error: Exception) -> None:
    wait = min(timedelta(seconds=2 ** min(claim.attempts, 12)), MAX_RETRY_WAIT)  # 2 s, 4 s, ... an hour
    logger.error(
        "ticket_email_failed purchase=%s attempt=%d retry_in=%ds error=%r",
        claim.purchase_id,
        claim.attempts,
        wait.total_seconds(),
        f"{type(error).__name__}: {error}",
    )
    TicketDelivery.objects.filter(pk=claim.pk).update(
        claimed_until=None,
        retry_at=timezone.now() + wait,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        updated_at=timezone.now(),
    )
