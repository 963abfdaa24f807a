"""Admin for the ledger (read-only) and withdrawals (every decision goes through the services).

List actions approve (start the transfer now) or mark failed; rejection needs a reason, so it is a
decision on the withdrawal's own page ("Staff decision" + "Reason").
"""

from django import forms
from django.contrib import admin, messages

import events.admin  # noqa: F401  (registers the event admin the cancel action is added to)
from cafa.admin import ReadOnlyModelAdmin
from cafa.api.exceptions import DomainError
from payments.providers import ProviderError
from payouts import admin_event_cancellation, selectors
from payouts.models import EventCancellation, LedgerEntry, VerificationTransfer, Withdrawal, WithdrawalStatus
from payouts.services import withdrawals


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["created_at", "organizer", "kind", "amount", "event", "purchase", "withdrawal", "available_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["organizer__email", "organizer__username", "memo", "=purchase__purchase_id"]
    list_select_related = ["organizer", "event", "purchase", "withdrawal"]
    date_hierarchy = "created_at"


@admin.register(VerificationTransfer)
class VerificationTransferAdmin(ReadOnlyModelAdmin):
    list_display = ["reference", "payment_profile", "status", "is_retry", "transfer_code", "created_at", "settled_at"]
    list_filter = ["status", "is_retry", "created_at"]
    search_fields = ["=reference", "=transfer_code", "payment_profile__user__email"]
    list_select_related = ["payment_profile"]


DECISIONS = [
    ("", "No change"),
    ("approve", "Approve: start the transfer now"),
    ("fail", "Mark failed (funds back to the balance)"),
    ("reject", "Reject with the reason below (funds back to the balance)"),
]


class WithdrawalDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(label="Staff decision", choices=DECISIONS, required=False)
    reason = forms.CharField(label="Reason", required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Withdrawal
        fields = []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "A rejection needs a reason the organizer will see.")
        return cleaned


@admin.register(Withdrawal)
class WithdrawalAdmin(admin.ModelAdmin):
    form = WithdrawalDecisionForm
    list_display = [
        "withdrawal_id",
        "organizer",
        "requested_amount",
        "final_amount",
        "status",
        "transfer_reference",
        "created_at",
        "completed_at",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["=withdrawal_id", "=transfer_reference", "=transfer_code", "organizer__email"]
    list_select_related = ["organizer", "payment_profile"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "withdrawal_id",
        "organizer",
        "payment_profile",
        "requested_amount",
        "transfer_fee",
        "deductions",
        "final_amount",
        "currency",
        "status",
        "transfer_reference",
        "transfer_code",
        "failure_reason",
        "rejection_reason",
        "created_at",
        "processing_at",
        "completed_at",
        "closed_at",
    ]
    fieldsets = [
        (None, {"fields": readonly_fields}),
        ("Staff decision", {"fields": ["decision", "reason"]}),
    ]
    actions = ["approve_selected", "mark_failed_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Never a plain save: the decision runs through the withdrawal services."""
        decision, reason = form.cleaned_data.get("decision"), form.cleaned_data.get("reason") or ""
        if decision:
            self._decide(request, obj, decision, reason)

    def _decide(self, request, withdrawal, decision, reason) -> bool:
        try:
            if decision == "approve":
                withdrawals.approve_withdrawal(withdrawal=withdrawal)
            elif decision == "fail":
                withdrawals.fail_withdrawal(withdrawal=withdrawal, reason=reason or "Marked failed by staff.")
            elif decision == "reject":
                withdrawals.reject_withdrawal(withdrawal=withdrawal, reason=reason)
        except (DomainError, ProviderError) as error:
            self.message_user(request, f"{withdrawal.withdrawal_id}: {error}", messages.ERROR)
            return False
        return True

    @admin.action(description="Approve: start the transfer of the selected pending withdrawals")
    def approve_selected(self, request, queryset):
        done = sum(self._decide(request, w, "approve", "") for w in queryset.filter(status=WithdrawalStatus.PENDING))
        self.message_user(request, f"{done} withdrawal(s) sent to the provider.", messages.SUCCESS)

    @admin.action(description="Mark the selected withdrawals failed (funds back to the balance)")
    def mark_failed_selected(self, request, queryset):
        done = sum(self._decide(request, w, "fail", "") for w in queryset)
        self.message_user(request, f"{done} withdrawal(s) marked failed.", messages.SUCCESS)


@admin.register(EventCancellation)
class EventCancellationAdmin(ReadOnlyModelAdmin):
    """Staff follow each cancellation here: how far its refunds got, and which failed at the provider."""

    list_display = ["event", "requested_by", "requested_at", "finished_at", "refunds"]
    list_filter = ["finished_at", "requested_at"]
    search_fields = ["event__title", "=event__slug", "event__organizer__email"]
    list_select_related = ["event", "requested_by"]

    @admin.display(description="Refunds")
    def refunds(self, cancellation):
        figures = selectors.cancellation_figures(cancellation.event_id)
        return (
            f"{figures.refunded_orders} refunded (GHS {figures.refunded_amount}), "
            f"{figures.refunds_awaiting_provider} not yet accepted by the provider, {figures.refunds_failed} failed"
        )


admin_event_cancellation.install()  # staff's "Cancel event" action on the event list
