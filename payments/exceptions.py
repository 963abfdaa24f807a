"""Refusals of the payments domain; each renders as the error envelope."""

from cafa.api.exceptions import DomainError


class InvalidCallbackUrl(DomainError):
    status_code = 400
    error = "invalid_callback_url"
    default_detail = "The callback URL is not allowed."


class PaymentInitializationFailed(DomainError):
    status_code = 502
    error = "Payment initialization failed"
    default_detail = "The payment provider could not start the payment. Your tickets were released; try again."


class PaymentAlreadyCompleted(DomainError):
    status_code = 409
    error = "Payment already completed"
    default_detail = "This purchase was already paid for; your tickets are issued."


class PaymentNotFound(DomainError):
    status_code = 404
    error = "Payment not found"
    default_detail = "No payment matches this reference."


class PurchaseNotFound(DomainError):
    status_code = 404
    error = "Purchase not found"
    default_detail = "No purchase of yours matches this id."


class PaymentNotCompleted(DomainError):
    status_code = 400
    error = "Payment not completed"
    default_detail = "Tickets are sent only for completed payments."


class NoTicketsToSend(DomainError):
    status_code = 404
    error = "No tickets found"
    default_detail = "This payment has no issued tickets to send."
