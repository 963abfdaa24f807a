"""Request bodies of O1/O2 (events) and O6/O7 (ticket types): shape and range checks only."""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.timezone import localdate
from rest_framework import serializers

from events.models import Category, CheckInPolicy, Event, TicketType, event_bounds
from events.serializers.fields import (
    ImageUploadField,
    ImageUploadListField,
    JSONValueField,
    OptionalUUIDField,
    SaleInstantField,
    StringListField,
    bare_date,
)

MAX_QUANTITY = 1_000_000
MAX_PRICE = Decimal("1000000")
TIME_FORMATS = ["%H:%M:%S", "%H:%M"]


def local_today():
    """Today's date in the event time zone."""
    return localdate(timezone=ZoneInfo(settings.EVENT_TIME_ZONE))


class RecurrencePatternSerializer(serializers.Serializer):
    frequency = serializers.ChoiceField(choices=["daily", "weekly", "monthly"])
    interval = serializers.IntegerField(min_value=1, default=1)
    end_date = serializers.DateField(required=False, allow_null=True)
    occurrences = serializers.IntegerField(min_value=1, max_value=365, required=False, allow_null=True)
    days_of_week = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False, allow_empty=True
    )
    day_of_month = serializers.IntegerField(min_value=1, max_value=31, required=False, allow_null=True)


class TicketTypeInputSerializer(serializers.Serializer):
    """One ticket type (O1 item, O6 body, O7 partial body). Context: `event_starts_at`, `event_ends_at`."""

    name = serializers.CharField(min_length=1, max_length=100)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), max_value=MAX_PRICE)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    min_purchase = serializers.IntegerField(min_value=1, required=False)
    max_purchase = serializers.IntegerField(min_value=1, max_value=100, required=False, allow_null=True)
    available_from = SaleInstantField(required=False, allow_null=True)
    available_until = SaleInstantField(end_of_day=True, required=False, allow_null=True)

    def validate_price(self, value):
        if 0 < value < settings.MIN_TICKET_PRICE:
            raise serializers.ValidationError(f"Price must be 0 (free) or at least {settings.MIN_TICKET_PRICE}.")
        return value

    def validate(self, attrs):
        instance = self.instance

        def current(name, default=None):
            return attrs[name] if name in attrs else getattr(instance, name, default)

        quantity, min_purchase = current("quantity"), current("min_purchase") or 1
        max_purchase = current("max_purchase") or max(min_purchase, min(10, quantity))
        if min_purchase > quantity:
            raise serializers.ValidationError({"min_purchase": ["min_purchase cannot exceed quantity."]})
        if max_purchase < min_purchase:
            raise serializers.ValidationError({"max_purchase": ["max_purchase must be at least min_purchase."]})
        attrs["min_purchase"], attrs["max_purchase"] = min_purchase, max_purchase
        if instance is None:
            attrs.setdefault("description", "")
            attrs["available_from"] = attrs.get("available_from") or timezone.now()
            attrs["available_until"] = attrs.get("available_until") or self.context["event_starts_at"]
        if self._until_is_the_events_last_day(attrs):
            attrs["available_until"] = self.context["event_ends_at"]
        self._validate_window(current("available_from"), current("available_until"))
        return attrs

    def _until_is_the_events_last_day(self, attrs) -> bool:
        """A bare `available_until` date on the day the event ends means "until it ends" (CONTRACT §5.1).

        Read as 23:59:59 it would fall after an event ending earlier that day (the mobile app sends
        the end date so), and the whole request would be refused.
        """
        sent = self.initial_data.get("available_until") if hasattr(self.initial_data, "get") else None
        day = bare_date(sent)
        last_day = timezone.localtime(self.context["event_ends_at"], ZoneInfo(settings.EVENT_TIME_ZONE)).date()
        return day is not None and day == last_day

    def _validate_window(self, available_from, available_until):
        if available_from and available_until and available_until <= available_from:
            raise serializers.ValidationError({"available_until": ["available_until must be after available_from."]})
        if available_until and available_until > self.context["event_ends_at"]:
            raise serializers.ValidationError({"available_until": ["available_until cannot be after the event ends."]})


class EventInputSerializer(serializers.Serializer):
    """O1 (create) and, with `partial=True` and an instance, O2 (update). Context: `multipart` (bool)."""

    title = serializers.CharField(min_length=5, max_length=200)
    category_slug = serializers.CharField(required=False, allow_blank=True)
    category_id = serializers.IntegerField(required=False, allow_null=True)
    short_description = serializers.CharField(min_length=20, max_length=300)
    description = serializers.CharField(min_length=50, max_length=20000)
    venue_name = serializers.CharField(max_length=200)
    venue_address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    venue_city = serializers.CharField(max_length=100)
    venue_country = serializers.CharField(max_length=100, required=False, allow_blank=True)
    venue_latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    venue_longitude = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    start_date = serializers.DateField()
    start_time = serializers.TimeField(input_formats=TIME_FORMATS)
    end_date = serializers.DateField(required=False, allow_null=True)
    end_time = serializers.TimeField(input_formats=TIME_FORMATS, required=False, allow_null=True)
    is_recurring = serializers.BooleanField(default=False)
    recurrence_pattern = JSONValueField(strict=False, required=False, allow_null=True)
    check_in_policy = serializers.ChoiceField(choices=CheckInPolicy.choices, default=CheckInPolicy.SINGLE_ENTRY)
    max_attendees = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    is_published = serializers.BooleanField(default=True)
    payment_profile_id = OptionalUUIDField(required=False, allow_null=True)
    featured_image = ImageUploadField(required=False, allow_null=True)
    additional_images = ImageUploadListField(required=False)
    remove_additional_images = StringListField(required=False)
    ticket_types = JSONValueField(strict=False, required=False)  # judged on create only, ignored on update

    def validate_start_date(self, value):
        if value < local_today():
            raise serializers.ValidationError("Start date cannot be in the past.")
        return value

    def validate_category_slug(self, value):
        return self._category(slug=value) if value else None

    def validate_category_id(self, value):
        return self._category(pk=value) if value is not None else None

    @staticmethod
    def _category(**lookup):
        category = Category.objects.filter(is_active=True, **lookup).first()
        if category is None:
            raise serializers.ValidationError("Select an active category.")
        return category

    def validate(self, attrs):
        creating = self.instance is None
        category = attrs.pop("category_slug", None) or attrs.pop("category_id", None)
        attrs.pop("category_id", None)
        if category is not None:
            attrs["category"] = category
        elif creating:
            raise serializers.ValidationError({"category_slug": ["Select a category (category_slug or category_id)."]})
        if creating and self.context.get("multipart") and not attrs.get("featured_image"):
            raise serializers.ValidationError({"featured_image": ["A featured image is required."]})
        if creating and not attrs.get("venue_country"):
            attrs["venue_country"] = "Ghana"
        self._validate_schedule(attrs)
        self._validate_recurrence(attrs)
        if creating:
            attrs["ticket_types"] = self._validate_ticket_types(attrs)
        else:
            attrs.pop("ticket_types", None)  # managed by O6-O8; the web client always sends "[]"
        return attrs

    def _current(self, attrs, name):
        return attrs[name] if name in attrs else getattr(self.instance, name, None)

    def _validate_schedule(self, attrs):
        start_date, start_time = self._current(attrs, "start_date"), self._current(attrs, "start_time")
        end_date, end_time = self._current(attrs, "end_date"), self._current(attrs, "end_time")
        starts_at, ends_at = event_bounds(start_date, start_time, end_date, end_time, settings.EVENT_TIME_ZONE)
        if ends_at <= starts_at:
            field = "end_date" if attrs.get("end_date") else "end_time"
            raise serializers.ValidationError({field: ["The event must end after it starts."]})
        self.event_starts_at, self.event_ends_at = starts_at, ends_at

    def _validate_recurrence(self, attrs):
        if not self._current(attrs, "is_recurring"):
            if "is_recurring" in attrs or self.instance is None:
                attrs["recurrence_pattern"] = None
            else:
                attrs.pop("recurrence_pattern", None)
            return
        if "recurrence_pattern" not in attrs and self.instance is not None and self.instance.recurrence_pattern:
            return
        pattern = attrs.get("recurrence_pattern")
        if not isinstance(pattern, dict):
            raise serializers.ValidationError({"recurrence_pattern": ["Send an object (required for recurring)."]})
        serializer = RecurrencePatternSerializer(data=pattern)
        if not serializer.is_valid():
            raise serializers.ValidationError({"recurrence_pattern": serializer.errors})
        attrs["recurrence_pattern"] = _jsonable(serializer.validated_data)

    def _validate_ticket_types(self, attrs):
        items = attrs.get("ticket_types")
        if items is None:
            raise serializers.ValidationError({"ticket_types": ["This field is required."]})
        if isinstance(items, str):
            raise serializers.ValidationError({"ticket_types": ["Invalid JSON."]})
        if not isinstance(items, list) or not 1 <= len(items) <= TicketType.MAX_PER_EVENT:
            raise serializers.ValidationError({"ticket_types": ["Send a list of 1 to 10 ticket types."]})
        context = {"event_starts_at": self.event_starts_at, "event_ends_at": self.event_ends_at}
        errors, validated, names = [], [], set()
        for number, item in enumerate(items, start=1):
            serializer = TicketTypeInputSerializer(data=item if isinstance(item, dict) else {}, context=context)
            if not serializer.is_valid():
                errors.extend(_prefixed(f"Ticket type {number}: ", serializer.errors))
                continue
            name = serializer.validated_data["name"].strip().lower()
            if name in names:
                errors.append(f"Ticket type {number}: name: Ticket type names must be unique within an event.")
            names.add(name)
            validated.append(serializer.validated_data)
        if not errors:
            total, limit = sum(item["quantity"] for item in validated), attrs["max_attendees"]
            if total > limit:
                errors.append(f"Total ticket quantity ({total}) exceeds max_attendees ({limit}).")
        if errors:
            raise serializers.ValidationError({"ticket_types": errors})
        return validated


def _prefixed(prefix, errors):
    out = []
    for field, messages in errors.items():
        label = "" if field == "non_field_errors" else f"{field}: "
        out.extend(f"{prefix}{label}{message}" for message in messages)
    return out


def _jsonable(pattern: dict) -> dict:
    data = dict(pattern)
    if data.get("end_date"):
        data["end_date"] = data["end_date"].isoformat()
    return {key: value for key, value in data.items() if value is not None}


def ticket_type_context(event: Event) -> dict:
    """The serializer context that bounds a ticket type's sale window by its event."""
    return {"event_starts_at": event.starts_at, "event_ends_at": event.ends_at}
