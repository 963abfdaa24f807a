"""Domain errors of the events app; the API exception handler turns them into the envelope."""

from rest_framework import status
from rest_framework.exceptions import ValidationError

from cafa.api.exceptions import DomainError


class EventNotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    error = "Event not found"
    default_detail = "The event does not exist or is not available."


class TicketTypeNotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    error = "Ticket type not found"
    default_detail = "The ticket type does not exist for this event."


class OrganizerVerificationRequired(DomainError):
    """403 with the verification payload of CONTRACT.md §5.1 (`error_code`, `data.next_steps`)."""

    status_code = status.HTTP_403_FORBIDDEN
    error = "Organizer verification required"
    default_detail = "Complete identity verification before creating events."


class EventAlreadyStarted(DomainError):
    error = "Cannot update event"
    default_detail = "This event has already started and can no longer be edited."


class EventNotDeletable(DomainError):
    error = "Cannot delete event"
    default_detail = "This event can no longer be deleted."


class TicketTypesLocked(DomainError):
    error = "Cannot modify ticket types"
    default_detail = "Ticket types can only be changed before the event starts."


class TooManyTicketTypes(DomainError):
    error = "Too many ticket types"
    default_detail = "An event can have at most 10 ticket types."


class CapacityExceeded(DomainError):
    error = "Capacity exceeded"
    default_detail = "The total ticket quantity would exceed the event's max_attendees."


class PaymentProfileRequired(DomainError):
    error = "Payment profile required"
    default_detail = "Paid ticket types need the event to have a verified payment profile."


class InvalidQuantity(DomainError):
    error = "Invalid quantity"
    default_detail = "The quantity cannot drop below the tickets already sold or reserved."


class TicketTypeNotDeletable(DomainError):
    error = "Cannot delete ticket type"
    default_detail = "This ticket type cannot be deleted."


def field_error(field: str, message: str) -> ValidationError:
    """A 400 validation error on one field (mirrored at top level by the envelope)."""
    return ValidationError({field: [message]})


class EventNotCancellable(DomainError):
    error = "Cannot cancel event"
    default_detail = "This event cannot be cancelled."
