"""Request bodies and answers of the legacy Stripe endpoints (CONTRACT.md §13, L1-L3).

`ticket_id` here is the purchase's number (the whole group of admissions, as the seed has it) and
`ticket_code` its UUID; each admission still has its own `TKT-…` ticket and QR code in `tickets`.
"""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cafa.api.fields import MoneyField
from payments import selectors
from payments.serializers.fields import NullableTextField, PromoCodeField, iso, reservation_deadline
from payments.serializers.inputs import ID_MAX, AttendeeInfoSerializer, given_attendee

DATA_URL_PREFIX = "data:image/png;base64,"
PURCHASE_ID = re.compile(r"PUR-[0-9A-F]{10}", re.IGNORECASE)
NUMBER = re.compile(r"[0-9]{1,19}")  # ASCII digits only: int() would also take other scripts' digits


# --- Requests -----------------------------------------------------------------------------------


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string", "example": "PUR-3FA94C0B1D"}]})
class LegacyTicketIdField(serializers.Field):
    """The legacy `ticket_id`: the purchase's number (`31`, `"31"`), or its `PUR-…` id."""

    default_error_messages = {"invalid": "Send the ticket_id from create-payment-intent (a number, or the PUR- id)."}

    def to_internal_value(self, value) -> int | str:
        text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
        if PURCHASE_ID.fullmatch(text):
            return text.upper()
        if not NUMBER.fullmatch(text) or not 1 <= int(text) <= ID_MAX:
            self.fail("invalid")
        return int(text)

    def to_representation(self, value):
        return value


class LegacyCheckoutRequestSerializer(serializers.Serializer):
    """L1: `event_id` required, `ticket_type_id` optional, `quantity` 1 unless sent; attendee as in §6.2.

    Its validated data are the legacy checkout service's arguments.
    """

    event_id = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    ticket_type_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=ID_MAX)
    quantity = serializers.IntegerField(min_value=1, default=1)
    attendee_info = AttendeeInfoSerializer(required=False, allow_null=True)
    promo_code = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)  # §16

    def validate(self, attrs):
        return {
            "event_id": attrs["event_id"],
            "ticket_type_id": attrs.get("ticket_type_id"),
            "quantity": attrs["quantity"],
            "attendee": given_attendee(dict(attrs.get("attendee_info") or {})),
            "promo_code": (attrs.get("promo_code") or "").strip() or None,
        }


class LegacyVerifyRequestSerializer(serializers.Serializer):
    session_id = serializers.CharField(max_length=255)
    ticket_id = LegacyTicketIdField(required=False, allow_null=True)


class LegacyCancelRequestSerializer(serializers.Serializer):
    ticket_id = LegacyTicketIdField()


# --- Answers ------------------------------------------------------------------------------------


def qr_png_base64(qr_code: str) -> str | None:
    """The seed's `qr_code_data`: the PNG's base64 bytes, without the data-URI prefix."""
    return qr_code.removeprefix(DATA_URL_PREFIX) if qr_code else None


class LegacyTicketSerializer(serializers.Serializer):
    ticket_id = serializers.CharField()
    qr_code_data = serializers.SerializerMethodField()
    qr_code = NullableTextField()
    qr_payload = NullableTextField()
    attendee_name = serializers.CharField()

    def get_qr_code_data(self, ticket) -> str | None:
        return qr_png_base64(ticket.qr_code)


class IssuedPurchaseSerializer(serializers.Serializer):
    """L1 (free) and L2 (paid): the group and its admissions; the top-level QR is the first admission's.

    Set `detail` in the context.
    """

    detail = serializers.SerializerMethodField()
    qr_code_data = serializers.SerializerMethodField()
    qr_code = serializers.SerializerMethodField()
    qr_payload = serializers.SerializerMethodField()
    ticket_id = serializers.IntegerField(source="pk")
    ticket_code = serializers.CharField(source="group_code")
    purchase_id = serializers.CharField()
    quantity = serializers.IntegerField()
    tickets = serializers.SerializerMethodField()

    def to_representation(self, purchase):
        self._issued = selectors.issued_tickets_of(purchase)
        return super().to_representation(purchase)

    def get_detail(self, purchase) -> str:
        return self.context["detail"]

    def _first(self):
        return self._issued[0] if self._issued else None

    def get_qr_code_data(self, purchase) -> str | None:
        first = self._first()
        return qr_png_base64(first.qr_code) if first else None

    def get_qr_code(self, purchase) -> str | None:
        first = self._first()
        return (first.qr_code or None) if first else None

    def get_qr_payload(self, purchase) -> str | None:
        first = self._first()
        return (first.qr_payload or None) if first else None

    @extend_schema_field(LegacyTicketSerializer(many=True))
    def get_tickets(self, purchase) -> list:
        return LegacyTicketSerializer(self._issued, many=True).data


class CheckoutSessionStartedSerializer(serializers.Serializer):
    """L1 (paid): where to pay, what is held, and the charge in USD beside the GHS total."""

    checkout_url = serializers.CharField(source="authorization_url")
    session_id = serializers.CharField(source="checkout_session_id")
    ticket_id = serializers.IntegerField(source="purchase.pk")
    ticket_code = serializers.CharField(source="purchase.group_code")
    purchase_id = serializers.CharField(source="purchase.purchase_id")
    payment_id = serializers.CharField()
    quantity = serializers.IntegerField(source="purchase.quantity")
    amount = MoneyField()
    discount = MoneyField(source="purchase.discount")
    promo_code = PromoCodeField()
    currency = serializers.CharField()
    charge_amount = MoneyField()
    charge_currency = serializers.CharField()
    exchange_rate = serializers.FloatField()
    expires_at = serializers.SerializerMethodField()

    def get_expires_at(self, payment) -> str | None:
        return iso(reservation_deadline(payment))


class LegacyDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class StripeWebhookReceivedSerializer(serializers.Serializer):
    received = serializers.BooleanField()
