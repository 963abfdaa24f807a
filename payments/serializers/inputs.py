"""Request bodies and query strings of Y1, Y2 and Y7 (CONTRACT.md §6.2, §6.10)."""

from rest_framework import serializers

from accounts.serializers.fields import PhoneField
from payments.models import PaymentStatus
from tickets.services.reservations import Attendee

ID_MAX = 2**63 - 1  # larger ids cannot exist (and would overflow the column)
PAYMENT_METHODS = ("card", "mobile_money", "bank_transfer")


class AttendeeInfoSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, allow_null=True)
    phone = PhoneField()


def given_attendee(given: dict) -> Attendee:
    """The attendee as the buyer gave it ("" for what they left out; the checkout fills the gaps)."""
    return Attendee(
        name=(given.get("name") or "").strip(), email=given.get("email") or "", phone=given.get("phone") or ""
    )


class PurchaseRequestSerializer(serializers.Serializer):
    """Y1 `tickets/purchase/`. Its validated data are the checkout service's arguments.

    `attendee` holds what the buyer gave ("" for what they left out); the checkout fills the gaps
    from their account.
    """

    event_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=ID_MAX)
    event_slug = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=220)
    ticket_type_id = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    quantity = serializers.IntegerField(min_value=1)
    attendee_info = AttendeeInfoSerializer(required=False, allow_null=True)
    payment_method = serializers.ChoiceField(choices=PAYMENT_METHODS, default="card")
    callback_url = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=500)
    # Checked under the stock lock by the checkout (CONTRACT.md §16); any text that is no code of the
    # event is "Invalid promo code" there, so nothing here tells codes and non-codes apart.
    promo_code = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)

    def validate(self, attrs):
        if attrs.get("event_id") is None and not attrs.get("event_slug"):
            raise serializers.ValidationError({"event_id": ["Send event_id or event_slug."]})
        given = self._given_attendee(attrs)
        return {
            "event_id": attrs.get("event_id"),
            "event_slug": attrs.get("event_slug"),
            "ticket_type_id": attrs["ticket_type_id"],
            "quantity": attrs["quantity"],
            "attendee": given_attendee(given),
            "payment_method": attrs["payment_method"],
            "callback_url": attrs.get("callback_url") or None,
            "promo_code": (attrs.get("promo_code") or "").strip() or None,
        }

    def _given_attendee(self, attrs) -> dict:
        return dict(attrs.get("attendee_info") or {})


class InitiateRequestSerializer(PurchaseRequestSerializer):
    """Y2 `payments/initiate/`: `quantity` defaults to 1; flat `buyer_*` fields win over `attendee_info`."""

    quantity = serializers.IntegerField(min_value=1, default=1)
    buyer_name = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=150)
    buyer_email = serializers.EmailField(required=False, allow_blank=True, allow_null=True)
    buyer_phone = PhoneField()

    def _given_attendee(self, attrs) -> dict:
        given = super()._given_attendee(attrs)
        flat = {"name": attrs.get("buyer_name"), "email": attrs.get("buyer_email"), "phone": attrs.get("buyer_phone")}
        given.update({key: value for key, value in flat.items() if value})
        return given


class PaymentHistoryQuerySerializer(serializers.Serializer):
    """Y7 filters; a malformed value is a 400 keyed by the parameter."""

    status = serializers.ChoiceField(choices=PaymentStatus.choices, required=False)
    date_from = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    date_to = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
