"""The waiting list's e-mails (CONTRACT.md §17): joined, offered (its deadline and link), offer lapsed.

Each is recorded as a `WaitlistNotice` in the transaction that caused it and queued after the commit;
the queue is only the fast path. A notice still unsent a minute later (lost message, dead worker, SMTP
down) is sent by the waiting-list job, so an offer's e-mail cannot be lost with a queue message. A
sender claims a notice for a lease first, so two senders never send it together; a failure holds it
back for a growing wait before the job tries again.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from cafa.celery import enqueue
from tickets import selectors
from tickets.models import WaitlistEntry, WaitlistNotice, WaitlistNoticeKind, WaitlistStatus

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
DUE_AFTER = timedelta(minutes=1)
MAX_RETRY_WAIT = timedelta(hours=1)
JOB_BATCH = 200

SUBJECTS = {
    WaitlistNoticeKind.JOINED: "You are on the waiting list for {event}",
    WaitlistNoticeKind.OFFERED: "Tickets are held for you: {event}",
    WaitlistNoticeKind.LAPSED: "Your waiting list offer for {event} has lapsed",
}
# A notice only makes sense while its entry is still where the notice says.
STILL_TRUE = {WaitlistNoticeKind.OFFERED: WaitlistStatus.OFFERED, WaitlistNoticeKind.LAPSED: WaitlistStatus.EXPIRED}


@dataclass
class NoticeRun:
    due: int = 0
    sent: int = 0
    failed: int = 0


def note(*, entry: WaitlistEntry, kind: str) -> None:
    """Record, in the caller's transaction, that the entry's `kind` e-mail is due; queue it after commit."""
    notice, created = WaitlistNotice.objects.get_or_create(entry=entry, kind=kind)
    if created:
        notice_pk = notice.pk
        transaction.on_commit(lambda: enqueue("tickets.send_waitlist_notice", notice_pk), robust=True)


def offer_url(entry: WaitlistEntry) -> str:
    return f"{settings.FRONTEND_URL}/waitlist/{entry.entry_id}"


def deliver(*, notice_pk: int) -> str:
    """Send the notice unless it is sent, held by another sender, or no longer true (then it is closed
    unsent). Returns `sent`, `skipped` or `busy`. A delivery error is recorded and raised again."""
    if not _claim(notice_pk):
        return "busy"
    notice = WaitlistNotice.objects.select_related("entry__event", "entry__ticket_type").get(pk=notice_pk)
    entry = notice.entry
    wanted = STILL_TRUE.get(notice.kind)
    if wanted is not None and entry.status != wanted:
        _finish(notice, error=f"not sent: the entry is {entry.status}")
        return "skipped"
    try:
        _send(notice.kind, entry)
    except Exception as error:
        _record_failure(notice, error)
        raise
    _finish(notice)
    return "sent"


def send_due(*, now=None, limit: int | None = JOB_BATCH) -> NoticeRun:
    """Send every notice still unsent a minute after it was recorded (the job; a failure never stops the rest)."""
    pks = list(selectors.waitlist_notices_due(now or timezone.now(), DUE_AFTER)[:limit])
    run = NoticeRun(due=len(pks))
    for notice_pk in pks:
        try:
            run.sent += deliver(notice_pk=notice_pk) == "sent"
        except Exception:  # recorded on the notice and logged; a later run retries it
            run.failed += 1
    return run


def _claim(notice_pk: int) -> bool:
    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    claimed = WaitlistNotice.objects.filter(free, pk=notice_pk, sent_at__isnull=True)
    return bool(claimed.update(claimed_until=now + LEASE))


def _send(kind: str, entry: WaitlistEntry) -> None:
    event = entry.event
    context = {
        "entry": entry,
        "event": event,
        "ticket_type": entry.ticket_type,
        "offer_url": offer_url(entry),
        "offer_deadline": _local(entry.offer_expires_at, event.timezone),
        "waitlist_url": f"{settings.FRONTEND_URL}/events/{event.slug}",
    }
    body = render_to_string(f"tickets/email/waitlist_{kind}.txt", context)
    send_mail(SUBJECTS[kind].format(event=event.title), body, settings.DEFAULT_FROM_EMAIL, [entry.attendee_email])


def _local(moment, zone_name: str) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(zone_name))
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} ({zone_name})"


def _finish(notice: WaitlistNotice, error: str = "") -> None:
    WaitlistNotice.objects.filter(pk=notice.pk).update(
        sent_at=timezone.now(), claimed_until=None, attempts=notice.attempts + 1, last_error=error
    )


def _record_failure(notice: WaitlistNotice, error: Exception) -> None:
    attempts = notice.attempts + 1
    wait = min(timedelta(seconds=60 * 2 ** min(attempts, 6)), MAX_RETRY_WAIT)  # 2 min, 4 min, ... an hour
    logger.error(
        "waitlist_notice_failed notice=%s kind=%s attempt=%d retry_in=%ds error=%r",
        notice.pk,
        notice.kind,
        attempts,
        wait.total_seconds(),
        f"{type(error).__name__}: {error}",
    )
    WaitlistNotice.objects.filter(pk=notice.pk).update(
        claimed_until=timezone.now() + wait, attempts=attempts, last_error=f"{type(error).__name__}: {error}"[:2000]
    )
