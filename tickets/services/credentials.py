"""Admission credentials: the signed QR payload and its PNG, made once when a ticket is issued."""

from django.utils import timezone

from events.crypto import load_private_key
from tickets import qr
from tickets.models import Ticket


def attach_credentials(tickets) -> None:
    """Give each issued ticket lacking them its signed QR payload and PNG; one bulk update.

    Tickets that already carry a credential keep it (a re-issue never changes a printed code).
    Expects `ticket.event` to be loaded (callers use `select_related("event")`).
    """
    _attach([ticket for ticket in tickets if ticket.is_issued])


def prepare_credentials(tickets) -> None:
    """Render the credentials of tickets about to be issued, before the ticket type's lock is taken: the
    PNG is the slow part of issuing (tens of milliseconds a ticket), and every buyer of the type would wait
    for it. A ticket that is then not issued keeps an unused credential (only issued tickets admit or are
    shown). Same rules as `attach_credentials`; one bulk update."""
    _attach(list(tickets))


def _attach(tickets) -> None:
    keys = {}
    now = timezone.now()
    changed = []
    for ticket in tickets:
        if ticket.qr_payload and ticket.qr_code:
            continue
        if not ticket.qr_payload:
            event = ticket.event
            if event.pk not in keys:
                keys[event.pk] = load_private_key(event.checkin_private_key)
            ticket.qr_payload = qr.build_qr_payload(ticket.ticket_id, event.pk, keys[event.pk])
        ticket.qr_code = qr.qr_png_data_url(ticket.qr_payload)
        ticket.updated_at = now
        changed.append(ticket)
    if changed:
        Ticket.objects.bulk_update(changed, ["qr_payload", "qr_code", "updated_at"])
