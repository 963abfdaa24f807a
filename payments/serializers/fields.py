"""Fields and helpers the payment response shapes share (CONTRACT.md §6): reasons, messages, statuses."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events.models import EventStatus
from payments.models import PaymentStatus, ReasonCode
from tickets.models import TicketStatus

_timestamp = serializers.DateTimeField()

# reason_code values of CONTRACT.md §6.5; anything else is reported as its status's usual reason.
CONTRACT_REASONS = {
    ReasonCode.DECLINED,
    ReasonCode.ABANDONED,
    ReasonCode.AMOUNT_MISMATCH,
    ReasonCode.CANCELLED_BY_BUYER,
    ReasonCode.RESERVATION_EXPIRED,
    ReasonCode.REFUNDED_SOLD_OUT,
    ReasonCode.REFUNDED,
}
STATUS_REASONS = {
    PaymentStatus.FAILED: ReasonCode.DECLINED,
    PaymentStatus.CANCELLED: ReasonCode.CANCELLED_BY_BUYER,
    PaymentStatus.EXPIRED: ReasonCode.RESERVATION_EXPIRED,
    PaymentStatus.REFUNDED: ReasonCode.REFUNDED,
}
REASON_MESSAGES = {
    ReasonCode.DECLINED: "The payment was declined.",
    ReasonCode.ABANDONED: "The payment was not completed.",
    ReasonCode.AMOUNT_MISMATCH: "The amount paid did not match the order; the payment will be refunded.",
    ReasonCode.CANCELLED_BY_BUYER: "The purchase was cancelled.",
    ReasonCode.RESERVATION_EXPIRED: "The reservation expired before the payment was made.",
    ReasonCode.REFUNDED_SOLD_OUT: "The tickets sold out before the payment arrived; the payment was refunded.",
    ReasonCode.REFUNDED: "The payment was refunded.",
}
PENDING_MESSAGE = "Payment is still being processed."


def iso(value) -> str | None:
    return _timestamp.to_representation(value) if value else None


def text_or_null(value: str) -> str | None:
    return value or None


def reported_ticket_status(ticket) -> str:
    """The stored status, except that an active ticket of a past event reads `expired` (§1.11)."""
    if ticket.status == TicketStatus.ACTIVE and ticket.purchase.event.status == EventStatus.PAST:
        return TicketStatus.EXPIRED
    return ticket.status


def reason_code(payment) -> str:
    code = payment.reason_code
    return code if code in CONTRACT_REASONS else STATUS_REASONS.get(payment.status, ReasonCode.DECLINED)


def closed_message(payment) -> str:
    return REASON_MESSAGES[reason_code(payment)]


def reservation_deadline(payment):
    """When an unpaid payment stops holding its tickets (null once it is no longer pending)."""
    return payment.purchase.reservation_expires_at if payment.status == PaymentStatus.PENDING else None


def download_url(request, ticket) -> str:
    path = f"/api/v1/tickets/{ticket.ticket_id}/download/"
    return request.build_absolute_uri(path) if request is not None else settings.PUBLIC_API_URL + path


class NullableTextField(serializers.CharField):
    """Stored as "" when unset, shown as null."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value or None


@extend_schema_field(OpenApiTypes.STR)
class TicketStatusField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.update(read_only=True, source="*")
        super().__init__(**kwargs)

    def to_representation(self, ticket):
        return reported_ticket_status(ticket)


@extend_schema_field(OpenApiTypes.STR)
class PromoCodeField(serializers.Field):
    """The code a purchase was discounted with (CONTRACT.md §16), or null; reads `purchase` (source)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "purchase")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, purchase):
        return purchase.promo_code.code if purchase.promo_code_id else None
