"""Celery entry points of the accounts app."""

import smtplib

from celery import shared_task
from django.contrib.auth import get_user_model

from accounts import emails
from accounts.services import outreach


@shared_task(
    name="accounts.send_account_email",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=3,
)
def send_account_email(kind: str, user_id: int, **extra) -> None:
    """Build and send one account e-mail; a user deleted meanwhile gets nothing."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None:
        emails.build(kind, user, **extra).send()


@shared_task(
    name="accounts.send_contact_notification",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=3,
)
def send_contact_notification(message_id: int) -> None:
    """E-mail staff a copy of one contact-form message."""
    outreach.send_contact_notification(message_id=message_id)
