"""Response shapes of Y1-Y8 (CONTRACT.md §6.3-§6.11). Money is a JSON number, timestamps ISO-8601 with `Z`.

Each serializer reads a `Payment` loaded by `payments.selectors` (purchase, event and tickets already
joined or prefetched), so serializing a page costs no extra queries.
"""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cafa.api.fields import AbsoluteFileUrlField, MoneyField
from events.models import EventStatus
from events.serializers.outputs import OrganizerMiniSerializer
from payments import selectors
from payments.models import PaymentStatus, ReasonCode
from payments.services.callbacks import mobile_callback_url
from tickets.models import TicketStatus
from tickets.pricing import price_order
from tickets.serializers.outputs import TicketTypeMiniSerializer

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


# --- Y1 -------------------------------------------------------------------------------------


class PurchaseTicketSerializer(serializers.Serializer):
    ticket_id = serializers.CharField()
    event_title = serializers.CharField(source="purchase.event.title")
    event_slug = serializers.CharField(source="purchase.event.slug")
    ticket_type_name = serializers.CharField(source="purchase.ticket_type.name")
    attendee_name = serializers.CharField()
    attendee_email = serializers.CharField()
    attendee_phone = NullableTextField()
    status = TicketStatusField()
    qr_code = NullableTextField()


class PricingSerializer(serializers.Serializer):
    ticket_price = MoneyField(source="unit_price")
    quantity = serializers.IntegerField()
    subtotal = MoneyField()
    service_fee = MoneyField()
    service_fee_percentage = serializers.SerializerMethodField()
    total = MoneyField()
    currency = serializers.CharField()

    def get_service_fee_percentage(self, purchase) -> float:
        return float(price_order(purchase.unit_price, purchase.quantity).service_fee_percentage)


class CheckoutPaymentSerializer(serializers.Serializer):
    payment_id = serializers.CharField()
    reference = serializers.CharField()
    amount = MoneyField()
    currency = serializers.CharField()
    payment_method = serializers.CharField()
    provider = serializers.CharField()
    payment_url = serializers.CharField(source="authorization_url")
    status = serializers.CharField()
    expires_at = serializers.SerializerMethodField()

    def get_expires_at(self, payment) -> str | None:
        return iso(reservation_deadline(payment))


class PurchaseCreatedSerializer(serializers.Serializer):
    """Y1 201 body, from the checkout's payment (its purchase attached)."""

    message = serializers.SerializerMethodField()
    purchase_id = serializers.CharField(source="purchase.purchase_id")
    status = serializers.CharField(source="purchase.status")
    tickets = PurchaseTicketSerializer(source="purchase.tickets.all", many=True)
    pricing = PricingSerializer(source="purchase")
    payment = CheckoutPaymentSerializer(source="*")
    reservation = serializers.SerializerMethodField()

    def get_message(self, payment) -> str:
        # The contract's text for every Y1 answer, free ones included (their `status` says completed).
        return f"Tickets reserved. Complete payment within {settings.RESERVATION_MINUTES} minutes."

    def get_reservation(self, payment) -> dict | None:
        purchase = payment.purchase
        if purchase.is_free:
            return None
        remaining = (purchase.reservation_expires_at - timezone.now()).total_seconds()
        return {
            "reserved_at": iso(purchase.reserved_at),
            "expires_at": iso(purchase.reservation_expires_at),
            "expires_in_seconds": max(0, int(remaining)),
        }


# --- Y2 -------------------------------------------------------------------------------------


def mobile_redirect_template(payment) -> str | None:
    """Set when the buyer comes back through the app: a deep link, or our mobile callback."""
    if payment.deep_link or payment.callback_url.split("?")[0] == mobile_callback_url():
        return f"{settings.MOBILE_DEEP_LINK_SCHEME}://payment-result?status={{status}}&reference={{reference}}"
    return None


class InitiatedPaymentSerializer(serializers.Serializer):
    """Y2 201 body."""

    success = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    purchase_id = serializers.CharField(source="purchase.purchase_id")
    payment_id = serializers.CharField()
    payment_reference = serializers.CharField(source="reference")
    authorization_url = serializers.CharField()
    access_code = NullableTextField()
    amount = MoneyField()
    currency = serializers.CharField()
    status = serializers.CharField()
    expires_at = serializers.SerializerMethodField()
    effective_callback_url = serializers.CharField(source="callback_url")
    mobile_redirect_url_template = serializers.SerializerMethodField()
    ticket_count = serializers.IntegerField(source="purchase.quantity")

    def get_success(self, payment) -> bool:
        return True

    def get_message(self, payment) -> str:
        if payment.status == PaymentStatus.COMPLETED:
            return "Your free tickets are confirmed."
        return "Payment initialized. Complete payment to confirm your tickets."

    def get_expires_at(self, payment) -> str | None:
        return iso(reservation_deadline(payment))

    def get_mobile_redirect_url_template(self, payment) -> str | None:
        return mobile_redirect_template(payment)


# --- Y3 -------------------------------------------------------------------------------------


class VerifiedTicketSerializer(serializers.Serializer):
    ticket_id = serializers.CharField()
    attendee_name = serializers.CharField()
    attendee_info = serializers.SerializerMethodField()
    ticket_type = serializers.CharField(source="ticket_type.name")
    qr_code = NullableTextField()
    status = TicketStatusField()

    def get_attendee_info(self, ticket) -> dict:
        info = {"name": ticket.attendee_name}
        if self.context.get("is_owner"):
            info.update(email=ticket.attendee_email, phone=ticket.attendee_phone or None)
        return info


def verification_body(payment, *, context: dict) -> dict:
    """Y3: the completed, pending or closed body of CONTRACT.md §6.5 (`is_owner` in context shows contacts)."""
    base = {
        "purchase_id": payment.purchase.purchase_id,
        "payment_reference": payment.reference,
        "amount": MoneyField().to_representation(payment.amount),
        "currency": payment.currency,
    }
    if payment.status == PaymentStatus.COMPLETED:
        tickets = VerifiedTicketSerializer(selectors.issued_tickets(payment), many=True, context=context).data
        return {
            "success": True,
            "status": payment.status,
            "message": "Payment verified successfully",
            **base,
            "payment_id": payment.payment_id,
            "ticket_count": len(tickets),
            "tickets": tickets,
        }
    if payment.status == PaymentStatus.PENDING:
        return {
            "success": False,
            "status": payment.status,
            "message": PENDING_MESSAGE,
            **base,
            "expires_at": iso(reservation_deadline(payment)),
        }
    return {
        "success": False,
        "status": payment.status,
        "message": closed_message(payment),
        "reason_code": reason_code(payment),
        **base,
    }


# --- Y4 -------------------------------------------------------------------------------------


class StatusEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    start_date = serializers.DateField()
    start_time = serializers.TimeField()
    venue_name = serializers.CharField()


class StatusTicketSerializer(serializers.Serializer):
    ticket_id = serializers.CharField()
    ticket_type = serializers.CharField(source="ticket_type.name")
    attendee_name = serializers.CharField()
    attendee_email = serializers.CharField()
    status = TicketStatusField()
    qr_code = NullableTextField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, ticket) -> str:
        return download_url(self.context.get("request"), ticket)


class PaymentStatusSerializer(serializers.Serializer):
    """Y4: common keys, then the keys of the payment's status (CONTRACT.md §6.6)."""

    payment_id = serializers.CharField()
    purchase_id = serializers.CharField(source="purchase.purchase_id")
    status = serializers.CharField()
    amount = MoneyField()
    currency = serializers.CharField()
    payment_method = serializers.CharField()
    provider = serializers.CharField()
    reference = serializers.CharField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField()
    expires_at = serializers.SerializerMethodField()

    def get_expires_at(self, payment) -> str | None:
        return iso(reservation_deadline(payment))

    def to_representation(self, payment):
        body = super().to_representation(payment)
        if payment.status == PaymentStatus.COMPLETED:
            purchase = payment.purchase
            body["event"] = StatusEventSerializer(purchase.event).data
            body["tickets"] = StatusTicketSerializer(
                selectors.issued_tickets(payment), many=True, context=self.context
            ).data
            body["receipt"] = {
                "subtotal": MoneyField().to_representation(purchase.subtotal),
                "service_fee": MoneyField().to_representation(purchase.service_fee),
                "total": MoneyField().to_representation(purchase.total),
                "payment_method": payment.payment_method,
            }
        elif payment.status == PaymentStatus.PENDING:
            body["message"] = PENDING_MESSAGE
        else:
            body.update(
                failed_at=iso(payment.failed_at),
                failure_reason=payment.failure_reason or None,
                message=closed_message(payment),
            )
        return body


# --- Y5 / Y6 --------------------------------------------------------------------------------


class PurchaseCancelledSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=True)
    message = serializers.CharField(default="Purchase cancelled")
    purchase_id = serializers.CharField()
    status = serializers.CharField(default="cancelled")
    tickets_released = serializers.IntegerField()


class TicketsResentSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=True)
    message = serializers.CharField(default="Tickets will be re-sent shortly.")
    email = serializers.EmailField()
    tickets_count = serializers.IntegerField()


# --- Y7 / Y8 --------------------------------------------------------------------------------


class HistoryEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    featured_image = AbsoluteFileUrlField()
    start_date = serializers.DateField()


class HistoryTicketSerializer(serializers.Serializer):
    ticket_id = serializers.CharField()
    ticket_type = serializers.CharField(source="ticket_type.name")
    price = MoneyField(source="price_paid")


class FeesSerializer(serializers.Serializer):
    subtotal = MoneyField()
    service_fee = MoneyField()
    total_paid = MoneyField(source="total")


class PaymentFieldsSerializer(serializers.Serializer):
    """The fields Y7 items and Y8 share."""

    payment_id = serializers.CharField()
    reference = serializers.CharField()
    purchase_id = serializers.CharField(source="purchase.purchase_id")
    amount = MoneyField()
    currency = serializers.CharField()
    payment_method = serializers.CharField()
    provider = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField()


class PaymentItemSerializer(PaymentFieldsSerializer):
    """Y7 item."""

    event = HistoryEventSerializer(source="purchase.event")
    tickets = HistoryTicketSerializer(source="purchase.tickets.all", many=True)
    fees = FeesSerializer(source="purchase")


class PaymentSummarySerializer(serializers.Serializer):
    total_spent = MoneyField()
    total_transactions = serializers.IntegerField()
    completed_transactions = serializers.IntegerField()
    pending_transactions = serializers.IntegerField()


class DetailEventSerializer(HistoryEventSerializer):
    organizer = OrganizerMiniSerializer()
    venue_name = serializers.CharField()
    start_time = serializers.TimeField()


class DetailTicketSerializer(serializers.Serializer):
    ticket_id = serializers.CharField()
    qr_code = NullableTextField()
    ticket_type = TicketTypeMiniSerializer()
    attendee_name = serializers.CharField()
    status = TicketStatusField()


class BreakdownSerializer(serializers.Serializer):
    subtotal = MoneyField()
    service_fee = MoneyField()
    total = MoneyField()


class BillingInfoSerializer(serializers.Serializer):
    name = serializers.CharField(source="attendee_name")
    email = serializers.CharField(source="attendee_email")
    phone = NullableTextField(source="attendee_phone")


CARD_KEYS = ("brand", "last4", "exp_month", "exp_year")


class PaymentDetailSerializer(PaymentFieldsSerializer):
    """Y8: only issued tickets are listed, so every `qr_code` is an image."""

    event = DetailEventSerializer(source="purchase.event")
    tickets = serializers.SerializerMethodField()
    breakdown = BreakdownSerializer(source="purchase")
    billing_info = BillingInfoSerializer(source="purchase")
    card_details = serializers.SerializerMethodField()

    def get_tickets(self, payment) -> list:
        return DetailTicketSerializer(selectors.issued_tickets(payment), many=True, context=self.context).data

    def get_card_details(self, payment) -> dict | None:
        card = payment.card_details
        if not isinstance(card, dict) or not card.get("last4"):
            return None
        return {key: card.get(key) for key in CARD_KEYS}
