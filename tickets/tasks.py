"""Celery entry points of the tickets app."""

import smtplib

from celery import shared_task

from tickets.services import delivery, reminders

DELIVERY_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(name="tickets.send_ticket_email", autoretry_for=DELIVERY_ERRORS, retry_backoff=True, max_retries=3)
def send_ticket_email(purchase_pk: int) -> None:
    """E-mail the buyer their tickets (one message per purchase, a PDF per ticket)."""
    delivery.send_ticket_email(purchase_pk=purchase_pk)


@shared_task(name="tickets.send_event_reminders", ignore_result=True)
def send_event_reminders() -> int:
    """Every 15 minutes: claim the reminders now due (24 h and 1 h before events) and queue each e-mail."""
    claimed = reminders.claim_due_reminders()
    for purchase_pk, kind in claimed:
        send_event_reminder.delay(purchase_pk, kind)
    return len(claimed)


@shared_task(name="tickets.send_event_reminder", autoretry_for=DELIVERY_ERRORS, retry_backoff=True, max_retries=3)
def send_event_reminder(purchase_pk: int, kind: str) -> None:
    """E-mail one claimed reminder."""
    reminders.send_reminder_email(purchase_pk=purchase_pk, kind=kind)
