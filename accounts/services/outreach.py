"""Public outreach (CONTRACT.md §12): contact-form messages for staff and the newsletter list."""

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import ContactMessage, NewsletterSource, NewsletterSubscription
from cafa.celery import enqueue_or_run

CONTACT_NOTIFICATION_TASK = "accounts.send_contact_notification"


# --- Contact ----------------------------------------------------------------------------------


def submit_contact_message(*, name: str, email: str, subject: str, message: str, phone: str = "") -> ContactMessage:
    """Store a contact-form message; staff are e-mailed a copy after the commit."""
    with transaction.atomic():
        contact = ContactMessage.objects.create(
            name=name, email=email, phone=phone or "", subject=subject, message=message
        )
        transaction.on_commit(partial(enqueue_or_run, CONTACT_NOTIFICATION_TASK, contact.pk))
    return contact


def staff_addresses() -> list[str]:
    """STAFF_NOTIFICATION_EMAILS, else the e-mail of every active staff user."""
    configured = [address for address in settings.STAFF_NOTIFICATION_EMAILS if address]
    if configured:
        return configured
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    return list(staff.order_by("pk").values_list("email", flat=True))


def send_contact_notification(*, message_id: int) -> None:
    """E-mail staff one contact message (replying goes to the sender). Nothing if it or staff are gone."""
    contact = ContactMessage.objects.filter(pk=message_id).first()
    recipients = staff_addresses()
    if contact is None or not recipients:
        return
    # Header values must be single-line: the sender chose the subject.
    subject = " ".join(f"[{contact.reference}] {contact.subject}".split())
    body = render_to_string("accounts/email/contact_staff.txt", {"contact": contact})
    EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, reply_to=[contact.email]).send()


# --- Newsletter -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    """The subscription after `subscribe`, and whether the call created, re-activated or found it."""

    record: NewsletterSubscription
    outcome: str  # "created" | "reactivated" | "already_subscribed"


def subscribe(*, email: str, source: str = NewsletterSource.FOOTER) -> Subscription:
    """Put an address on the list (compared case-insensitively); re-activates an unsubscribed one."""
    email = email.strip().lower()
    now = timezone.now()
    try:
        with transaction.atomic():
            record = NewsletterSubscription.objects.select_for_update().filter(email__iexact=email).first()
            if record is None:
                record = NewsletterSubscription.objects.create(email=email, source=source, subscribed_at=now)
                return Subscription(record, "created")
            if record.is_active:
                return Subscription(record, "already_subscribed")
            record.is_active, record.source, record.subscribed_at, record.unsubscribed_at = True, source, now, None
            record.save(update_fields=["is_active", "source", "subscribed_at", "unsubscribed_at"])
            return Subscription(record, "reactivated")
    except IntegrityError:
        # A simultaneous request inserted the same address first: it is subscribed now.
        return Subscription(NewsletterSubscription.objects.get(email__iexact=email), "already_subscribed")


def unsubscribe(*, email: str) -> bool:
    """Take an address off the list (the row stays, inactive). True if it was subscribed."""
    updated = NewsletterSubscription.objects.filter(email__iexact=email.strip(), is_active=True).update(
        is_active=False, unsubscribed_at=timezone.now()
    )
    return updated > 0
