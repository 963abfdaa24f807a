"""Celery entry points of the tickets app."""

import logging
import smtplib

from celery import shared_task

from cafa.celery import enqueue_or_run
from tickets.services import cancellation_notices, outbox, reminders, waitlist, waitlist_notices

logger = logging.getLogger(__name__)

DELIVERY_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


# The hard time limit stays under the delivery's claim (outbox.LEASE): a claim never lapses while its
# sender may still be running.
@shared_task(
    name="tickets.send_ticket_email", autoretry_for=DELIVERY_ERRORS, retry_backoff=True, max_retries=3, time_limit=120
)
def send_ticket_email(purchase_pk: int) -> str:
    """E-mail the buyer their tickets if the delivery is due: a re-run after a send sends nothing."""
    return outbox.deliver(purchase_pk=purchase_pk)


# JOB_BUDGET_SECONDS of new sends plus one send (under 120 s) fit under the hard limit.
@shared_task(name="tickets.send_due_ticket_emails", ignore_result=True, time_limit=300)
def send_due_ticket_emails() -> int:
    """Every minute: send the ticket e-mails still due a minute on (their queue message was lost)."""
    run = outbox.send_due()
    if run.due:
        logger.info("%s", run.summary())
    return run.sent


@shared_task(name="tickets.send_event_reminders", ignore_result=True)
def send_event_reminders() -> int:
    """Every 15 minutes: claim the reminders now due (24 h and 1 h before events) and queue each e-mail."""
    claimed = reminders.claim_due_reminders()
    for purchase_pk, kind in claimed:  # claimed means recorded as sent: never drop one on a broker error
        enqueue_or_run("tickets.send_event_reminder", purchase_pk, kind)
    return len(claimed)


@shared_task(name="tickets.send_event_reminder", autoretry_for=DELIVERY_ERRORS, retry_backoff=True, max_retries=3)
def send_event_reminder(purchase_pk: int, kind: str) -> None:
    """E-mail one claimed reminder."""
    reminders.send_reminder_email(purchase_pk=purchase_pk, kind=kind)


@shared_task(name="tickets.send_cancellation_notice", autoretry_for=DELIVERY_ERRORS, retry_backoff=True, max_retries=3)
def send_cancellation_notice(purchase_pk: int) -> bool:
    """Tell a buyer their event was cancelled, if that e-mail is still due (a repeat sends nothing)."""
    return cancellation_notices.send(purchase_pk=purchase_pk)


@shared_task(name="tickets.send_waitlist_notice", ignore_result=True, time_limit=120)
def send_waitlist_notice(notice_pk: int) -> str:
    """E-mail one waiting-list notice if it is still due (a failure is retried by the job, with a growing wait)."""
    try:
        return waitlist_notices.deliver(notice_pk=notice_pk)
    except DELIVERY_ERRORS:
        return "failed"  # recorded on the notice; the job sends it once its wait is over


# Each type is served in a short transaction of its own; the notices are a bounded batch.
@shared_task(name="tickets.serve_waiting_lists", ignore_result=True, time_limit=300)
def serve_waiting_lists() -> int:
    """Every minute: close queues whose sales ended, expire lapsed offers, offer freed seats, send due e-mails."""
    run = waitlist.serve_all_queues()
    if run.offers or run.lapsed or run.cancelled or run.deferred:
        logger.info("%s", run.summary())
    waitlist_notices.send_due()
    return run.offers
