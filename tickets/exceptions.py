"""Refusals of the reservation rules (CONTRACT.md §6.2); each renders as the error envelope."""

from cafa.api.exceptions import DomainError


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
