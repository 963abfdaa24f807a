"""Purchases (reservations) and tickets. Money movement lives in `payments`; stock lives here.

A purchase reserves `quantity` tickets of one ticket type. Its tickets carry the reservation's
deadline (`reserved_until`), so live stock is issued tickets (counted on the ticket type,
`TicketType.issued_count`, in the transaction that issues or voids them) plus reserved ones whose
deadline has not passed (one count over a partial index of reserved rows). Lapsed reservations stop
counting the moment their deadline passes, whether or not any background job has tidied their status.

Over 300 lines on purpose: Django keeps an app's models in one module; the purchase, ticket, check-in,
delivery, promo-code and waiting-list models reference one another, and each is short.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Round
from django.db.models.lookups import Exact
from django.utils import timezone


def purchase_public_id() -> str:
    return f"PUR-{secrets.token_hex(5).upper()}"


def ticket_public_id() -> str:
    return f"TKT-{uuid.uuid4().hex.upper()}"


def waitlist_entry_public_id() -> str:
    return f"WL-{secrets.token_hex(5).upper()}"


class PurchaseStatus(models.TextChoices):
    RESERVED = "reserved"
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"


OPEN_PURCHASE_STATUSES = (PurchaseStatus.RESERVED, PurchaseStatus.PENDING)


class Purchase(models.Model):
    purchase_id = models.CharField(max_length=14, unique=True, default=purchase_public_id, editable=False)
    # The legacy Stripe endpoints call the whole group a "ticket" with a UUID code (CONTRACT.md §13).
    group_code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchases")
    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="purchases")
    ticket_type = models.ForeignKey("events.TicketType", on_delete=models.PROTECT, related_name="purchases")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2)
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=0, help_text="Off the subtotal (promo).")
    service_fee = models.DecimalField(max_digits=14, decimal_places=2)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="GHS")
    # A lapsed purchase keeps its code only while the code exists: a code is deleted only when unused.
    promo_code = models.ForeignKey(
        "tickets.PromoCode", on_delete=models.SET_NULL, null=True, blank=True, related_name="purchases"
    )
    # Set on the purchase a waiting-list offer holds (CONTRACT.md §17): its fate settles the entry's.
    waitlist_entry = models.OneToOneField(
        "tickets.WaitlistEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="purchase"
    )
    status = models.CharField(max_length=12, choices=PurchaseStatus.choices, default=PurchaseStatus.RESERVED)
    attendee_name = models.CharField(max_length=150)
    attendee_email = models.EmailField()
    attendee_phone = models.CharField(max_length=16, blank=True, default="")
    reserved_at = models.DateTimeField()
    reservation_expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it failed, expired or was cancelled.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="purchase_quantity_positive"),
            # Rounded to the pesewa: SQLite keeps decimals as binary floats, whose sums are rarely exact.
            models.CheckConstraint(
                condition=Exact(
                    Round(models.F("subtotal") - models.F("discount") + models.F("service_fee") - models.F("total"), 2),
                    0,
                ),
                name="purchase_total_adds_up",
            ),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0, discount__lte=models.F("subtotal")),
                name="purchase_discount_within_subtotal",
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "status"], name="purchase_buyer_status_idx"),
            models.Index(fields=["status", "reservation_expires_at"], name="purchase_status_expiry_idx"),
            models.Index(fields=["event", "status", "completed_at"], name="purchase_event_sales_idx"),
        ]

    def __str__(self):
        return self.purchase_id

    @property
    def is_free(self) -> bool:
        return self.total == 0

    @property
    def sales_amount(self):
        """What the organizer sold: the subtotal less the promo discount (revenue and fees count this)."""
        return self.subtotal - self.discount


# The organizer's sales of a purchase (CONTRACT.md §16: gross revenue counts subtotal - discount), for queries.
SALES_AMOUNT = models.F("subtotal") - models.F("discount")


class Sale(Purchase):
    """A purchase of one of the organizer's events, as their admin pages show it (read-only)."""

    class Meta:
        proxy = True
        default_permissions = ("view",)


class TicketStatus(models.TextChoices):
    RESERVED = "reserved"
    ACTIVE = "active"
    USED = "used"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"


ISSUED_TICKET_STATUSES = (TicketStatus.ACTIVE, TicketStatus.USED)


# The stock rule (CONTRACT.md §1.11), spelled once: a ticket holds stock when it is issued, or reserved
# with a deadline still ahead. A lapsed reservation stops holding stock at its deadline, whether or not
# a job has tidied its status yet.


def issued_ticket(via: str = "") -> models.Q:
    """Issued tickets (they hold stock for good). `via` leads to tickets from another model (`"tickets__"`)."""
    return models.Q(**{f"{via}status__in": ISSUED_TICKET_STATUSES})


def live_reservation(now, via: str = "") -> models.Q:
    """Reserved tickets whose reservation has not lapsed at `now` (`via` as in `issued_ticket`)."""
    return models.Q(**{f"{via}status": TicketStatus.RESERVED, f"{via}reserved_until__gt": now})


def lapsed_reservation(now) -> models.Q:
    """Reserved tickets whose reservation has lapsed at `now` (not yet tidied to `expired`)."""
    return models.Q(status=TicketStatus.RESERVED, reserved_until__lte=now)


class TicketQuerySet(models.QuerySet):
    def holding_stock(self, now):
        """Tickets that count against their ticket type's quantity at `now`: issued or live reservations."""
        return self.filter(issued_ticket() | live_reservation(now))

    def live_reservations(self, now):
        """Reserved tickets still holding stock at `now` (the `tickets_reserved` figures)."""
        return self.filter(live_reservation(now))


class Ticket(models.Model):
    ticket_id = models.CharField(max_length=36, unique=True, default=ticket_public_id, editable=False)
    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="tickets")
    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="tickets")
    ticket_type = models.ForeignKey("events.TicketType", on_delete=models.PROTECT, related_name="tickets")
    status = models.CharField(max_length=12, choices=TicketStatus.choices, default=TicketStatus.RESERVED)
    reserved_until = models.DateTimeField(help_text="Copy of the purchase's deadline: stock counts need no join.")
    attendee_name = models.CharField(max_length=150)
    attendee_email = models.EmailField()
    attendee_phone = models.CharField(max_length=16, blank=True, default="")
    price_paid = models.DecimalField(max_digits=12, decimal_places=2)
    issued_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    check_in_count = models.PositiveIntegerField(default=0)
    # Generated once when the ticket is issued (CONTRACT.md §1.12), never per request.
    qr_payload = models.TextField(blank=True, default="")
    qr_code = models.TextField(blank=True, default="", help_text="data:image/png;base64,...")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket_type", "status", "reserved_until"], name="ticket_stock_idx"),
            # Live holds under the ticket type's lock: only reserved rows, so its size follows the holds
            # open now, never the tickets sold (those are `TicketType.issued_count`).
            models.Index(
                fields=["ticket_type", "reserved_until"],
                condition=models.Q(status="reserved"),
                name="ticket_live_hold_idx",
            ),
            models.Index(fields=["event", "status"], name="ticket_event_status_idx"),
        ]

    def __str__(self):
        return self.ticket_id

    @property
    def is_issued(self) -> bool:
        return self.status in ISSUED_TICKET_STATUSES


class CheckInOutcome(models.TextChoices):
    ADMITTED = "admitted"
    REFUSED = "refused"


class CheckIn(models.Model):
    """Every scan at the door, admitted or refused: who scanned what, when, and the outcome."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="check_ins")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="check_ins")
    scanned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scanned_value = models.CharField(max_length=500, help_text="What the scanner sent (ticket id or QR text).")
    outcome = models.CharField(max_length=10, choices=CheckInOutcome.choices)
    reason = models.CharField(max_length=60, blank=True, default="", help_text="Why a scan was refused.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["event", "outcome", "-created_at"], name="checkin_event_history_idx")]

    def __str__(self):
        return f"{self.scanned_value}: {self.outcome}"


class ReminderKind(models.TextChoices):
    DAY_BEFORE = "24h"
    HOUR_BEFORE = "1h"


class SentReminder(models.Model):
    """A reminder e-mail already sent: at most one per purchase and kind."""

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=4, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["purchase", "kind"], name="reminder_once_per_purchase_kind")]

    def __str__(self):
        return f"{self.purchase_id}: {self.kind}"


class DeliveryStatus(models.TextChoices):
    DUE = "due"
    SENT = "sent"
    CANCELLED = "cancelled"  # nothing left to send: refunded before the e-mail went out


class TicketDelivery(models.Model):
    """A purchase's ticket e-mail, due from the transaction that issues its tickets until it is sent.

    Written in the same transaction as the tickets, so a lost queue message cannot lose the e-mail: the
    periodic job sends every delivery still due a minute later; a resend makes it due again. A sender
    claims it for a lease under the row lock (`claimed_until`), so two senders never send together and
    one that dies mid-send lets the next in once the lease lapses. `retry_at` spaces the job's attempts.
    """

    purchase = models.OneToOneField(Purchase, on_delete=models.CASCADE, related_name="delivery")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.DUE)
    due_since = models.DateTimeField(default=timezone.now, help_text="Issued, or asked to be sent again, then.")
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="A sender holds it until then.")
    retry_at = models.DateTimeField(null=True, blank=True, help_text="The job's next attempt, after a failure.")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "ticket deliveries"
        indexes = [
            models.Index(
                fields=["due_since"], condition=models.Q(status=DeliveryStatus.DUE), name="ticket_delivery_due_idx"
            )
        ]

    def __str__(self):
        return f"{self.purchase_id}: {self.status}"


class CancellationNotice(models.Model):
    """The e-mail telling a buyer that their event was cancelled and what happens to their money.

    Written in the transaction that cancels the purchase's tickets (or refunds its late payment), so
    it cannot be lost; sent once under its row lock (`tickets.services.cancellation_notices`).
    """

    purchase = models.OneToOneField(Purchase, on_delete=models.CASCADE, related_name="cancellation_notice")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="cancel_notice_due_idx")
        ]

    def __str__(self):
        return f"{self.purchase_id}: {'sent' if self.sent_at else 'due'}"


# --- Promo codes (CONTRACT.md §16) -----------------------------------------------------------------


class DiscountType(models.TextChoices):
    PERCENTAGE = "percentage"
    FIXED = "fixed"  # GHS off each ticket


class PromoCode(models.Model):
    """A discount code of one event. Its uses are never counted here: they are the purchases that carry
    it and are completed or still hold a live reservation, so a lapsed or cancelled one gives its use back."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="promo_codes")
    code = models.CharField(max_length=32, help_text="Stored upper-case; unique per event.")
    discount_type = models.CharField(max_length=10, choices=DiscountType.choices)
    discount_value = models.DecimalField(max_digits=12, decimal_places=2)
    ticket_types = models.ManyToManyField(
        "events.TicketType", blank=True, related_name="promo_codes", help_text="None: every type of the event."
    )
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    max_uses_per_user = models.PositiveIntegerField(default=1)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="promo_code_unique_per_event"),
            models.CheckConstraint(condition=models.Q(discount_value__gt=0), name="promo_discount_positive"),
            models.CheckConstraint(
                condition=~models.Q(discount_type=DiscountType.PERCENTAGE) | models.Q(discount_value__lte=100),
                name="promo_percentage_at_most_100",
            ),
            models.CheckConstraint(condition=models.Q(max_uses_per_user__gte=1), name="promo_per_user_positive"),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)


class OrganizerPromoCode(PromoCode):
    """A code of one of the organizer's events, as their admin pages show and change it (through the
    promo-code services)."""

    class Meta:
        proxy = True
        verbose_name = "promo code"
        verbose_name_plural = "my promo codes"


# --- Waiting list (CONTRACT.md §17) ----------------------------------------------------------------


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting"
    OFFERED = "offered"  # seats are held for the entry in its purchase
    ACCEPTED = "accepted"  # the held purchase was paid
    EXPIRED = "expired"  # the offer lapsed unpaid
    CANCELLED = "cancelled"  # left the list, or sales ended


OPEN_WAITLIST_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class WaitlistEntry(models.Model):
    """A buyer queuing for a sold-out ticket type. Every change of state is made under the ticket
    type's lock (`cafa.locking`), the lock the stock is decided under, so the queue and the public
    never take the same seat."""

    entry_id = models.CharField(max_length=13, unique=True, default=waitlist_entry_public_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="waitlist_entries")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="waitlist_entries")
    ticket_type = models.ForeignKey("events.TicketType", on_delete=models.CASCADE, related_name="waitlist_entries")
    quantity = models.PositiveIntegerField()
    attendee_name = models.CharField(max_length=150)
    attendee_email = models.EmailField()
    attendee_phone = models.CharField(max_length=16, blank=True, default="")
    status = models.CharField(max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    payment_started_at = models.DateTimeField(
        null=True, blank=True, help_text="The buyer opened a payment for the offer: its payment decides the rest."
    )
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was accepted, expired or cancelled.")
    created_at = models.DateTimeField(default=timezone.now, help_text="Its place in the queue.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "waiting list entries"
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="waitlist_quantity_positive"),
            models.UniqueConstraint(
                fields=["user", "ticket_type"],
                condition=models.Q(status__in=OPEN_WAITLIST_STATUSES),
                name="waitlist_one_open_entry_per_user_and_type",
            ),
        ]
        indexes = [
            models.Index(
                fields=["ticket_type", "created_at", "id"],
                condition=models.Q(status=WaitlistStatus.WAITING),
                name="waitlist_queue_idx",
            ),
            models.Index(fields=["user", "-created_at"], name="waitlist_user_recent_idx"),
            models.Index(fields=["status", "offer_expires_at"], name="waitlist_status_expiry_idx"),
        ]

    def __str__(self):
        return self.entry_id


class WaitlistNoticeKind(models.TextChoices):
    JOINED = "joined"
    OFFERED = "offered"
    LAPSED = "lapsed"


class WaitlistNotice(models.Model):
    """A waiting-list e-mail, due from the transaction that caused it until it is sent.

    Like the ticket e-mail (TicketDelivery), a lost queue message cannot lose it: the waiting-list job
    sends every notice still due a minute later. A sender claims it for a while (`claimed_until`),
    which also spaces the retries after a failure.
    """

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=WaitlistNoticeKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "kind"], name="waitlist_notice_once_per_kind")]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="waitlist_notice_due_idx"
            )
        ]

    def __str__(self):
        return f"{self.entry_id}: {self.kind}"


class QueueEntry(WaitlistEntry):
    """An entry of a waiting list of one of the organizer's events, as their admin pages show it
    (read-only; offers are made only by the offer engine)."""

    class Meta:
        proxy = True
        verbose_name = "waiting list entry"
        verbose_name_plural = "my waiting lists"
        default_permissions = ("view",)
        permissions = [("offer_freed_seats", "Can offer freed seats to the waiting list")]
