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


# --- The legacy Stripe endpoints (CONTRACT.md §13) ----------------------------------------------------------


class TicketTypeRequired(DomainError):
    status_code = 400
    error = "ticket_type_id required"
    default_detail = "This event has several ticket types on sale: send the ticket_type_id you want."


class AmountTooSmall(DomainError):
    status_code = 400
    error = "Amount too small for card payment"
    default_detail = "Card payments must be at least USD 0.50. Add tickets to the order."


class CheckoutProviderError(DomainError):
    status_code = 400
    error = "Payment provider error"
    default_detail = "The payment provider could not start the payment. Your tickets were released; try again."


class CheckoutUnavailable(DomainError):
    status_code = 503
    error = "Payment provider unavailable"
    default_detail = "Card payments are not configured on this server."


class CheckoutSessionNotFound(DomainError):
    status_code = 404
    error = "Payment not found"
    default_detail = "No payment matches this session_id."


class NotYourPurchase(DomainError):
    status_code = 403
    error = "Permission Denied"
    default_detail = "This purchase belongs to another account."


class SessionTicketMismatch(DomainError):
    status_code = 400
    error = "Session does not match ticket"
    default_detail = "This session_id belongs to another ticket_id."


class LegacyPurchaseNotFound(DomainError):
    status_code = 404
    error = "Ticket not found"
    default_detail = "No ticket matches this ticket_id."


class TicketAlreadyProcessed(DomainError):
    status_code = 400
    error = "Ticket already processed"
    default_detail = "This ticket is already paid for or closed; it can no longer be cancelled."


class PaymentNotMade(DomainError):
    """L2 for a purchase that holds no paid tickets: `error` names why (pending, expired, cancelled, failed)."""

    status_code = 400
    error = "Payment not completed"


class PaymentRefunded(DomainError):
    status_code = 409
    error = "Payment refunded"
    default_detail = "The payment arrived after the tickets sold out and was refunded."
