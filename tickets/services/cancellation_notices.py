"""The buyer's e-mail when their event is cancelled: due with the purchase's cancellation, sent once.

The notice row is written in the transaction that cancels the tickets (or refunds a late payment), so
no crash loses it; `send` holds the row's lock while it sends and stamps `sent_at` in the same
transaction, so two senders (a cancellation run and a resumed one) send it once. A sender that dies
after the mail server accepted the message but before its commit leaves it due: that buyer gets the
e-mail twice, never zero times.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cafa.api.exceptions import LockTimeout
from cafa.celery import enqueue
from cafa.locking import lock_row
from cafa.progress import Track, no_progress
from tickets.models import CancellationNotice, Purchase
from tickets.services import documents

logger = logging.getLogger(__name__)


@dataclass
class NoticeRun:
    due: int = 0
    sent: int = 0
    failed: int = 0


def note_due(*, purchase: Purchase, send_after_commit: bool = False) -> None:
    """Record, in the caller's transaction, that the buyer must be told (once).

    `send_after_commit` queues the e-mail (a late payment refunded in a webhook); a cancellation run
    sends its own. A lost message loses nothing: the periodic cancellation job sends what is still due.
    """
    CancellationNotice.objects.get_or_create(purchase=purchase)
    if send_after_commit:
        purchase_pk = purchase.pk
        transaction.on_commit(lambda: enqueue("tickets.send_cancellation_notice", purchase_pk), robust=True)


def due_notices(*, event_id: int | None = None):
    """Purchase pks whose cancellation e-mail is still to send, oldest first."""
    notices = CancellationNotice.objects.filter(sent_at__isnull=True)
    if event_id is not None:
        notices = notices.filter(purchase__event_id=event_id)
    return notices.order_by("created_at", "pk").values_list("purchase_id", flat=True)


def send(*, purchase_pk: int) -> bool:
    """Send the purchase's cancellation e-mail if it is still due; True when this call sent it.

    Delivery errors are recorded on the notice and raised; the notice stays due for the next run.
    """
    try:
        with transaction.atomic():
            notice = lock_row(CancellationNotice.objects.filter(purchase_id=purchase_pk, sent_at__isnull=True))
            if notice is None:
                return False
            _send_email(notice.purchase_id)
            notice.sent_at, notice.attempts, notice.last_error = timezone.now(), notice.attempts + 1, ""
            notice.save(update_fields=["sent_at", "attempts", "last_error"])
    except LockTimeout:
        return False  # another sender holds it and will finish it
    except Exception as error:
        CancellationNotice.objects.filter(purchase_id=purchase_pk).update(last_error=f"{type(error).__name__}: {error}")
        raise
    return True


def send_due(*, event_id: int | None = None, track: Track = no_progress) -> NoticeRun:
    """Send every due cancellation e-mail (of one event, or all); one failure never stops the others."""
    purchase_pks = list(due_notices(event_id=event_id))
    run = NoticeRun(due=len(purchase_pks))
    for purchase_pk in track(purchase_pks, len(purchase_pks)):
        try:
            run.sent += send(purchase_pk=purchase_pk)
        except Exception as error:  # recorded on the notice; the next run retries it
            logger.error("cancellation_notice_failed purchase=%s error=%r", purchase_pk, str(error))
            run.failed += 1
    return run


def _send_email(purchase_pk: int) -> None:
    purchase = Purchase.objects.select_related("event").get(pk=purchase_pk)
    event = purchase.event
    context = {
        "purchase": purchase,
        "event": event,
        "event_date": documents.format_event_date(event),
        "paid": purchase.total > 0,
        "total": documents.format_money(purchase.total),
        "reason": event.cancellation_reason,
    }
    body = render_to_string("tickets/email/event_cancelled.txt", context)
    subject = f"Cancelled: {event.title}"
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [purchase.attendee_email])
