"""Promo code shapes (CONTRACT.md §16): the PromoCode object, PC2/PC3 bodies, PC5 in and out."""

from decimal import Decimal

from rest_framework import serializers

from cafa.api.fields import MoneyField
from tickets.models import DiscountType, PromoCode

CODE_PATTERN = r"^[A-Za-z0-9_-]{3,32}$"


class PromoCodeSerializer(serializers.ModelSerializer):
    """The PromoCode object; reads `uses` and `discount_total` annotated by `selectors.event_promo_codes`."""

    discount_value = MoneyField()
    ticket_type_ids = serializers.SerializerMethodField()
    uses = serializers.IntegerField(read_only=True)
    discount_total = MoneyField(read_only=True)

    class Meta:
        model = PromoCode
        fields = [
            "id",
            "code",
            "discount_type",
            "discount_value",
            "ticket_type_ids",
            "max_uses",
            "max_uses_per_user",
            "valid_from",
            "valid_until",
            "is_active",
            "uses",
            "discount_total",
            "created_at",
        ]

    def get_ticket_type_ids(self, promo) -> list[int]:
        return sorted(ticket_type.pk for ticket_type in promo.ticket_types.all())  # prefetched


class PromoCodeInputSerializer(serializers.Serializer):
    """PC2 (all required fields) and PC3 (partial). `context["event"]` is the code's event.

    Validated data are the PromoCode fields, plus `ticket_types` (the event's types) for `ticket_type_ids`.
    """

    code = serializers.RegexField(
        CODE_PATTERN, error_messages={"invalid": "Use 3 to 32 letters, digits, '-' or '_'."}, max_length=32
    )
    discount_type = serializers.ChoiceField(choices=DiscountType.choices)
    discount_value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    ticket_type_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=10)
    max_uses = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, allow_null=True)
    max_uses_per_user = serializers.IntegerField(min_value=1, max_value=100, required=False)
    valid_from = serializers.DateTimeField(required=False, allow_null=True)
    valid_until = serializers.DateTimeField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)

    def validate_code(self, value: str) -> str:
        return value.upper()

    def validate_ticket_type_ids(self, ids: list[int]) -> list:
        event = self.context["event"]
        types = {ticket_type.pk: ticket_type for ticket_type in event.ticket_types.all()}
        unknown = sorted(set(ids) - set(types))
        if unknown:
            raise serializers.ValidationError(f"Not ticket types of this event: {', '.join(map(str, unknown))}.")
        return [types[pk] for pk in sorted(set(ids))]

    def validate(self, attrs):
        if "ticket_type_ids" in attrs:
            attrs["ticket_types"] = attrs.pop("ticket_type_ids")
        valid_from, valid_until = attrs.get("valid_from"), attrs.get("valid_until")
        if valid_from and valid_until and valid_until <= valid_from:
            raise serializers.ValidationError({"valid_until": ["Must be after valid_from."]})
        return attrs


class PromoValidateSerializer(serializers.Serializer):
    """PC5 body."""

    code = serializers.CharField(max_length=64)
    ticket_type_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    quantity = serializers.IntegerField(min_value=1, max_value=100, default=1)


class QuotedPricingSerializer(serializers.Serializer):
    ticket_price = MoneyField(source="unit_price")
    quantity = serializers.IntegerField()
    subtotal = MoneyField()
    discount = MoneyField()
    service_fee = MoneyField()
    service_fee_percentage = serializers.FloatField()
    total = MoneyField()
    currency = serializers.CharField(default="GHS")


class PromoQuoteSerializer(serializers.Serializer):
    """PC5 200: reads a `promos.Quote`."""

    valid = serializers.BooleanField(default=True)
    code = serializers.CharField(source="promo.code")
    discount_type = serializers.CharField(source="promo.discount_type")
    discount_value = MoneyField(source="promo.discount_value")
    pricing = QuotedPricingSerializer()
