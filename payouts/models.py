"""The organizer's money after a sale: the revenue ledger, payout-account verification transfers and
withdrawals (DESIGN.md §1). The tables were created by the payments app and moved here in issue 11."""

import secrets

from django.conf import settings
from django.db import models


def verification_transfer_reference() -> str:
    return f"pd-{secrets.token_hex(16)}"


def withdrawal_transfer_reference() -> str:
    return f"wd-{secrets.token_hex(16)}"


def withdrawal_public_id() -> str:
    return f"WDR-{secrets.token_hex(5).upper()}"


class TransferStatus(models.TextChoices):
    QUEUED = "queued", "Queued (not yet accepted by the provider)"
    PENDING = "pending", "Sent, awaiting settlement"
    SUCCESS = "success"
    FAILED = "failed"
    REVERSED = "reversed"


class VerificationTransfer(models.Model):
    """One GHS 1.00 payout-account verification attempt (M2 creation or an M8 retry)."""

    payment_profile = models.ForeignKey(
        "accounts.PaymentProfile", on_delete=models.PROTECT, related_name="verification_transfers"
    )
    reference = models.CharField(max_length=40, unique=True, default=verification_transfer_reference, editable=False)
    transfer_code = models.CharField(max_length=60, blank=True, default="")
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=1)
    status = models.CharField(max_length=10, choices=TransferStatus.choices, default=TransferStatus.QUEUED)
    is_retry = models.BooleanField(default=False, help_text="Started by M8 (counts toward the retry limit).")
    failure_reason = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["payment_profile", "-created_at"], name="verif_transfer_profile_idx"),
            models.Index(fields=["status", "created_at"], name="verif_transfer_status_idx"),
        ]

    def __str__(self):
        return self.reference


class WithdrawalStatus(models.TextChoices):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


OPEN_WITHDRAWAL_STATUSES = (WithdrawalStatus.PENDING, WithdrawalStatus.PROCESSING)


class Withdrawal(models.Model):
    """An organizer's request to be paid out (CONTRACT.md §11.2, §14.5)."""

    withdrawal_id = models.CharField(max_length=14, unique=True, default=withdrawal_public_id, editable=False)
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="withdrawals")
    payment_profile = models.ForeignKey("accounts.PaymentProfile", on_delete=models.PROTECT, related_name="withdrawals")
    requested_amount = models.DecimalField(max_digits=14, decimal_places=2)
    transfer_fee = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    deductions = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    final_amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="GHS")
    status = models.CharField(max_length=12, choices=WithdrawalStatus.choices, default=WithdrawalStatus.PENDING)
    transfer_reference = models.CharField(
        max_length=40, unique=True, default=withdrawal_transfer_reference, editable=False
    )
    transfer_code = models.CharField(max_length=60, blank=True, default="")
    failure_reason = models.CharField(max_length=300, blank=True, default="")
    rejection_reason = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    processing_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it failed, was cancelled or rejected.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organizer"],
                condition=models.Q(status__in=["pending", "processing"]),
                name="withdrawal_one_open_per_organizer",
            )
        ]
        indexes = [
            models.Index(fields=["organizer", "-created_at"], name="withdrawal_organizer_idx"),
            models.Index(fields=["status", "updated_at"], name="withdrawal_status_age_idx"),
        ]

    def __str__(self):
        return self.withdrawal_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_WITHDRAWAL_STATUSES


class LedgerKind(models.TextChoices):
    SALE = "sale", "Ticket sale (credit)"
    PLATFORM_FEE = "platform_fee", "Platform fee (debit)"
    SALE_REVERSAL = "sale_reversal", "Refunded sale (debit)"
    PLATFORM_FEE_REVERSAL = "platform_fee_reversal", "Refunded platform fee (credit)"
    VERIFICATION_FEE = "verification_fee", "Payout-account verification transfer (debit)"
    VERIFICATION_FEE_REVERSAL = "verification_fee_reversal", "Failed or reversed verification transfer (credit)"
    WITHDRAWAL = "withdrawal", "Withdrawal requested (debit)"
    WITHDRAWAL_RELEASE = "withdrawal_release", "Withdrawal failed, cancelled or rejected (credit)"
    DEDUCTION_RECOVERY = "deduction_recovery", "Verification fees recovered by a withdrawal"
    DEDUCTION_RECOVERY_REVERSAL = "deduction_recovery_reversal", "Recovery undone: the withdrawal did not go out"


EARNING_KINDS = (LedgerKind.SALE, LedgerKind.PLATFORM_FEE, LedgerKind.SALE_REVERSAL, LedgerKind.PLATFORM_FEE_REVERSAL)
WITHDRAWAL_KINDS = (LedgerKind.WITHDRAWAL, LedgerKind.WITHDRAWAL_RELEASE)
DEDUCTION_KINDS = (
    LedgerKind.VERIFICATION_FEE,
    LedgerKind.VERIFICATION_FEE_REVERSAL,
    LedgerKind.DEDUCTION_RECOVERY,
    LedgerKind.DEDUCTION_RECOVERY_REVERSAL,
)


class LedgerEntry(models.Model):
    """One signed movement on an organizer's balance; balances are sums, never stored counters."""

    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=30, choices=LedgerKind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="Positive credits, negative debits.")
    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    purchase = models.ForeignKey("tickets.Purchase", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    available_at = models.DateTimeField(help_text="When the money may be withdrawn (the payout hold).")
    memo = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    verification_transfer = models.ForeignKey(
        "payouts.VerificationTransfer", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    withdrawal = models.ForeignKey(
        "payouts.Withdrawal", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    released_at = models.DateTimeField(
        null=True, blank=True, help_text="Set by the daily earnings release once the hold is over (bookkeeping)."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["purchase", "kind"],
                condition=models.Q(purchase__isnull=False),
                name="ledger_entry_once_per_purchase_and_kind",
            ),
            models.UniqueConstraint(
                fields=["verification_transfer", "kind"],
                condition=models.Q(verification_transfer__isnull=False),
                name="ledger_entry_once_per_verification_and_kind",
            ),
            models.UniqueConstraint(
                fields=["withdrawal", "kind"],
                condition=models.Q(withdrawal__isnull=False),
                name="ledger_entry_once_per_withdrawal_and_kind",
            ),
        ]
        indexes = [models.Index(fields=["organizer", "available_at"], name="ledger_organizer_available_idx")]

    def __str__(self):
        return f"{self.kind} {self.amount}"


class EventCancellation(models.Model):
    """Staff cancelled an event: who, why, and how far the refunds have got (CONTRACT.md §5.3, §14).

    The run (`payouts.services.event_cancellation`) settles the event's purchases one by one and may be
    resumed at any point; `finished_at` is set once nothing is left to settle and the organizer is told.
    """

    event = models.OneToOneField("events.Event", on_delete=models.PROTECT, related_name="cancellation")
    reason = models.CharField(max_length=300, blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    last_progress_at = models.DateTimeField(null=True, blank=True, help_text="A run was working on it then.")
    finished_at = models.DateTimeField(null=True, blank=True)
    organizer_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Cancellation of {self.event_id}"
