"""The organizer's money in /admin/ (README "Organizers"): revenue and balances over their own ledger
(read-only, the figures of `organizers/revenue/`), and withdrawals requested and cancelled through the
same withdrawal service as W1/W4, with the same rules (minimum, balance, one open at a time, lock).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from rest_framework.exceptions import APIException

from accounts.models import PaymentProfile, PaymentProfileStatus
from cafa.admin import OrganizerAdmin, ReadOnlyAdminMixin, ServiceFormAdminMixin, ServiceModelForm, adopt, refusal
from payouts import selectors
from payouts.models import OrganizerWithdrawal, RevenueEntry
from payouts.services import withdrawals

SHOWN_FIELDS = [
    "withdrawal_id",
    "status",
    "requested_amount",
    "transfer_fee",
    "deductions",
    "final_amount",
    "currency",
    "profile_name",
    "failure_reason",
    "rejection_reason",
    "created_at",
    "completed_at",
]


class WithdrawalRequestForm(ServiceModelForm):
    # Text, not a number field: the amount is judged by the service's own parser, exactly as W1's is.
    amount = forms.CharField(label="Amount (GHS)", max_length=20)

    class Meta:
        model = OrganizerWithdrawal
        fields = ["amount", "payment_profile"]


@admin.register(OrganizerWithdrawal)
class OrganizerWithdrawalAdmin(ServiceFormAdminMixin, OrganizerAdmin):
    form = WithdrawalRequestForm
    list_display = ["withdrawal_id", "requested_amount", "final_amount", "status", "profile_name", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["=withdrawal_id"]
    list_select_related = ["payment_profile"]
    actions = ["cancel"]

    def get_fields(self, request, obj=None):
        return ["amount", "payment_profile"] if obj is None else SHOWN_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else SHOWN_FIELDS

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            balances = selectors.balances(request.user.pk)
            form.base_fields[
                "amount"
            ].help_text = (
                f"Available now: GHS {balances.available_balance}; the minimum is GHS {balances.minimum_withdrawal}."
            )
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "payment_profile":
            kwargs["queryset"] = PaymentProfile.objects.live().filter(
                user=request.user, status=PaymentProfileStatus.VERIFIED
            )
            kwargs["required"] = False
            kwargs["empty_label"] = "Your default payment profile"
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Payment profile")
    def profile_name(self, withdrawal):
        return withdrawal.payment_profile.name

    def save_model(self, request, obj, form, change):
        """Only requests are saved here (the change page is read-only): W1's service, W1's rules."""
        profile = form.cleaned_data.get("payment_profile")
        try:
            withdrawal = withdrawals.request_withdrawal(
                organizer=request.user,
                amount=form.cleaned_data["amount"],
                payment_profile_id=profile.pk if profile else None,
            )
        except APIException as error:
            raise refusal(error) from error
        adopt(obj, withdrawal)

    def has_cancel_permission(self, request):
        return self.is_organizer(request) and request.user.has_perm("payouts.cancel_organizerwithdrawal")

    @admin.action(description="Cancel the selected pending withdrawals", permissions=["cancel"])
    def cancel(self, request, queryset):
        for withdrawal in queryset:
            try:
                withdrawals.cancel_withdrawal(withdrawal=withdrawal)
                self.message_user(request, f"{withdrawal.withdrawal_id} cancelled; the amount is back in your balance.")
            except APIException as error:
                self.message_user(request, f"{withdrawal.withdrawal_id}: {error.detail}", messages.WARNING)


class PeriodFilter(admin.SimpleListFilter):
    """The revenue report's `period` (the report counts sales by completion; the ledger, entries by date)."""

    title = "period"
    parameter_name = "period"

    def lookups(self, request, model_admin):
        return [("this_month", "This month"), ("last_month", "Last month"), ("this_year", "This year")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() not in selectors.PERIODS:
            raise IncorrectLookupParameters(self.value())
        start, end = selectors.period_bounds(self.value())
        if start is not None:
            queryset = queryset.filter(created_at__gte=start)
        return queryset if end is None else queryset.filter(created_at__lt=end)


@admin.register(RevenueEntry)
class RevenueAdmin(ReadOnlyAdminMixin, OrganizerAdmin):
    """Balances and the revenue report on top, every movement of the organizer's ledger below."""

    change_list_template = "admin/payouts/revenueentry/change_list.html"
    list_display = ["created_at", "kind", "amount", "event_title", "purchase_reference", "available_at"]
    list_filter = [PeriodFilter, "kind"]
    search_fields = ["memo", "=purchase__purchase_id", "=withdrawal__withdrawal_id", "event__title"]
    list_select_related = ["event", "purchase", "withdrawal"]
    date_hierarchy = "created_at"
    fields = ["created_at", "kind", "amount", "event_title", "purchase_reference", "available_at", "memo"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description="Event", ordering="event__title")
    def event_title(self, entry):
        return entry.event.title if entry.event else "—"

    @admin.display(description="Purchase / withdrawal")
    def purchase_reference(self, entry):
        if entry.purchase:
            return entry.purchase.purchase_id
        return entry.withdrawal.withdrawal_id if entry.withdrawal else "—"

    def changelist_view(self, request, extra_context=None):
        period = request.GET.get("period", "all_time")
        report = None
        if period in selectors.PERIODS and self.has_view_permission(request):
            report = selectors.revenue_report(organizer=request.user, period=period)
        return super().changelist_view(request, {"report": report, **(extra_context or {})})
