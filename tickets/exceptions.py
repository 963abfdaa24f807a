"""Refusals of the tickets domain (reservations, tickets, check-in); each renders as the error envelope."""

from rest_framework import status

from cafa.api.exceptions import DomainError
from tickets.models import Ticket


class ReservationRefused(DomainError):
    """A purchase request that the stock or sale rules refuse; `error` names the rule."""

    status_code = 400


class PurchaseNotCancellable(DomainError):
    status_code = 400
    error = "Cannot cancel purchase"


class TicketNotFound(DomainError):
    status_code = 404
    error = "Ticket not found"
    default_detail = "No ticket with this id belongs to your account."


class TicketNotIssued(DomainError):
    status_code = 400
    error = "Ticket not issued"
    default_detail = "Only issued tickets (active or used) can be downloaded."


# --- Check-in refusals (CONTRACT.md §8.3): a scan the door turns away ----------------------------


class CheckInRefused(DomainError):
    """A scan the door must turn away; `error` is the contract's exact headline."""

    ticket: Ticket | None = None


class InvalidQRCode(CheckInRefused):
    error = "Invalid QR code"
    default_detail = "This QR code was not issued for this organizer's events."


class ScannedTicketNotFound(CheckInRefused):
    status_code = status.HTTP_404_NOT_FOUND
    error = "Ticket not found"
    default_detail = "No ticket with this id exists for this event."


class WrongEvent(CheckInRefused):
    error = "Wrong event"


class TicketNotPaid(CheckInRefused):
    error = "Ticket not paid"
    default_detail = "This ticket has not been paid for."


class TicketCancelled(CheckInRefused):
    error = "Ticket cancelled"
    default_detail = "This ticket was cancelled."


class TicketRefunded(CheckInRefused):
    error = "Ticket refunded"
    default_detail = "This ticket was refunded."


class EventEnded(CheckInRefused):
    error = "Event has ended"
    default_detail = "This event has ended; check-in is closed."


class AlreadyCheckedIn(CheckInRefused):
    status_code = status.HTTP_409_CONFLICT
    error = "Already checked in"


# --- Promo codes (CONTRACT.md §16) ----------------------------------------------------------------


class PromoRefused(DomainError):
    """A promo code that cannot be redeemed here and now; `error` is the contract's headline (PC5)."""

    status_code = 400
    error = "Invalid promo code"
    default_detail = "This promo code is not valid for this event."


class PromoCodeNotFound(DomainError):
    status_code = 404
    error = "Promo code not found"
    default_detail = "No promo code with this id exists for this event."


class PromoCodeInUse(DomainError):
    status_code = 400
    error = "Promo code in use"
    default_detail = "The code and its discount cannot change once the code has been used."


# --- Waiting list (CONTRACT.md §17) -------------------------------------------------------------


class WaitlistEntryNotFound(DomainError):
    status_code = 404
    error = "Waiting list entry not found"
    default_detail = "No waiting list entry of yours matches this id."


class TicketsAvailable(DomainError):
    status_code = 400
    error = "Tickets available"
    default_detail = "Tickets of this type are on sale: buy them instead of queuing."


class AlreadyWaiting(DomainError):
    status_code = 409
    error = "Already on the waiting list"
    default_detail = "You are already waiting for, or holding an offer of, this ticket type."


class OfferNotAvailable(DomainError):
    """WL4 on an entry that holds no offer (any more); `status` says where the entry stands."""

    status_code = 400
    error = "Offer not available"
    default_detail = "This waiting list entry holds no offer to pay for."


class CannotLeaveWaitlist(DomainError):
    status_code = 400
    error = "Cannot leave the waiting list"
    default_detail = "This entry is already settled."
