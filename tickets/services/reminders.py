"""Event reminders (CONTRACT.md §15): 24 hours and 1 hour before an event starts, once per purchase and kind.

A run first *claims* each due reminder by inserting its `SentReminder` row (unique per purchase and
kind) and only then sends, so two runs at the same time can never both send the same reminder.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tickets import selectors
from tickets.models import Purchase, ReminderKind, SentReminder, TicketStatus
from tickets.services.delivery import event_context

# (sooner, later): a reminder of the kind is due while the event starts in (now + sooner, now + later].
# The day-before window stops where the hour-before one begins, so a late buyer gets one reminder, not two.
REMINDER_WINDOWS = {
    ReminderKind.DAY_BEFORE: (timedelta(hours=1), timedelta(hours=24)),
    ReminderKind.HOUR_BEFORE: (timedelta(0), timedelta(hours=1)),
}
WHEN = {ReminderKind.DAY_BEFORE: "in less than 24 hours", ReminderKind.HOUR_BEFORE: "in less than an hour"}


def claim_due_reminders(now=None) -> list[tuple[int, str]]:
    """Record every reminder due now and return the (purchase pk, kind) pairs this run must send.

    A pair another run already claimed is skipped (the unique constraint decides).
    """
    now = now or timezone.now()
    claimed = []
    for kind, (sooner, later) in REMINDER_WINDOWS.items():
        due = selectors.purchases_due_reminder(kind=kind, starts_after=now + sooner, starts_until=now + later)
        for purchase_pk in due.values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    SentReminder.objects.create(purchase_id=purchase_pk, kind=kind)
            except IntegrityError:
                continue
            claimed.append((purchase_pk, kind))
    return claimed


def send_reminder_email(*, purchase_pk: int, kind: str) -> bool:
    """E-mail one claimed reminder. Skips (False) when nothing is left to remind of or the buyer opted out."""
    purchase = Purchase.objects.select_related("event", "buyer").filter(pk=purchase_pk).first()
    if purchase is None or not purchase.buyer.event_reminders or purchase.event.starts_at <= timezone.now():
        return False
    tickets = list(purchase.tickets.filter(status=TicketStatus.ACTIVE).select_related("ticket_type").order_by("id"))
    if not tickets:
        return False
    event = purchase.event
    context = {**event_context(event), "purchase": purchase, "tickets": tickets, "when": WHEN[kind]}
    message = EmailMultiAlternatives(
        subject=f"Reminder: {event.title} starts {WHEN[kind]}",
        body=render_to_string("tickets/email/reminder.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[purchase.attendee_email],
    )
    message.attach_alternative(render_to_string("tickets/email/reminder.html", context), "text/html")
    message.send()
    return True
