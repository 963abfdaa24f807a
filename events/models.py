"""Categories, events, their extra images and ticket types."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils import timezone

from accounts.models import RandomFileName
from events.crypto import generate_checkin_keypair

END_OF_DAY = time(23, 59, 59)
RESERVED_SLUGS = frozenset({"past", "create", "my-events"})

event_image_path = RandomFileName("events")


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, default="")
    icon = models.CharField(max_length=50, default="FaCalendarAlt", help_text="An icon-component name, e.g. FaMusic.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class CheckInPolicy(models.TextChoices):
    SINGLE_ENTRY = "single_entry"
    MULTIPLE_ENTRY = "multiple_entry"
    DAILY_ENTRY = "daily_entry"


class EventStatus(models.TextChoices):
    UPCOMING = "upcoming"
    ONGOING = "ongoing"
    PAST = "past"
    CANCELLED = "cancelled"  # staff cancelled it (CONTRACT.md §5.3): off the public lists, buyers refunded


def event_bounds(start_date, start_time, end_date, end_time, tz_name) -> tuple[datetime, datetime]:
    """The aware start and end instants of an event whose dates and times are local to `tz_name`."""
    zone = ZoneInfo(tz_name)
    starts_at = datetime.combine(start_date, start_time, tzinfo=zone)
    ends_at = datetime.combine(end_date or start_date, end_time or END_OF_DAY, tzinfo=zone)
    return starts_at, ends_at


def event_status_at(starts_at: datetime, ends_at: datetime, now: datetime, cancelled_at: datetime | None) -> str:
    """`cancelled` once cancelled; else `upcoming` before the start, `ongoing` until the end (inclusive),
    `past` after (CONTRACT.md §1.11)."""
    if cancelled_at is not None:
        return EventStatus.CANCELLED
    if now < starts_at:
        return EventStatus.UPCOMING
    if now <= ends_at:
        return EventStatus.ONGOING
    return EventStatus.PAST


# Published and not cancelled: the events the public lists count (partial indexes below).
LIVE_EVENT = models.Q(is_published=True, cancelled_at__isnull=True)


class Event(models.Model):
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="events")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="events")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True, help_text="Generated from the title; never changes.")
    short_description = models.CharField(max_length=300)
    description = models.TextField(max_length=20000)

    venue_name = models.CharField(max_length=200)
    venue_address = models.CharField(max_length=300, blank=True, default="")
    venue_city = models.CharField(max_length=100)
    venue_country = models.CharField(max_length=100, default="Ghana")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    start_date = models.DateField()
    start_time = models.TimeField()
    end_date = models.DateField(blank=True)
    end_time = models.TimeField(blank=True)
    timezone = models.CharField(max_length=64, default=settings.EVENT_TIME_ZONE)
    # Derived from the local dates/times above on every save(), so status filters are plain indexed comparisons.
    starts_at = models.DateTimeField(editable=False)
    ends_at = models.DateTimeField(editable=False)

    is_recurring = models.BooleanField(default=False)
    recurrence_pattern = models.JSONField(null=True, blank=True)
    check_in_policy = models.CharField(max_length=20, choices=CheckInPolicy.choices, default=CheckInPolicy.SINGLE_ENTRY)
    max_attendees = models.PositiveIntegerField()
    is_published = models.BooleanField(default=True)
    payment_profile = models.ForeignKey(
        "accounts.PaymentProfile", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    # Set once by `events.services.mark_cancelled`; the refunds that follow are run by payouts.
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancellation_reason = models.CharField(max_length=300, blank=True, default="", editable=False)
    featured_image = models.ImageField(upload_to=event_image_path, null=True, blank=True)

    page_views = models.PositiveBigIntegerField(default=0, editable=False)
    unique_visitors = models.PositiveBigIntegerField(default=0, editable=False)

    checkin_public_key = models.CharField(max_length=64, editable=False, help_text="Ed25519, base64url.")
    checkin_private_key = models.CharField(max_length=64, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "-start_time", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_attendees__gte=1), name="event_max_attendees_positive"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["is_published", "starts_at"], name="event_published_start_idx"),
            models.Index(fields=["is_published", "ends_at"], name="event_published_end_idx"),
            models.Index(fields=["category", "is_published", "starts_at"], name="event_category_start_idx"),
            models.Index(fields=["organizer", "start_date"], name="event_organizer_start_idx"),
            models.Index(Upper("venue_city"), name="event_city_ci_idx"),
            models.Index(fields=["start_date"], name="event_start_date_idx"),
            models.Index(fields=["created_at"], name="event_created_idx"),
            # The public lists' total counts (`live`/`all` and `upcoming`, the default), read index-only: most
            # events match, so without them PostgreSQL counts by reading the whole table (issue 13).
            models.Index(fields=["ends_at"], name="event_live_end_idx", condition=LIVE_EVENT),
            models.Index(fields=["starts_at"], name="event_live_start_idx", condition=LIVE_EVENT),
        ]
        permissions = [("cancel_event", "Can cancel an event and refund its buyers")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "end_date", "end_time", "starts_at", "ends_at", "updated_at"}
        super().save(*args, **kwargs)

    def fill_derived_fields(self):
        """End defaults (§1.11), the UTC bounds and, once, the check-in key pair. Called by save() and bulk seeds."""
        self.end_date = self.end_date or self.start_date
        self.end_time = self.end_time or END_OF_DAY
        self.starts_at, self.ends_at = event_bounds(
            self.start_date, self.start_time, self.end_date, self.end_time, self.timezone
        )
        if not self.checkin_public_key:
            self.checkin_public_key, self.checkin_private_key = generate_checkin_keypair()

    @property
    def venue_location(self) -> dict | None:
        """`{latitude, longitude}` as numbers, or None unless both are known."""
        if self.latitude is None or self.longitude is None:
            return None
        return {"latitude": float(self.latitude), "longitude": float(self.longitude)}

    @property
    def status(self) -> str:
        return event_status_at(self.starts_at, self.ends_at, timezone.now(), self.cancelled_at)

    @property
    def is_upcoming(self) -> bool:
        return self.status == EventStatus.UPCOMING

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class OrganizerEvent(Event):
    """An organizer's own events, as their admin pages show and change them (through the event services)."""

    class Meta:
        proxy = True
        verbose_name = "event"
        verbose_name_plural = "my events"


class EventImage(models.Model):
    """An additional image of an event (the featured one lives on the event)."""

    MAX_PER_EVENT = 10

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=event_image_path)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.image.name


class TicketType(models.Model):
    MAX_PER_EVENT = 10

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=500, blank=True, default="")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField()
    min_purchase = models.PositiveIntegerField(default=1)
    max_purchase = models.PositiveIntegerField(default=10)
    available_from = models.DateTimeField(null=True, blank=True)
    available_until = models.DateTimeField(null=True, blank=True)
    sold_out_at = models.DateTimeField(null=True, blank=True)
    # Tickets of the type issued and still admitting (active or used): the stock rule's fixed part, so the
    # count under the lock does not grow with sales. Moved only by `events.services.count_issued`, in the
    # transaction that issues or voids the tickets; `manage.py check_stock_counters` checks it.
    issued_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Written only by atomic `UPDATE ... SET issued_count = issued_count + n`: never by a save.
    COUNTERS = frozenset({"issued_count"})

    class Meta:
        ordering = ["price", "id"]
        constraints = [
            models.UniqueConstraint("event", Lower("name"), name="ticket_type_name_unique_per_event_ci"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="ticket_type_quantity_positive"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="ticket_type_price_not_negative"),
            models.CheckConstraint(condition=models.Q(min_purchase__gte=1), name="ticket_type_min_purchase_positive"),
            models.CheckConstraint(
                condition=models.Q(min_purchase__lte=models.F("max_purchase")), name="ticket_type_min_lte_max"
            ),
        ]
        indexes = [models.Index(fields=["event", "price"], name="ticket_type_event_price_idx")]

    def __str__(self):
        return f"{self.event_id}: {self.name}"

    def save(self, *args, **kwargs):
        """A save of a stored type writes every field but the counters: the value read earlier may be stale
        (tickets issued meanwhile) and writing it back would lose them."""
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.COUNTERS
            ]
        super().save(*args, **kwargs)

    @property
    def is_free(self) -> bool:
        return self.price == 0
