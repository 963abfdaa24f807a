"""Admission at the door (CONTRACT.md §8.3): one scan in, one answer out, every scan logged.

The rules run in the contract's order. The admission itself happens with the ticket row locked
(`select_for_update`), so simultaneous scans of a `single_entry` ticket admit it exactly once.
A refused scan is logged after its transaction has rolled back, so the log survives the refusal.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework import serializers

from cafa.api.fields import MoneyField
from events.models import CheckInPolicy, Event, EventStatus
from tickets.exceptions import (
    AlreadyCheckedIn,
    CheckInRefused,
    EventEnded,
    InvalidQRCode,
    ScannedTicketNotFound,
    TicketCancelled,
    TicketNotPaid,
    TicketRefunded,
    WrongEvent,
)
from tickets.models import CheckIn, CheckInOutcome, Ticket, TicketStatus
from tickets.qr import InvalidQrPayload, parse_scanned_value, verify_qr_payload

SCANNED_VALUE_MAX = CheckIn._meta.get_field("scanned_value").max_length


# --- Result -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInResult:
    """An admitted scan: the ticket after admission, and when and by whom this admission happened."""

    ticket: Ticket
    admitted_at: datetime
    scanner: object
    first_admission: bool


# --- Service ----------------------------------------------------------------------------------


def check_in(*, event: Event, scanned_value: str, scanner) -> CheckInResult:
    """Admit the holder of `scanned_value` (a ticket id or the scanned QR text) to `event`.

    Raises a `CheckInRefused` subclass naming the first rule that fails. Every scan, admitted or
    refused, leaves one `CheckIn` row.
    """
    scanned_value = (scanned_value or "").strip()
    try:
        return _admit(event, scanned_value, scanner)
    except CheckInRefused as refusal:
        _log(event, refusal.ticket, scanner, scanned_value, CheckInOutcome.REFUSED, reason=refusal.error)
        raise


def _admit(event, scanned_value, scanner) -> CheckInResult:
    ticket_id = _scanned_ticket_id(event, scanned_value)
    ticket = _find_ticket(event, ticket_id)
    try:
        with transaction.atomic():
            return _admit_locked(event, ticket.pk, scanned_value, scanner)
    except CheckInRefused as refusal:
        refusal.ticket = refusal.ticket or ticket
        raise


def _scanned_ticket_id(event, scanned_value) -> str:
    """The ticket id a scan names; a QR payload must carry a valid signature of the organizer's key."""
    try:
        ticket_id, payload = parse_scanned_value(scanned_value)
        if payload is None:
            return ticket_id
        return verify_qr_payload(scanned_value, _signing_event(event, payload).checkin_public_key)
    except InvalidQrPayload as error:
        raise InvalidQRCode() from error


def _signing_event(event, payload: dict) -> Event:
    """The event whose key must have signed the payload: the scanned event, or another event of the
    same organizer (whose tickets then get "Wrong event"). Other organizers' keys are never tried."""
    event_id = payload.get("event_id")
    if isinstance(event_id, int) and not isinstance(event_id, bool) and event_id != event.pk:
        sibling = Event.objects.filter(pk=event_id, organizer_id=event.organizer_id).only("checkin_public_key").first()
        if sibling is not None:
            return sibling
    return event


def _find_ticket(event, ticket_id) -> Ticket:
    """The scanned ticket; unknown ids and other organizers' tickets get the same answer."""
    ticket = Ticket.objects.select_related("event").filter(ticket_id=ticket_id).first()
    if ticket is None or ticket.event.organizer_id != event.organizer_id:
        raise ScannedTicketNotFound()
    if ticket.event_id != event.pk:
        refusal = WrongEvent(f'This ticket belongs to "{ticket.event.title}".')
        refusal.ticket = ticket
        raise refusal
    return ticket


def _admit_locked(event, ticket_pk, scanned_value, scanner) -> CheckInResult:
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("ticket_type").get(pk=ticket_pk)
    _check_status(ticket)
    if event.status == EventStatus.PAST:
        raise EventEnded()
    now = timezone.now()
    _check_policy(event, ticket, now)

    first = ticket.checked_in_at is None
    if first:
        ticket.checked_in_at, ticket.checked_in_by = now, scanner
    ticket.status = TicketStatus.USED
    ticket.check_in_count += 1
    ticket.save(update_fields=["status", "checked_in_at", "checked_in_by", "check_in_count", "updated_at"])
    _log(event, ticket, scanner, scanned_value, CheckInOutcome.ADMITTED)
    return CheckInResult(ticket=ticket, admitted_at=now, scanner=scanner, first_admission=first)


def _check_status(ticket):
    if ticket.status in (TicketStatus.RESERVED, TicketStatus.EXPIRED):
        raise TicketNotPaid()
    if ticket.status == TicketStatus.CANCELLED:
        raise TicketCancelled()
    if ticket.status == TicketStatus.REFUNDED:
        raise TicketRefunded()


def _check_policy(event, ticket, now):
    if ticket.checked_in_at is None or event.check_in_policy == CheckInPolicy.MULTIPLE_ENTRY:
        return
    if event.check_in_policy == CheckInPolicy.SINGLE_ENTRY:
        raise _already_checked_in(ticket, ticket.checked_in_at, ticket.checked_in_by)
    last = (
        CheckIn.objects.filter(ticket=ticket, outcome=CheckInOutcome.ADMITTED)
        .select_related("scanned_by")
        .order_by("-created_at", "-id")
        .first()
    )
    admitted_at, admitted_by = (last.created_at, last.scanned_by) if last else (ticket.checked_in_at, None)
    if _local_date(admitted_at) == _local_date(now):
        raise _already_checked_in(ticket, admitted_at, admitted_by or ticket.checked_in_by)


def _local_date(moment):
    return moment.astimezone(ZoneInfo(settings.EVENT_TIME_ZONE)).date()


def checker_name(user) -> str:
    """How a scanner is named to the door staff: full name, else username."""
    if user is None:
        return "a former staff member"
    return user.full_name or user.username


def _already_checked_in(ticket, admitted_at, admitted_by) -> AlreadyCheckedIn:
    local = admitted_at.astimezone(ZoneInfo(settings.EVENT_TIME_ZONE))
    when = f"{local:%H:%M}" if local.date() == _local_date(timezone.now()) else f"{local:%Y-%m-%d %H:%M}"
    name = checker_name(admitted_by)
    ticket_type = ticket.ticket_type
    refusal = AlreadyCheckedIn(
        f"Checked in at {when} by {name}.",
        ticket={
            "ticket_id": ticket.ticket_id,
            "attendee_name": ticket.attendee_name,
            "ticket_type": {
                "id": ticket_type.pk,
                "name": ticket_type.name,
                "price": MoneyField().to_representation(ticket_type.price),
            },
            "checked_in_at": serializers.DateTimeField().to_representation(admitted_at),
            "checked_in_by": name,
        },
    )
    refusal.ticket = ticket
    return refusal


def _log(event, ticket, scanner, scanned_value, outcome, reason=""):
    CheckIn.objects.create(
        event=event,
        ticket=ticket,
        scanned_by=scanner,
        scanned_value=scanned_value[:SCANNED_VALUE_MAX],
        outcome=outcome,
        reason=reason[:60],
    )
