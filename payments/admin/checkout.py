"""Admin for payments: read-only, found by reference, payment id, buyer e-mail or ticket id.

The one action re-runs the provider read-through (the same completion path as every poll), for a
payment a buyer says went through while it still shows pending.
"""

from django.contrib import admin, messages

from cafa.admin import ReadOnlyModelAdmin
from cafa.api.exceptions import DomainError
from payments.models import Payment, PaymentStatus
from payments.services import completion, refunds


@admin.register(Payment)
class PaymentAdmin(ReadOnlyModelAdmin):
    list_display = ["payment_id", "reference", "buyer_email", "event", "amount", "status", "provider", "created_at"]
    list_filter = ["status", "provider", "payment_method", "reason_code", "created_at"]
    search_fields = [
        "=reference",
        "=payment_id",
        "=checkout_session_id",
        "user__email",
        "purchase__attendee_email",
        "=purchase__purchase_id",
        "=purchase__tickets__ticket_id",
    ]
    list_select_related = ["user", "purchase__event"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    actions = ["rerun_verification", "refund"]

    @admin.display(description="Buyer e-mail", ordering="user__email")
    def buyer_email(self, payment):
        return payment.user.email

    @admin.display(description="Event")
    def event(self, payment):
        return payment.purchase.event.title

    @admin.action(description="Re-run verification")
    def rerun_verification(self, request, queryset):
        changed = 0
        for payment in queryset.select_related("purchase"):
            if payment.status != PaymentStatus.PENDING:
                continue
            if completion.refresh_payment(payment).status != PaymentStatus.PENDING:
                changed += 1
        self.message_user(request, f"Verified {queryset.count()} payment(s); {changed} changed status.", messages.INFO)

    @admin.action(description="Refund selected completed payments (tickets stop admitting)")
    def refund(self, request, queryset):
        refunded = 0
        for payment in queryset:
            try:
                refunds.refund_completed_payment(payment_pk=payment.pk, reason=f"Refunded by {request.user.email}.")
                refunded += 1
            except DomainError as error:
                self.message_user(request, f"{payment.payment_id}: {error.detail}", messages.WARNING)
        if refunded:
            self.message_user(request, f"{refunded} payment(s) refunded; the buyers are e-mailed.", messages.SUCCESS)
