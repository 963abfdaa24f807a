"""Response shapes of Y3, Y4, Y6, Y7 and Y8 (CONTRACT.md §6.5, §6.6, §6.9-§6.11).

Each serializer reads a `Payment` loaded by `payments.selectors` (purchase, event and tickets already
joined or prefetched), so serializing a page costs no extra queries. Money is a JSON number,
timestamps ISO-8601 with `Z`.
"""

from rest_framework import serializers

from cafa.api.fields import AbsoluteFileUrlField, MoneyField
from events.serializers.outputs import OrganizerMiniSerializer
from payments import selectors
from payments.models import PaymentStatus
from payments.serializers.fields import (
    PENDING_MESSAGE,
    NullableTextField,
    PromoCodeField,
    TicketStatusField,
    closed_message,
    download_url,
    iso,
    reason_code,
    reservation_deadline,
)
from tickets.serializers.outputs import TicketTypeMiniSerializer

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
    discount = MoneyField(source="purchase.discount")
    promo_code = PromoCodeField()
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
                "discount": MoneyField().to_representation(purchase.discount),
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


# --- Y6 -------------------------------------------------------------------------------------


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
    discount = MoneyField()
    service_fee = MoneyField()
    total_paid = MoneyField(source="total")


class PaymentFieldsSerializer(serializers.Serializer):
    """The fields Y7 items and Y8 share."""

    payment_id = serializers.CharField()
    reference = serializers.CharField()
    purchase_id = serializers.CharField(source="purchase.purchase_id")
    amount = MoneyField()
    discount = MoneyField(source="purchase.discount")
    promo_code = PromoCodeField()
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
    discount = MoneyField()
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
