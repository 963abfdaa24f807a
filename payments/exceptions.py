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


class PaymentNotRefundable(DomainError):
    status_code = 400
    error = "Payment not refundable"
    default_detail = "Only a completed payment can be refunded."


class InvalidSignatureError(DomainError):
    status_code = 400
    error = "Invalid signature"
    default_detail = "The webhook signature is missing or does not match."


class IdempotencyKeyReused(DomainError):
    status_code = 409
    error = "Idempotency key reused"
    default_detail = "This Idempotency-Key was already used with a different request body."


class RequestInProgress(DomainError):
    status_code = 409
    error = "Request in progress"
    default_detail = "A request with this Idempotency-Key is still being processed. Retry in a moment."

    def __init__(self, message=None, **extra):
        super().__init__(message, retry_after=1, **extra)
