"""Payments, provider webhooks, idempotent purchase requests and the sandbox provider's own records."""

import secrets

from django.conf import settings
from django.db import models


def payment_public_id() -> str:
    return f"PAY-{secrets.token_hex(5).upper()}"


def provider_reference() -> str:
    """96 random bits: unguessable, because `payments/verify/{reference}/` is public."""
    return f"CAFA-{secrets.token_hex(12).upper()}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


FINAL_PAYMENT_STATUSES = (PaymentStatus.COMPLETED, PaymentStatus.REFUNDED)


class Provider(models.TextChoices):
    PAYSTACK = "paystack"
    SANDBOX = "sandbox"
    STRIPE = "stripe"
    FREE = "free"


class ReasonCode(models.TextChoices):
    DECLINED = "declined"
    ABANDONED = "abandoned"
    AMOUNT_MISMATCH = "amount_mismatch"
    CANCELLED_BY_BUYER = "cancelled_by_buyer"
    RESERVATION_EXPIRED = "reservation_expired"
    REFUNDED_SOLD_OUT = "refunded_sold_out"
    REFUNDED = "refunded"
    INITIALIZATION_FAILED = "initialization_failed"
    # Internal (the API reports them as `cancelled` / `refunded`, CONTRACT.md §6.5): the event was cancelled.
    EVENT_CANCELLED = "event_cancelled"
    REFUNDED_EVENT_CANCELLED = "refunded_event_cancelled"


class Payment(models.Model):
    payment_id = models.CharField(max_length=14, unique=True, default=payment_public_id, editable=False)
    reference = models.CharField(max_length=40, unique=True, default=provider_reference, editable=False)
    purchase = models.OneToOneField("tickets.Purchase", on_delete=models.PROTECT, related_name="payment")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="GHS")
    status = models.CharField(max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    payment_method = models.CharField(max_length=20, default="card", help_text="Intended, then the actual channel.")
    callback_url = models.URLField(max_length=500, blank=True, default="")
    deep_link = models.CharField(max_length=500, blank=True, default="")
    authorization_url = models.URLField(max_length=500, blank=True, default="")
    access_code = models.CharField(max_length=100, blank=True, default="")
    card_details = models.JSONField(null=True, blank=True)
    provider_response = models.JSONField(null=True, blank=True)
    reason_code = models.CharField(max_length=30, choices=ReasonCode.choices, blank=True, default="")
    failure_reason = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    refund_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When the provider accepted our refund request (null: not sent yet)."
    )
    refund_status = models.CharField(
        max_length=20, blank=True, default="", help_text="The provider's last word on our refund (refund.* webhooks)."
    )
    # A provider that cannot charge GHS (Stripe, CONTRACT.md §13) charges a converted amount; both are kept.
    charge_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="What the provider charges, if not `amount`."
    )
    charge_currency = models.CharField(max_length=3, blank=True, default="", help_text="Its currency (e.g. USD).")
    exchange_rate = models.DecimalField(
        max_digits=12, decimal_places=6, null=True, blank=True, help_text="Units of charge_currency per GHS."
    )
    checkout_session_id = models.CharField(
        max_length=255, blank=True, default="", help_text="The provider's hosted checkout session (Stripe `cs_…`)."
    )
    provider_transaction_id = models.CharField(
        max_length=255, blank=True, default="", help_text="The provider's id of the charge (Stripe PaymentIntent)."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkout_session_id"],
                condition=~models.Q(checkout_session_id=""),
                name="payment_checkout_session_unique",
            )
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="payment_user_recent_idx"),
            models.Index(fields=["status", "created_at"], name="payment_status_age_idx"),
            models.Index(fields=["provider_transaction_id"], name="payment_provider_txn_idx"),
        ]

    def __str__(self):
        return self.payment_id

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_PAYMENT_STATUSES

    @property
    def charged_amount(self):
        """The amount the provider was asked to charge, in `charged_currency`."""
        return self.amount if self.charge_amount is None else self.charge_amount

    @property
    def charged_currency(self) -> str:
        return self.charge_currency or self.currency


class SandboxCharge(models.Model):
    """What the sandbox provider "knows" about a charge: the outcome chosen on its checkout page."""

    reference = models.CharField(max_length=40, unique=True)
    amount_minor = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    email = models.EmailField()
    callback_url = models.URLField(max_length=500)
    outcome = models.CharField(max_length=10, default="abandoned")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.reference}: {self.outcome}"


class WebhookEvent(models.Model):
    """Every provider event, stored once: the unique key makes a redelivery a no-op."""

    provider = models.CharField(max_length=10, choices=Provider.choices)
    dedup_key = models.CharField(max_length=200, unique=True)
    event_type = models.CharField(max_length=60)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["processed_at", "received_at"], name="webhook_unprocessed_idx")]

    def __str__(self):
        return self.dedup_key


class IdempotentRequest(models.Model):
    """The first answer to a purchase request carrying an `Idempotency-Key` (kept 24 hours)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Null while in progress.")
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint", "key"], name="idempotent_request_unique_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotent_request_age_idx")]

    def __str__(self):
        return f"{self.endpoint}:{self.key}"


class SandboxRecipient(models.Model):
    """What the sandbox "knows" about a transfer recipient."""

    recipient_code = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=20)
    name = models.CharField(max_length=150)
    account_number = models.CharField(max_length=20)
    bank_code = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.recipient_code


class SandboxTransfer(models.Model):
    """A sandbox transfer and the outcome its recipient's magic number decides."""

    reference = models.CharField(max_length=40, unique=True)
    transfer_code = models.CharField(max_length=60, unique=True)
    recipient = models.ForeignKey(SandboxRecipient, on_delete=models.PROTECT, related_name="transfers")
    amount_minor = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=10, default="pending")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.reference}: {self.status}"
