"""Payout account input rules and the PaymentProfile shape (CONTRACT.md §10).

`account_name` may be left out (the mobile app has no field for it): the service then asks the
provider's name enquiry and stores the holder's name it answers.
"""

import re

from rest_framework import serializers

from accounts.models import PaymentMethod, PaymentProfile
from accounts.serializers.fields import PhoneField
from accounts.signals import bank_codes_requested

NETWORKS = {"mtn": "MTN", "telecel": "Telecel", "vodafone": "Telecel", "airteltigo": "AirtelTigo"}
FEE_PERCENTAGES = {PaymentMethod.BANK_TRANSFER: 2.0, PaymentMethod.MOBILE_MONEY: 1.5}


class BankAccountSerializer(serializers.Serializer):
    account_number = serializers.CharField()
    account_name = serializers.CharField(min_length=2, max_length=150, required=False, allow_blank=True)
    bank_name = serializers.CharField(max_length=100)
    bank_code = serializers.CharField(max_length=20)
    branch = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def validate_bank_code(self, value):
        value = value.strip()
        known = [codes for _receiver, codes in bank_codes_requested.send(sender=type(self)) if codes]
        if known and not any(value in codes for codes in known):
            raise serializers.ValidationError("Choose a bank from the bank list.")
        return value

    def validate_account_number(self, value):
        value = value.strip()
        if not re.fullmatch(r"\d{8,20}", value):
            raise serializers.ValidationError("Enter 8 to 20 digits.")
        return value


class MobileMoneyAccountSerializer(serializers.Serializer):
    mobile_number = PhoneField(required=True, allow_blank=False, allow_null=False)
    network = serializers.CharField()
    account_name = serializers.CharField(min_length=2, max_length=150, required=False, allow_blank=True)

    def validate_mobile_number(self, value):
        if not re.fullmatch(r"\+233\d{9}", value or ""):
            raise serializers.ValidationError("Enter a Ghana mobile number, e.g. 0241234567.")
        return value

    def validate_network(self, value):
        network = NETWORKS.get(value.strip().lower().replace(" ", ""))
        if network is None:
            raise serializers.ValidationError("Choose MTN, Telecel or AirtelTigo.")
        return network

    def validate(self, attrs):
        attrs["account_number"] = attrs.pop("mobile_number")
        return attrs


ACCOUNT_SERIALIZERS = {
    PaymentMethod.BANK_TRANSFER: BankAccountSerializer,
    PaymentMethod.MOBILE_MONEY: MobileMoneyAccountSerializer,
}


class PaymentProfileCreateSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    name = serializers.CharField(min_length=3, max_length=100)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    account_details = serializers.DictField()

    def validate(self, attrs):
        account = ACCOUNT_SERIALIZERS[attrs["method"]](data=attrs.pop("account_details"))
        if not account.is_valid():
            raise serializers.ValidationError({"account_details": account.errors})
        attrs["account"] = dict(account.validated_data)
        return attrs


class PaymentProfileUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(min_length=3, max_length=100, required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    is_default = serializers.BooleanField(required=False)


def mask_account_number(profile: PaymentProfile) -> str:
    number = profile.account_number
    if profile.method == PaymentMethod.MOBILE_MONEY:
        return f"{number[:4]}****{number[-4:]}"
    return "*" * max(len(number) - 4, 0) + number[-4:]


class PaymentProfileSerializer(serializers.ModelSerializer):
    """PaymentProfile of CONTRACT.md §10; account numbers are always masked."""

    id = serializers.CharField(read_only=True)
    account_details = serializers.SerializerMethodField()
    fee_percentage = serializers.SerializerMethodField()
    is_verified = serializers.BooleanField(read_only=True)
    failure_reason = serializers.SerializerMethodField()

    class Meta:
        model = PaymentProfile
        fields = [
            "id",
            "method",
            "name",
            "description",
            "account_details",
            "fee_percentage",
            "status",
            "is_verified",
            "verified_at",
            "is_default",
            "failure_reason",
            "verification_attempts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_account_details(self, profile) -> dict:
        masked = mask_account_number(profile)
        if profile.method == PaymentMethod.MOBILE_MONEY:
            return {"mobile_number": masked, "network": profile.network, "account_name": profile.account_name}
        return {
            "account_number": masked,
            "account_name": profile.account_name,
            "bank_name": profile.bank_name,
            "bank_code": profile.bank_code,
            "branch": profile.branch,
        }

    def get_fee_percentage(self, profile) -> float:
        return FEE_PERCENTAGES[profile.method]

    def get_failure_reason(self, profile) -> str | None:
        return profile.failure_reason or None
