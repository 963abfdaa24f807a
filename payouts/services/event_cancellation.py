"""Cancelling an event (CONTRACT.md §5.3, §14): a staff action, from the admin or `manage.py cancel_event`.

It lives in payouts, the highest layer it needs: it marks the event cancelled (events), settles every
purchase — refund and void the tickets, or close an unpaid reservation — (payments, tickets), and keeps
the organizer from withdrawing what is being refunded (payouts: balances, withdrawals, the ledger, whose
sale reversals the payments refund writes through its `sale_refunded` signal).

Two steps. `request_cancellation` is one short transaction: the event stops selling, leaves the public
lists and its earnings stop being withdrawable. `run_cancellation` then settles the purchases one by one,
each in its own transaction under its payment's lock (no giant transaction however many there are),
sends each buyer's e-mail and, once nothing is left, the organizer's. Every step is idempotent: a second
run, a concurrent one, or the periodic job resuming an interrupted run changes nothing already done.

If the organizer had already withdrawn the event's money, its reversal leaves their balance owing
(`selectors.amount_owed`): `available_balance` shows 0, withdrawals are refused until later earnings
cover the debt, and a still-pending withdrawal that the cancellation leaves uncovered is rejected.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cafa.api.exceptions import LockTimeout
from cafa.locking import lock_row, lock_rows
from cafa.progress import Track, no_progress
from events import services as events_services
from events.models import Event
from payments.services import event_cancellation as purchases
from payouts import selectors
from payouts.exceptions import WithdrawalRefused
from payouts.models import EventCancellation, Withdrawal, WithdrawalStatus
from payouts.services import withdrawals
from tickets.services import cancellation_notices

logger = logging.getLogger(__name__)

DEFAULT_REASON = "The event will not take place."
HEARTBEAT_EVERY = 50  # purchases between two `last_progress_at` stamps
RESUME_AFTER = timedelta(minutes=5)  # a run silent this long is taken to have died


@dataclass
class CancellationRun:
    """What one run did; `summary()` is the command's line."""

    event: Event
    newly_cancelled: bool = False
    outcomes: Counter = field(default_factory=Counter)
    notices_sent: int = 0
    notices_failed: int = 0
    rejected_withdrawal: str | None = None
    organizer_notified: bool = False
    organizer_failed: bool = False
    finished: bool = False

    @property
    def failed(self) -> bool:
        return self.notices_failed > 0 or self.organizer_failed

    def summary(self) -> str:
        counts = self.outcomes
        state = "finished" if self.finished else "not finished (run it again)"
        cancelled = "cancelled now" if self.newly_cancelled else "already cancelled"
        line = (
            f"event {self.event.pk} ({self.event.slug}): {cancelled}; "
            f"{counts[purchases.REFUNDED]} paid orders refunded, {counts[purchases.FREE]} free orders cancelled, "
            f"{counts[purchases.RELEASED]} reservations released, {counts[purchases.LEFT_PENDING]} left to the expiry "
            f"sweep; {self.notices_sent} buyer e-mails sent, {self.notices_failed} failed; "
            f"organizer {_organizer_state(self)}; {state}"
        )
        if self.rejected_withdrawal:
            line += f"; withdrawal {self.rejected_withdrawal} rejected (no longer covered)"
        return line


def _organizer_state(run: CancellationRun) -> str:
    if run.organizer_failed:
        return "e-mail failed"
    return "e-mailed" if run.organizer_notified else "not e-mailed by this run"


def cancel_event(*, event: Event, reason: str = "", requested_by=None, track: Track = no_progress) -> CancellationRun:
    """Cancel the event and settle all of it now (the command). Idempotent; see the module docstring."""
    request = request_cancellation(event=event, reason=reason, requested_by=requested_by)
    run = run_cancellation(event=event, track=track)
    run.newly_cancelled, run.rejected_withdrawal = request.newly_cancelled, request.rejected_withdrawal
    return run


@dataclass
class CancellationRequest:
    cancellation: EventCancellation
    newly_cancelled: bool
    rejected_withdrawal: str | None


def request_cancellation(*, event: Event, reason: str = "", requested_by=None) -> CancellationRequest:
    """Step one, two short transactions: the event is cancelled (off the public lists, no more sales) and
    its earnings stop being withdrawable; then a pending withdrawal they no longer cover is rejected.

    The second transaction locks the organizer's row, as a withdrawal request does: a request that
    committed before it is seen and judged here; one after it reads a balance without the event. (One
    transaction would deadlock: a sale completing now holds its ticket type's lock while its ledger
    entry needs a key-share lock on the organizer's row.) A repeat changes nothing.
    """
    reason = (reason or "").strip()[:300] or DEFAULT_REASON
    with transaction.atomic():
        newly = events_services.mark_cancelled(event_id=event.pk, reason=reason)
        cancellation, _ = EventCancellation.objects.get_or_create(
            event_id=event.pk, defaults={"reason": reason, "requested_by": requested_by}
        )
    rejected = None
    if newly:
        with transaction.atomic():
            lock_rows(get_user_model().objects.filter(pk=event.organizer_id).only("pk"))
            rejected = _reject_uncovered_withdrawal(event)
    if newly:
        logger.warning("event_cancelled event=%s by=%s reason=%r", event.pk, getattr(requested_by, "pk", None), reason)
    return CancellationRequest(cancellation, newly, rejected.withdrawal_id if rejected else None)


def _reject_uncovered_withdrawal(event: Event) -> Withdrawal | None:
    if selectors.amount_owed(event.organizer_id) <= 0:
        return None
    pending = Withdrawal.objects.filter(
        organizer_id=event.organizer_id, status=WithdrawalStatus.PENDING, processing_at__isnull=True
    ).first()
    if pending is None:
        return None
    reason = f"{event.title} was cancelled and its sales refunded; your balance no longer covers this withdrawal."
    try:
        return withdrawals.reject_withdrawal(withdrawal=pending, reason=reason)
    except WithdrawalRefused:  # its transfer started meanwhile: the amount stays owed
        return None


def run_cancellation(*, event: Event, track: Track = no_progress) -> CancellationRun:
    """Step two: settle every purchase of a cancelled event, e-mail its buyers, then its organizer (once).

    Resumable and idempotent: purchases already settled and e-mails already sent are skipped.
    """
    cancellation = EventCancellation.objects.select_related("event__organizer").get(event_id=event.pk)
    event = cancellation.event
    run = CancellationRun(event=event)
    message = f"The event was cancelled: {cancellation.reason}"
    payment_pks = list(purchases.payments_to_settle(event_id=event.pk))
    for number, payment_pk in enumerate(track(payment_pks, len(payment_pks)), start=1):
        run.outcomes[purchases.settle_for_cancelled_event(payment_pk=payment_pk, message=message)] += 1
        if number % HEARTBEAT_EVERY == 0:
            _heartbeat(cancellation)
    notices = cancellation_notices.send_due(event_id=event.pk)
    run.notices_sent, run.notices_failed = notices.sent, notices.failed
    if _nothing_left(event):
        notified = _notify_organizer(cancellation)
        run.organizer_notified, run.organizer_failed = notified == SENT, notified == FAILED
        if not run.organizer_failed:
            _finish(cancellation)
            run.finished = True
    _heartbeat(cancellation)
    return run


def preview_cancellation(*, event: Event) -> dict:
    """What a run would do now (dry run): orders to refund or release and the money involved."""
    return purchases.cancellation_preview(event_id=event.pk)


def _nothing_left(event: Event) -> bool:
    return not purchases.payments_to_settle(event_id=event.pk).exists() and not (
        cancellation_notices.due_notices(event_id=event.pk).exists()
    )


def _heartbeat(cancellation: EventCancellation) -> None:
    EventCancellation.objects.filter(pk=cancellation.pk).update(last_progress_at=timezone.now())


def _finish(cancellation: EventCancellation) -> None:
    EventCancellation.objects.filter(pk=cancellation.pk, finished_at__isnull=True).update(finished_at=timezone.now())


SENT, NOT_SENT, FAILED = "sent", "not sent", "failed"


def _notify_organizer(cancellation: EventCancellation) -> str:
    """E-mail the organizer the outcome, once (under the cancellation's row lock): `sent` by this call,
    `not sent` (already sent, or another run is sending it) or `failed` (left for the next run)."""
    try:
        with transaction.atomic():
            locked = lock_row(EventCancellation.objects.filter(pk=cancellation.pk, organizer_notified_at__isnull=True))
            if locked is None:
                return NOT_SENT
            _send_organizer_email(cancellation)
            locked.organizer_notified_at = timezone.now()
            locked.save(update_fields=["organizer_notified_at"])
    except LockTimeout:
        return NOT_SENT
    except Exception as error:  # a mail server error: the next run (or the job) sends it
        logger.error("organizer_cancellation_email_failed event=%s error=%r", cancellation.event_id, str(error))
        return FAILED
    return SENT


def _send_organizer_email(cancellation: EventCancellation) -> None:
    event = cancellation.event
    organizer = event.organizer
    context = {
        "event": event,
        "organizer": organizer,
        "reason": cancellation.reason,
        "figures": selectors.cancellation_figures(event.pk),
        "owed": selectors.amount_owed(organizer.pk),
    }
    body = render_to_string("payouts/email/event_cancelled_organizer.txt", context)
    send_mail(f"Your event {event.title} was cancelled", body, settings.DEFAULT_FROM_EMAIL, [organizer.email])


def resume_cancellations(*, now=None) -> int:
    """The periodic job: finish every cancellation whose run stopped before the end (a lost queue
    message, a worker that died, a provider that was down). Returns how many it ran."""
    quiet_since = (now or timezone.now()) - RESUME_AFTER
    stalled = EventCancellation.objects.filter(finished_at__isnull=True, requested_at__lte=quiet_since).exclude(
        last_progress_at__gt=quiet_since
    )
    ran = 0
    for event_id in list(stalled.values_list("event_id", flat=True)):
        run_cancellation(event=Event.objects.get(pk=event_id))
        ran += 1
    cancellation_notices.send_due()  # late payments refunded after a run finished, whose message was lost
    return ran
