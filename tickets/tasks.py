"""Celery entry points of the tickets app."""

import smtplib

from celery import shared_task

from tickets.services import delivery


@shared_task(
    name="tickets.send_ticket_email",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=3,
)
def send_ticket_email(purchase_pk: int) -> None:
    """E-mail the buyer their tickets (one message per purchase)."""
    delivery.send_ticket_email(purchase_pk=purchase_pk)
