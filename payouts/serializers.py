"""Shapes of the payout endpoints: M7-M9, the revenue report and withdrawals (CONTRACT.md §10, §11)."""

from rest_framework import serializers

from accounts.models import PaymentMethod
from accounts.serializers.payment_profiles import mask_account_number
from cafa.api.fields import MoneyField
from payouts.models import Withdrawal, WithdrawalStatus
from payouts.selectors import PERIODS
from payouts.services.banks import TYPES

VERIFICATION_MESSAGES = {
    "pending": "Your GHS 1.00 verification transfer is being prepared.",
    "verifying": "A GHS 1.00 verification transfer is on its way to your account. This usually takes 1-2 minutes.",
    "verified": "Your payment profile is verified.",
    "failed": "Verification failed.",
}


class VerificationStatusSerializer(serializers.Serializer):
    """M7: every key always present (null when unknown)."""

    id = serializers.CharField(source="profile.pk")
    status = serializers.CharField(source="profile.status")
    is_verified = serializers.BooleanField(source="profile.is_verified")
    verified_at = serializers.DateTimeField(source="profile.verified_at", allow_null=True)
    verification_initiated_at = serializers.DateTimeField(source="profile.verification_initiated_at", allow_null=True)
    attempts = serializers.IntegerField(source="profile.verification_attempts")
    message = serializers.SerializerMethodField()
    failure_reason = serializers.SerializerMethodField()
    resolved_account_name = serializers.SerializerMethodField()
    can_retry = serializers.BooleanField(source="retry.can_retry")
    retry_available_at = serializers.DateTimeField(source="retry.retry_available_at", allow_null=True)

    def get_message(self, state) -> str:
        profile = state["profile"]
        message = VERIFICATION_MESSAGES.get(profile.status, "")
        if profile.status == "failed" and profile.failure_reason:
            message = f"{message} {profile.failure_reason}"
        return message

    def get_failure_reason(self, state) -> str | None:
        return state["profile"].failure_reason or None

    def get_resolved_account_name(self, state) -> str | None:
        return state["profile"].resolved_account_name or None


class RetryVerificationSerializer(serializers.Serializer):
    confirm = serializers.JSONField(required=False)


class BankListQuerySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(TYPES), required=False)


class BankSerializer(serializers.Serializer):
    name = serializers.CharField()
    code = serializers.CharField()
    type = serializers.CharField()
    slug = serializers.CharField()


class BankListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = BankSerializer(many=True)
    source = serializers.CharField()
    cached_at = serializers.DateTimeField(allow_null=True)


# --- revenue ----------------------------------------------------------------------------------


class RevenueQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=PERIODS, required=False, default="all_time")


class RevenueSummarySerializer(serializers.Serializer):
    gross_revenue = MoneyField()
    platform_fees = MoneyField()
    net_revenue = MoneyField()
    total_tickets_sold = serializers.IntegerField()
    total_events = serializers.IntegerField()
    average_ticket_price = MoneyField()


class PayoutStatusSerializer(serializers.Serializer):
    available_balance = MoneyField()
    pending_balance = MoneyField()
    on_hold_balance = MoneyField()
    total_earnings = MoneyField()
    total_withdrawn = MoneyField()
    total_paid_out = MoneyField()
    outstanding_deductions = MoneyField()
    minimum_withdrawal = MoneyField()
    next_payout_date = serializers.DateField(allow_null=True)


class _Figures(serializers.Serializer):
    gross_revenue = MoneyField()
    net_revenue = MoneyField()
    platform_fee = MoneyField()
    tickets_sold = serializers.IntegerField()


class RevenueByEventSerializer(_Figures):
    event_id = serializers.IntegerField()
    event_title = serializers.CharField()
    event_slug = serializers.CharField()


class RevenueByMonthSerializer(_Figures):
    month = serializers.CharField()


class RecentTransactionSerializer(serializers.Serializer):
    date = serializers.DateTimeField()
    purchase_id = serializers.CharField()
    event_title = serializers.CharField()
    ticket_type = serializers.CharField()
    quantity = serializers.IntegerField()
    amount = MoneyField()
    platform_fee = MoneyField()
    net_amount = MoneyField()


class RevenueReportSerializer(serializers.Serializer):
    period = serializers.CharField()
    summary = RevenueSummarySerializer()
    payout_status = PayoutStatusSerializer()
    revenue_by_event = RevenueByEventSerializer(many=True)
    revenue_by_month = RevenueByMonthSerializer(many=True)
    recent_transactions = RecentTransactionSerializer(many=True)


# --- withdrawals ------------------------------------------------------------------------------


class WithdrawalRequestSerializer(serializers.Serializer):
    """W1 input; the amount's rules ("Invalid amount", minimum...) are the service's."""

    amount = serializers.JSONField(required=False, allow_null=True)
    payment_profile_id = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class WithdrawalHistoryQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=WithdrawalStatus.choices, required=False)


class WithdrawalSerializer(serializers.ModelSerializer):
    requested_amount = MoneyField()
    transfer_fee = MoneyField()
    deductions = MoneyField()
    final_amount = MoneyField()
    payment_profile = serializers.SerializerMethodField()
    bank_account = serializers.SerializerMethodField()
    transfer_code = serializers.SerializerMethodField()
    failure_reason = serializers.SerializerMethodField()
    rejection_reason = serializers.SerializerMethodField()

    class Meta:
        model = Withdrawal
        fields = [
            "withdrawal_id",
            "requested_amount",
            "transfer_fee",
            "deductions",
            "final_amount",
            "currency",
            "status",
            "payment_profile",
            "bank_account",
            "transfer_code",
            "transfer_reference",
            "failure_reason",
            "rejection_reason",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields

    def get_payment_profile(self, withdrawal) -> dict:
        profile = withdrawal.payment_profile
        return {"id": str(profile.pk), "name": profile.name, "method": profile.method}

    def get_bank_account(self, withdrawal) -> dict:
        profile = withdrawal.payment_profile
        bank_name = profile.network if profile.method == PaymentMethod.MOBILE_MONEY else profile.bank_name
        return {
            "bank_name": bank_name,
            "account_number": mask_account_number(profile),
            "account_name": profile.account_name,
        }

    def get_transfer_code(self, withdrawal) -> str | None:
        return withdrawal.transfer_code or None

    def get_failure_reason(self, withdrawal) -> str | None:
        return withdrawal.failure_reason or None

    def get_rejection_reason(self, withdrawal) -> str | None:
        return withdrawal.rejection_reason or None
