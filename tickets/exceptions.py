"""Refusals of the reservation rules (CONTRACT.md §6.2); each renders as the error envelope."""

from cafa.api.exceptions import DomainError


class ReservationRefused(DomainError):
    """A purchase request that the stock or sale rules refuse; `error` names the rule."""

    status_code = 400


class PurchaseNotCancellable(DomainError):
    status_code = 400
    error = "Cannot cancel purchase"
