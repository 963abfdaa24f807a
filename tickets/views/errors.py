"""Refusals of the ticket endpoints; each renders as the error envelope (CONTRACT.md §7).

They belong with the other tickets domain errors in `tickets/exceptions.py` (not owned by this work).
"""

from cafa.api.exceptions import DomainError


class TicketNotFound(DomainError):
    status_code = 404
    error = "Ticket not found"
    default_detail = "No ticket with this id belongs to your account."


class TicketNotIssued(DomainError):
    status_code = 400
    error = "Ticket not issued"
    default_detail = "Only issued tickets (active or used) can be downloaded."
