"""Getting tickets to their holders by e-mail (CONTRACT.md §15): one message per purchase, one PDF per ticket."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from tickets import selectors
from tickets.services import documents


def tickets_page_url() -> str:
    return f"{settings.FRONTEND_URL}/dashboard/tickets"


def ticket_pdf_filename(ticket) -> str:
    return f"ticket-{ticket.ticket_id}.pdf"


def event_context(event) -> dict:
    """Date, time and venue lines as the PDF prints them."""
    return {
        "event": event,
        "event_date": documents.format_event_date(event),
        "event_time": documents.format_event_time(event),
        "venue": ", ".join(part for part in (event.venue_name, event.venue_address, event.venue_city) if part),
        "tickets_url": tickets_page_url(),
    }


def send_ticket_email(*, purchase_pk: int) -> bool:
    """E-mail the buyer every issued ticket of the purchase: HTML + text, a PDF attachment per ticket.

    Sends on every call: `outbox.deliver` decides whether a send is due. Returns False, sending nothing,
    when the purchase is unknown or holds no issued ticket (e.g. refunded meanwhile). Delivery errors
    propagate.
    """
    purchase = selectors.purchase_for_delivery(purchase_pk)
    if purchase is None or not purchase.issued_tickets:
        return False
    tickets = purchase.issued_tickets
    event = purchase.event
    context = {
        **event_context(event),
        "purchase": purchase,
        "tickets": tickets,
        "organizer": event.organizer.full_name or event.organizer.username,
        "unit_price": documents.format_money(purchase.unit_price),
        "subtotal": documents.format_money(purchase.subtotal),
        "discount": documents.format_money(purchase.discount) if purchase.discount else "",
        "promo_code": purchase.promo_code.code if purchase.promo_code_id else "",
        "service_fee": documents.format_money(purchase.service_fee),
        "total": documents.format_money(purchase.total),
        "cards": [
            {
                "ticket": ticket,
                "price": documents.format_money(ticket.price_paid),
                "filename": ticket_pdf_filename(ticket),
            }
            for ticket in tickets
        ],
    }
    count = len(tickets)
    subject = f"Your {'ticket' if count == 1 else f'{count} tickets'} for {event.title}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("tickets/email/tickets.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[purchase.attendee_email],
    )
    message.attach_alternative(render_to_string("tickets/email/tickets.html", context), "text/html")
    for ticket in tickets:
        message.attach(ticket_pdf_filename(ticket), documents.render_ticket_pdf(ticket), "application/pdf")
    message.send()
    return True
