"""Getting tickets to their holders by e-mail."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from tickets.models import ISSUED_TICKET_STATUSES, Purchase


def send_ticket_email(*, purchase_pk: int) -> None:
    """One message to the buyer's address listing every issued ticket of the purchase."""
    purchase = Purchase.objects.select_related("event", "ticket_type").get(pk=purchase_pk)
    tickets = list(purchase.tickets.filter(status__in=ISSUED_TICKET_STATUSES))
    if not tickets:
        return
    context = {"purchase": purchase, "tickets": tickets, "frontend_url": settings.FRONTEND_URL}
    body = render_to_string("tickets/email/tickets.txt", context)
    subject = f"Your tickets for {purchase.event.title}"
    EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [purchase.attendee_email]).send()
