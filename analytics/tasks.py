"""Celery entry points run for the analytics routes (the contact form's staff e-mail)."""

import smtplib

from celery import shared_task

from accounts.services import outreach


@shared_task(
    name=outreach.CONTACT_NOTIFICATION_TASK,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=3,
)
def send_contact_notification(message_id: int) -> None:
    """E-mail staff a copy of one contact-form message."""
    outreach.send_contact_notification(message_id=message_id)
